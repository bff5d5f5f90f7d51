import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { CooError } from '../errors/coo-error.js';
import { tempPathFor } from './atomic-file.js';
import { crashPoint } from './crash-point.js';
import { hashObject, type ObjectType } from './git-object.js';
import { compress } from './loose-objects.js';

// Git pack files, as far as coo needs them: it writes one pack (version 2, every object whole,
// no deltas) for a capture that stores many objects, and reads the whole objects of any pack.
// Why a pack: here, creating a file costs the kernel ~100-200 µs, so 50,000 loose objects cost
// seconds no matter who writes them; one pack is one file. Git does the same when it has many
// objects to store at once (fast-import, index-pack). Formats: git's
// Documentation/gitformat-pack.txt. Deltified objects (packs from `git gc` or a fetch) are left to
// isomorphic-git's reader (`packedObject` answers 'delta').
//
// A pack lands whole or not at all: both files are written under temp names and renamed, the
// index last, since git and coo see a pack only through its index.

const typeCode: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
const typeName: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
/** Once there are this many small packs (under 1,000 objects and 4 MiB), the next pack takes them in. */
export const foldAt = 16;
const smallPackObjects = 1000;
const smallPackBytes = 4 * 1024 * 1024;

export function packDir(gitdir: string): string {
  return join(gitdir, 'objects', 'pack');
}

