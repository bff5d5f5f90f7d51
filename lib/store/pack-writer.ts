import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { CooError } from '../core/coo-error.js';
import { tempPathFor } from './atomic-file.js';
import { crashPoint } from './crash-point.js';
import { forgetIsogitCache } from './isogit.js';
import type { ObjectType } from './git-object.js';
import { compress } from './loose-objects.js';
import { entryHeader, packDir, wholeAndRight } from './pack-format.js';
import { forgetPacks, indexes } from './pack-reader.js';

// Writing a pack: version 2, every object whole (no deltas), for a capture or a write set that
// stores many objects. Why a pack: creating a file costs the kernel 0.2-1 ms here, so thousands of
// loose objects cost seconds no matter who writes them; one pack is one file. Git does the same
// when it has many objects to store at once (fast-import, index-pack).
//
// A pack lands whole or not at all: both files are written under temp names and renamed, the
// index last, since git and coo see a pack only through its index.

/** Once there are this many small packs (under 1,000 objects and 4 MiB), the next pack takes them in. */
export const foldAt = 16;
const smallPackObjects = 1000;
const smallPackBytes = 4 * 1024 * 1024;

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
    const small = indexes(this.gitdir).filter(
      (index) => index.offsets.length < smallPackObjects && statSync(index.pack).size <= smallPackBytes,
    );
    if (small.length < foldAt) return [];
    const taken: string[] = [];
    for (const index of small) {
      const raw = readFileSync(index.pack);
      const order = Array.from(index.offsets.keys()).sort(
        (a, b) => (index.offsets[a] as number) - (index.offsets[b] as number),
      );
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
      if (folded.length > 0) forgetIsogitCache(this.gitdir);
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
    const order = Array.from(this.oids.keys()).sort((a, b) =>
      (this.oids[a] as string) < (this.oids[b] as string) ? -1 : 1,
    );
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
