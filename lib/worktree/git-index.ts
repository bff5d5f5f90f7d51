import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CooError } from '../core/coo-error.js';

// The paths the user's git tracks, read from its index (`.git/index`), read-only: a tracked file is
// captured even where an ignore rule matches it, as git keeps tracking it. Only the paths are read.
// Written here rather than taken from isomorphic-git, whose reader knows versions 2 and 3 only:
// git writes version 4 (`feature.manyFiles`, `index.version`), splits the index in two
// (`core.splitIndex`: a shared index and an EWAH bitmap of what the split one deletes), and keeps
// whole directories as one entry in a sparse index; all of these are common in large repositories.

export interface TrackedPaths {
  /** Whether git tracks this exact path (a file, a symlink or a submodule). */
  has(path: string): boolean;
  /** Whether git tracks anything below this directory (or the directory itself, in a sparse index). */
  hasUnder(dir: string): boolean;
  readonly size: number;
}

export const noTrackedPaths: TrackedPaths = { has: () => false, hasUnder: () => false, size: 0 };

const sparseDirMode = 0o040000;

class Cursor {
  at: number;
  constructor(
    readonly buf: Buffer,
    at: number,
  ) {
    this.at = at;
  }
  u32(): number {
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  u16(): number {
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }
}

function damaged(path: string, reason: string): CooError {
  return new CooError('E_GIT_INDEX', `git's index ${path} cannot be read: ${reason}`, { path, reason });
}

/** git's variable-length offset (the one of version 4 path compression and of pack deltas). */
function varint(c: Cursor): number {
  let byte = c.buf[c.at++] as number;
  let value = byte & 0x7f;
  while (byte & 0x80) {
    byte = c.buf[c.at++] as number;
    value = ((value + 1) << 7) | (byte & 0x7f);
  }
  return value;
}

/**
 * The names of an index's entries, as byte ranges: into the index file itself (versions 2 and 3,
 * where each name is written whole), or into a buffer the names are rebuilt in (version 4). No
 * string is made for a name until a question needs one.
 */
interface Names {
  readonly bytes: Buffer;
  readonly starts: number[];
  readonly ends: number[];
}

interface Parsed {
  readonly names: Names;
  /** Sparse directory entries (mode 040000), without their trailing slash. */
  readonly dirs: string[];
  /** The split index's link to its shared index, if any. */
  readonly link: { shared: string; deleted: number[] } | null;
}

function parseIndex(buf: Buffer, path: string, hashBytes: number): Parsed {
  if (buf.length < 12 + hashBytes || buf.toString('latin1', 0, 4) !== 'DIRC') throw damaged(path, 'not a git index');
  const version = buf.readUInt32BE(4);
  if (version < 2 || version > 4) throw damaged(path, `index version ${version} is not one coo reads (2, 3, 4)`);
  const count = buf.readUInt32BE(8);
  const end = buf.length - hashBytes;
  const names: Names = { bytes: version === 4 ? Buffer.allocUnsafe(Math.max(0, end)) : buf, starts: [], ends: [] };
  const dirs: string[] = [];
  let at = 12;
  let out = 0; // version 4: where the next rebuilt name goes
  let previous = -1; // version 4: the start of the previous name in `names.bytes`
  let previousLength = 0;
  for (let i = 0; i < count; i++) {
    const start = at;
    if (start + 40 + hashBytes + 2 > end) throw damaged(path, 'truncated');
    const mode = buf.readUInt32BE(start + 24);
    at = start + 40 + hashBytes;
    const flags = buf.readUInt16BE(at);
    at += flags & 0x4000 ? 4 : 2; // extended flags (version 3 on)
    let nameStart: number;
    let nameEnd: number;
    if (version === 4) {
      const c = new Cursor(buf, at);
      const strip = varint(c);
      const nul = buf.indexOf(0, c.at);
      if (nul < 0 || nul >= end || strip > previousLength) throw damaged(path, 'a damaged path');
      const kept = previousLength - strip;
      if (kept > 0) names.bytes.copy(names.bytes, out, previous, previous + kept);
      buf.copy(names.bytes, out + kept, c.at, nul);
      nameStart = out;
      nameEnd = out + kept + (nul - c.at);
      out = nameEnd;
      previous = nameStart;
      previousLength = nameEnd - nameStart;
      at = nul + 1;
    } else {
      const nul = buf.indexOf(0, at);
      if (nul < 0 || nul >= end) throw damaged(path, 'a damaged path');
      nameStart = at;
      nameEnd = nul;
      at = start + ((nul - start + 8) & ~7); // NUL-padded to a multiple of 8
    }
    if ((mode & 0o170000) === sparseDirMode) {
      dirs.push(names.bytes.toString('latin1', nameStart, nameEnd).replace(/\/$/u, ''));
      continue;
    }
    names.starts.push(nameStart);
    names.ends.push(nameEnd);
  }
  let link: Parsed['link'] = null;
  while (at + 8 <= end) {
    const signature = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32BE(at + 4);
    const data = at + 8;
    if (data + size > end) throw damaged(path, `extension ${JSON.stringify(signature)} overruns the file`);
    if (signature === 'link') {
      const shared = buf.toString('hex', data, data + hashBytes);
      const deleted = size > hashBytes ? ewahPositions(buf, data + hashBytes, path) : [];
      link = { shared, deleted };
    }
    at = data + size;
  }
  return { names, dirs, link };
}

/**
 * The set bits of an EWAH bitmap (git's ewah/ewah_io.c layout): bit size, word count, the 64-bit
 * words, the position of the last run-length word. A run-length word holds the running bit (bit 0),
 * how many 64-bit words repeat it (bits 1-32) and how many literal words follow (bits 33-63).
 */
export function ewahPositions(buf: Buffer, at: number, path = 'bitmap'): number[] {
  const bits = buf.readUInt32BE(at);
  const words = buf.readUInt32BE(at + 4);
  if (at + 8 + words * 8 + 4 > buf.length) throw damaged(path, 'a truncated bitmap');
  const out: number[] = [];
  let pos = 0;
  let i = 0;
  const word = (k: number): bigint => buf.readBigUInt64BE(at + 8 + k * 8);
  while (i < words) {
    const rlw = word(i++);
    const run = Number((rlw >> 1n) & 0xffffffffn);
    const literals = Number(rlw >> 33n);
    if ((rlw & 1n) === 1n) for (let b = 0; b < run * 64; b++) out.push(pos + b);
    pos += run * 64;
    for (let l = 0; l < literals && i < words; l++, i++) {
      const w = word(i);
      for (let b = 0; b < 64; b++) if ((w >> BigInt(b)) & 1n) out.push(pos + b);
      pos += 64;
    }
  }
  return out.filter((p) => p < bits);
}

/** The first position whose name is not below `key` (names sorted by bytes, as git sorts them). */
function lowerBound(names: Names, key: Buffer): number {
  let lo = 0;
  let hi = names.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (names.bytes.compare(key, 0, key.length, names.starts[mid], names.ends[mid]) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The tracked paths as the index lists them, searched in place: no set of 50,000 strings is built
 * for the few questions a walk asks (only about what an ignore rule matched).
 */
function makeTracked(names: Names, dirs: readonly string[]): TrackedPaths {
  const sparse = dirs.map((d) => `${d}/`);
  const inSparse = (path: string): boolean => sparse.some((d) => path.startsWith(d) || `${path}/` === d);
  const nameIs = (i: number, key: Buffer): boolean =>
    i < names.starts.length && names.bytes.compare(key, 0, key.length, names.starts[i], names.ends[i]) === 0;
  const nameStartsWith = (i: number, prefix: Buffer): boolean =>
    i < names.starts.length &&
    (names.ends[i] as number) - (names.starts[i] as number) > prefix.length &&
    names.bytes.compare(prefix, 0, prefix.length, names.starts[i], (names.starts[i] as number) + prefix.length) === 0;
  return {
    has(path) {
      const key = Buffer.from(path, 'utf8');
      return nameIs(lowerBound(names, key), key) || inSparse(path);
    },
    hasUnder(dir) {
      const prefix = Buffer.from(`${dir}/`, 'utf8');
      return nameStartsWith(lowerBound(names, prefix), prefix) || inSparse(dir);
    },
    size: names.starts.length,
  };
}

/** A split index made whole: the shared entries less those deleted, with the split index's new ones, sorted again. */
function mergeSplit(shared: Parsed, split: Parsed): Names {
  const deleted = new Set(split.link?.deleted ?? []);
  const bytes = Buffer.concat([shared.names.bytes, split.names.bytes]);
  const offset = shared.names.bytes.length;
  const ranges: [number, number][] = [];
  shared.names.starts.forEach((s, i) => {
    if (!deleted.has(i)) ranges.push([s, shared.names.ends[i] as number]);
  });
  // A split index's entries with an empty name replace shared entries (same paths); the others are added.
  split.names.starts.forEach((s, i) => {
    const e = split.names.ends[i] as number;
    if (e > s) ranges.push([offset + s, offset + e]);
  });
  ranges.sort((a, b) => bytes.compare(bytes, b[0], b[1], a[0], a[1]));
  return { bytes, starts: ranges.map((r) => r[0]), ends: ranges.map((r) => r[1]) };
}

/**
 * The paths tracked in the index of git directory `gitdir` (none when it has no index, as in a
 * repository with nothing added yet). `objectFormat` is git's `extensions.objectFormat`.
 */
export function readTrackedPaths(gitdir: string, objectFormat: 'sha1' | 'sha256' = 'sha1'): TrackedPaths {
  const hashBytes = objectFormat === 'sha256' ? 32 : 20;
  const indexPath = join(gitdir, 'index');
  let buf: Buffer;
  try {
    buf = readFileSync(indexPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return noTrackedPaths;
    throw damaged(indexPath, (err as NodeJS.ErrnoException).code ?? 'unreadable');
  }
  const parsed = parseIndex(buf, indexPath, hashBytes);
  if (!parsed.link) return makeTracked(parsed.names, parsed.dirs);
  const sharedPath = join(gitdir, `sharedindex.${parsed.link.shared}`);
  let sharedBuf: Buffer;
  try {
    sharedBuf = readFileSync(sharedPath);
  } catch {
    throw damaged(sharedPath, 'the shared index of a split index is missing');
  }
  const shared = parseIndex(sharedBuf, sharedPath, hashBytes);
  return makeTracked(mergeSplit(shared, parsed), [...shared.dirs, ...parsed.dirs]);
}