function entryHeader(type: ObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (typeCode[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/** Writes one pack, object by object, then its index. Not for concurrent use. */
export class PackWriter {
  private readonly temp: string;
  private readonly fd: number;
  // Per object, in pack order: id (hex), offset, CRC-32 of its packed bytes. Columns, not objects.
  private readonly oids: string[] = [];
  private readonly offsets: number[] = [];
  private readonly crcs: number[] = [];
  private readonly seen = new Set<string>();
  private offset = 12;
  // Bytes go through one staging buffer, written out a megabyte at a time.
  private readonly staging = Buffer.allocUnsafeSlow(1 << 20);
  private staged = 0;

  constructor(private readonly gitdir: string) {
    mkdirSync(packDir(gitdir), { recursive: true });
    this.temp = tempPathFor(join(packDir(gitdir), 'pack.pack'));
    this.fd = openSync(this.temp, 'wx+', 0o444);
    this.queue(Buffer.from('PACK\0\0\0\x02\0\0\0\0', 'latin1')); // the count is filled in at the end
  }

  get count(): number {
    return this.oids.length;
  }

  private queue(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      if (this.staged === this.staging.length) this.flush();
      const n = Math.min(bytes.length - at, this.staging.length - this.staged);
      this.staging.set(bytes.subarray(at, at + n), this.staged);
      this.staged += n;
      at += n;
    }
  }

  private flush(): void {
    for (let at = 0; at < this.staged; ) at += writeSync(this.fd, this.staging, at, this.staged - at);
    this.staged = 0;
  }

  /** Adds an object whose id the caller computed (an id already in this pack is not added twice). */
  add(oid: string, type: ObjectType, content: Uint8Array): void {
    if (this.seen.has(oid)) return;
    this.seen.add(oid);
    const header = entryHeader(type, content.length);
    const data = compress(content);
    this.oids.push(oid);
    this.offsets.push(this.offset);
    this.crcs.push(crc32(data, crc32(header)));
    this.queue(header);
    this.queue(data);
    this.offset += header.length + data.length;
  }

  /**
   * Takes in the objects of the repository's small packs once there are `foldAt` of them, so that
   * a pack per snapshot does not become thousands of packs to look through. Only packs whose
   * every object is whole and matches its id are taken (their entries are copied as they are);
   * others (git's, with deltas) stay. Returns the packs taken, for finish to remove.
   */
  private fold(): string[] {
    // Counting names first: the indexes are read again only when folding is due.
    const count = readdirSync(packDir(this.gitdir)).filter((name) => name.endsWith('.idx')).length;
    if (count < foldAt) return [];
    const small = indexes(this.gitdir).filter((index) => index.offsets.length < smallPackObjects && statSync(index.pack).size <= smallPackBytes);
    if (small.length < foldAt) return [];
    const taken: string[] = [];
    for (const index of small) {
      const raw = readFileSync(index.pack);
      const order = Array.from(index.offsets.keys()).sort((a, b) => (index.offsets[a] as number) - (index.offsets[b] as number));
      const entries: { oid: string; bytes: Buffer }[] = [];
      for (const [k, i] of order.entries()) {
        const start = index.offsets[i] as number;
        const end = k + 1 < order.length ? (index.offsets[order[k + 1] as number] as number) : raw.length - 20;
        const bytes = raw.subarray(start, end);
        const oid = index.names.toString('hex', i * 20, i * 20 + 20);
        if (!wholeAndRight(bytes, oid)) break;
        entries.push({ oid, bytes });
      }
      if (entries.length !== order.length) continue;
      for (const { oid, bytes } of entries) {
        if (this.seen.has(oid)) continue;
        this.seen.add(oid);
        this.oids.push(oid);
        this.offsets.push(this.offset);
        this.crcs.push(crc32(bytes));
        this.queue(bytes);
        this.offset += bytes.length;
      }
      taken.push(index.pack);
    }
    return taken;
  }

  /** Finishes the pack and its index and puts both in place; returns the pack's name. */
  finish(): string {
    try {
      const folded = this.fold();
      this.flush();
      const count = Buffer.alloc(4);
      count.writeUInt32BE(this.oids.length);
      writeSync(this.fd, count, 0, 4, 8);
      // The trailer is the SHA-1 of everything before it, header included: read it back, as git's
      // fast-import does, rather than hold the pack in memory.
      const sha = createHash('sha1');
      const chunk = Buffer.allocUnsafe(1 << 20);
      for (let at = 0; at < this.offset; ) {
        const n = readSync(this.fd, chunk, 0, Math.min(chunk.length, this.offset - at), at);
        if (n === 0) throw new CooError('E_IO', 'the pack being written came back short', { path: this.temp });
        sha.update(chunk.subarray(0, n));
        at += n;
      }
      const checksum = sha.digest();
      writeSync(this.fd, checksum, 0, 20, this.offset);
      closeSync(this.fd);
      const name = `pack-${checksum.toString('hex')}`;
      const index = this.indexBytes(checksum);
      const indexTemp = tempPathFor(join(packDir(this.gitdir), `${name}.idx`));
      const fd = openSync(indexTemp, 'wx', 0o444);
      try {
        for (let at = 0; at < index.length; ) at += writeSync(fd, index, at, index.length - at);
      } finally {
        closeSync(fd);
      }
      renameSync(this.temp, join(packDir(this.gitdir), `${name}.pack`));
      crashPoint('pack-written');
      renameSync(indexTemp, join(packDir(this.gitdir), `${name}.idx`));
      forgetPacks(this.gitdir);
      // Every folded object is in the new pack now; a crash before these go only leaves duplicates.
      for (const pack of folded) {
        rmSync(pack.replace(/\.pack$/u, '.idx'), { force: true });
        rmSync(pack, { force: true });
      }
      return name;
    } catch (err) {
      this.abandon();
      throw err;
    }
  }

  /** Drops the unfinished pack. */
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.temp, { force: true });
  }

  private indexBytes(packChecksum: Buffer): Buffer {
    // Lowercase hex sorts as the bytes it spells.
    const order = Array.from(this.oids.keys()).sort((a, b) => ((this.oids[a] as string) < (this.oids[b] as string) ? -1 : 1));
    const n = order.length;
    const large = order.filter((i) => (this.offsets[i] as number) >= 0x80000000);
    const out = Buffer.alloc(8 + 256 * 4 + n * 28 + large.length * 8 + 40);
    out.write('\xfftOc', 0, 'latin1');
    out.writeUInt32BE(2, 4);
    let at = 8;
    let i = 0;
    for (let byte = 0; byte < 256; byte++) {
      while (i < n && Number.parseInt((this.oids[order[i] as number] as string).slice(0, 2), 16) <= byte) i += 1;
      out.writeUInt32BE(i, at);
      at += 4;
    }
    for (const k of order) at += out.write(this.oids[k] as string, at, 'hex');
    for (const k of order) at = out.writeUInt32BE(this.crcs[k] as number, at);
    let nextLarge = 0;
    for (const k of order) {
      const offset = this.offsets[k] as number;
      at = out.writeUInt32BE(offset >= 0x80000000 ? (0x80000000 | nextLarge++) >>> 0 : offset, at);
    }
    for (const k of large) {
      const offset = this.offsets[k] as number;
      out.writeUInt32BE(Math.floor(offset / 0x100000000), at);
      out.writeUInt32BE(offset % 0x100000000, at + 4);
      at += 8;
    }
    at += packChecksum.copy(out, at);
    createHash('sha1').update(out.subarray(0, at)).digest().copy(out, at);
    return out;
  }
}

