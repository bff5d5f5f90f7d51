import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { CooError } from '../core/coo-error.js';
import { hashObject, type ObjectType } from './git-object.js';
import { packDir, parseEntry } from './pack-format.js';

// Reading packs (any git's, version-2 indexes): whole objects directly, checked against their ids;
// a delta is answered 'delta' for isomorphic-git to resolve. Indexes are loaded once per process
// and repository, and again whenever the pack directory is not the one they were read from (its
// inode or mtime moved: a pack was added or removed, or the repository was deleted and made again
// at the same path), and when an id is not found (unless the caller says not to look again).

export interface PackIndex {
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
  try {
    return parseIndex(dir, file, readFileSync(join(dir, file)));
  } catch (err) {
    if (err instanceof RangeError) return null; // a table shorter than its counts: damaged
    throw err;
  }
}

function parseIndex(dir: string, file: string, raw: Buffer): PackIndex | null {
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
    offsets[i] =
      small & 0x80000000
        ? raw.readUInt32BE(largeAt + (small & 0x7fffffff) * 8) * 0x100000000 +
          raw.readUInt32BE(largeAt + (small & 0x7fffffff) * 8 + 4)
        : small;
  }
  return {
    pack: join(dir, file.replace(/\.idx$/u, '.pack')),
    fanout,
    names: raw.subarray(namesAt, namesAt + n * 20),
    offsets,
  };
}

export function indexes(gitdir: string, fresh = false): PackIndex[] {
  const dir = packDir(gitdir);
  const stamp = stampOf(dir);
  const known = loaded.get(gitdir);
  if (!fresh && known && known.stamp === stamp) return known.indexes;
  forgetPacks(gitdir);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter(
      (name) => name.endsWith('.idx') && existsSync(join(dir, name.replace(/\.idx$/u, '.pack'))),
    );
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
export function packedObject(
  gitdir: string,
  oid: string,
  rescan = true,
): { type: ObjectType; content: Buffer } | null | 'delta' {
  const found = locate(gitdir, oid, rescan);
  if (!found) return null;
  const { index, offset } = found;
  const end = entryEnd(index, offset);
  const raw = Buffer.allocUnsafe(end - offset);
  const fd = index.fd as number;
  for (let at = 0; at < raw.length; ) {
    const n = readSync(fd, raw, at, raw.length - at, offset + at);
    if (n === 0)
      throw new CooError('E_STATE_CORRUPT', `pack ${index.pack} is shorter than its index says`, {
        pack: index.pack,
        oid,
      });
    at += n;
  }
  const entry = parseEntry(raw);
  if (!entry) return 'delta';
  const { type, size, dataAt: at } = entry;
  let content: Buffer;
  try {
    content = inflateSync(raw.subarray(at));
  } catch (cause) {
    throw new CooError(
      'E_STATE_CORRUPT',
      `object ${oid} in ${index.pack} cannot be decompressed`,
      { oid, pack: index.pack },
      { cause },
    );
  }
  if (content.length !== size || hashObject(type, content) !== oid) {
    throw new CooError('E_STATE_CORRUPT', `object ${oid} in ${index.pack} does not match its id`, {
      oid,
      pack: index.pack,
    });
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