/** Whether a packed entry is a whole object (no delta) whose content matches `oid`. */
function wholeAndRight(bytes: Buffer, oid: string): boolean {
  const entry = parseEntry(bytes);
  if (!entry) return false;
  try {
    const content = inflateSync(bytes.subarray(entry.dataAt));
    return content.length === entry.size && hashObject(entry.type, content) === oid;
  } catch {
    return false;
  }
}

/** The type, size and data offset of a packed entry; null for a delta. */
function parseEntry(raw: Buffer): { type: ObjectType; size: number; dataAt: number } | null {
  let byte = raw[0] as number;
  const type = typeName[(byte >> 4) & 7];
  let size = byte & 0x0f;
  let shift = 4;
  let at = 1;
  while (byte & 0x80) {
    byte = raw[at++] as number;
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  }
  return type ? { type, size, dataAt: at } : null;
}

// Reading. Indexes are loaded once per process and repository, and again whenever the pack
// directory is not the one they were read from (its inode or mtime moved: a pack was added or
// removed, or the repository was deleted and made again at the same path), and when an id is not
// found (unless the caller says not to look again).

interface PackIndex {
  readonly pack: string;
  readonly fanout: Uint32Array;
  readonly names: Buffer;
  readonly offsets: number[];
  /** Offsets in pack order, to find where an entry ends; built on first read. */
  sortedOffsets?: Float64Array;
  packSize?: number;
  fd?: number;
}

interface Loaded {
  /** The pack directory's inode and mtime when read; null if there was none. */
  readonly stamp: string | null;
  readonly indexes: PackIndex[];
}

const loaded = new Map<string, Loaded>();

export function forgetPacks(gitdir: string): void {
  for (const index of loaded.get(gitdir)?.indexes ?? []) if (index.fd !== undefined) closeSync(index.fd);
  loaded.delete(gitdir);
}

function stampOf(dir: string): string | null {
  const stat = statSync(dir, { throwIfNoEntry: false });
  return stat ? `${stat.ino}:${stat.mtimeMs}` : null;
}

function readIndex(dir: string, file: string): PackIndex | null {
  const raw = readFileSync(join(dir, file));
  if (raw.length < 8 + 1024 + 40 || raw.readUInt32BE(0) !== 0xff744f63 || raw.readUInt32BE(4) !== 2) return null; // v1 or damaged: isomorphic-git's business
  const fanout = new Uint32Array(256);
  for (let i = 0; i < 256; i++) fanout[i] = raw.readUInt32BE(8 + i * 4);
  const n = fanout[255] as number;
  if (raw.length < 8 + 1024 + n * 28 + 40) return null;
  const namesAt = 8 + 1024;
  const offsetsAt = namesAt + n * 24;
  const largeAt = offsetsAt + n * 4;
  const offsets = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const small = raw.readUInt32BE(offsetsAt + i * 4);
    offsets[i] = small & 0x80000000 ? raw.readUInt32BE(largeAt + (small & 0x7fffffff) * 8) * 0x100000000 + raw.readUInt32BE(largeAt + (small & 0x7fffffff) * 8 + 4) : small;
  }
  return { pack: join(dir, file.replace(/\.idx$/u, '.pack')), fanout, names: raw.subarray(namesAt, namesAt + n * 20), offsets };
}

function indexes(gitdir: string, fresh = false): PackIndex[] {
  const dir = packDir(gitdir);
  const stamp = stampOf(dir);
  const known = loaded.get(gitdir);
  if (!fresh && known && known.stamp === stamp) return known.indexes;
  forgetPacks(gitdir);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.idx') && existsSync(join(dir, name.replace(/\.idx$/u, '.pack'))));
  } catch {
    // no pack directory: no packs
  }
  const found = names
    .sort()
    .map((name) => readIndex(dir, name))
    .filter((index): index is PackIndex => index !== null);
  loaded.set(gitdir, { stamp, indexes: found });
  return found;
}

function position(index: PackIndex, oid: Buffer): number {
  const first = oid[0] as number;
  let lo = first === 0 ? 0 : (index.fanout[first - 1] as number);
  let hi = (index.fanout[first] as number) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const order = index.names.compare(oid, 0, 20, mid * 20, mid * 20 + 20) * -1;
    if (order === 0) return mid;
    if (order < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return -1;
}

function locate(gitdir: string, oid: string, rescan: boolean): { index: PackIndex; offset: number } | null {
  const key = Buffer.from(oid, 'hex');
  for (const fresh of rescan ? [false, true] : [false]) {
    for (const index of indexes(gitdir, fresh)) {
      const at = position(index, key);
      if (at >= 0) return { index, offset: index.offsets[at] as number };
    }
  }
  return null;
}

/** Whether some pack of the repository holds `oid` (whole or as a delta). */
export function inPack(gitdir: string, oid: string): boolean {
  return locate(gitdir, oid, true) !== null;
}

/**
 * A lookup in the packs as they are now, for a writer asking about each object it stores (one
 * look at the pack directory, not one per object; the writer adds no pack until it finishes).
 */
export function packLookup(gitdir: string): (oid: string) => boolean {
  const now = indexes(gitdir);
  return (oid) => {
    const key = Buffer.from(oid, 'hex');
    return now.some((index) => position(index, key) >= 0);
  };
}

function entryEnd(index: PackIndex, offset: number): number {
  if (!index.sortedOffsets) {
    index.sortedOffsets = Float64Array.from(index.offsets).sort();
    index.fd ??= openSync(index.pack, 'r');
    index.packSize = fstatSync(index.fd).size;
  }
  const sorted = index.sortedOffsets;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? (sorted[lo] as number) : (index.packSize as number) - 20;
}

/**
 * The object `oid` from a pack: null if no pack has it, 'delta' if it is stored as a delta (for
 * isomorphic-git to resolve). Checked against its id, as loose objects are. A miss looks at the
 * pack directory again unless `rescan` is false.
 */
export function packedObject(gitdir: string, oid: string, rescan = true): { type: ObjectType; content: Buffer } | null | 'delta' {
  const found = locate(gitdir, oid, rescan);
  if (!found) return null;
  const { index, offset } = found;
  const end = entryEnd(index, offset);
  const raw = Buffer.allocUnsafe(end - offset);
  const fd = index.fd as number;
  for (let at = 0; at < raw.length; ) {
    const n = readSync(fd, raw, at, raw.length - at, offset + at);
    if (n === 0) throw new CooError('E_STATE_CORRUPT', `pack ${index.pack} is shorter than its index says`, { pack: index.pack, oid });
    at += n;
  }
  const entry = parseEntry(raw);
  if (!entry) return 'delta';
  const { type, size, dataAt: at } = entry;
  let content: Buffer;
  try {
    content = inflateSync(raw.subarray(at));
  } catch (cause) {
    throw new CooError('E_STATE_CORRUPT', `object ${oid} in ${index.pack} cannot be decompressed`, { oid, pack: index.pack }, { cause });
  }
  if (content.length !== size || hashObject(type, content) !== oid) {
    throw new CooError('E_STATE_CORRUPT', `object ${oid} in ${index.pack} does not match its id`, { oid, pack: index.pack });
  }
  return { type, content };
}

/** Ids in any pack that start with `prefix` (hex, at least two digits), for abbreviated ids. */
export function packedIdsWithPrefix(gitdir: string, prefix: string): string[] {
  const out: string[] = [];
  const first = Number.parseInt(prefix.slice(0, 2), 16);
  for (const index of indexes(gitdir, true)) {
    const from = first === 0 ? 0 : (index.fanout[first - 1] as number);
    for (let i = from; i < (index.fanout[first] as number); i++) {
      const oid = index.names.toString('hex', i * 20, i * 20 + 20);
      if (oid.startsWith(prefix)) out.push(oid);
    }
  }
  return out;
}
