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

interface Parsed {
  /** Each entry's path and whether it is a sparse directory; '' for a split index's replacement. */
  readonly entries: { path: string; dir: boolean }[];
  /** The split index's link to its shared index, if any. */
  readonly link: { shared: string; deleted: number[] } | null;
}

function parseIndex(buf: Buffer, path: string, hashBytes: number): Parsed {
  if (buf.length < 12 + hashBytes || buf.toString('latin1', 0, 4) !== 'DIRC') throw damaged(path, 'not a git index');
  const c = new Cursor(buf, 4);
  const version = c.u32();
  if (version < 2 || version > 4) throw damaged(path, `index version ${version} is not one coo reads (2, 3, 4)`);
  const count = c.u32();
  const entries: { path: string; dir: boolean }[] = [];
  let previous = '';
  const end = buf.length - hashBytes;
  for (let i = 0; i < count; i++) {
    const start = c.at;
    if (start + 40 + hashBytes + 2 > end) throw damaged(path, 'truncated');
    c.at += 24; // ctime, mtime, dev, ino
    const mode = c.u32();
    c.at += 12 + hashBytes; // uid, gid, size, object id
    const flags = c.u16();
    if (flags & 0x4000) c.u16(); // extended flags (version 3 on)
    let name: string;
    if (version === 4) {
      const strip = varint(c);
      const nul = buf.indexOf(0, c.at);
      if (nul < 0 || strip > previous.length) throw damaged(path, 'a damaged path');
      name = previous.slice(0, previous.length - strip) + buf.toString('utf8', c.at, nul);
      c.at = nul + 1;
    } else {
      const nul = buf.indexOf(0, c.at);
      if (nul < 0 || nul >= end) throw damaged(path, 'a damaged path');
      name = buf.toString('utf8', c.at, nul);
      c.at = start + ((nul - start + 8) & ~7); // NUL-padded to a multiple of 8
    }
    // Version 4 strips from the previous path as written; the bytes are UTF-8 in practice.
    previous = name;
    const dir = (mode & 0o170000) === sparseDirMode;
    entries.push({ path: dir ? name.replace(/\/$/u, '') : name, dir });
  }
  let link: Parsed['link'] = null;
  while (c.at + 8 <= end) {
    const signature = buf.toString('latin1', c.at, c.at + 4);
    const size = buf.readUInt32BE(c.at + 4);
    const data = c.at + 8;
    if (data + size > end) throw damaged(path, `extension ${JSON.stringify(signature)} overruns the file`);
    if (signature === 'link') {
      const shared = buf.toString('hex', data, data + hashBytes);
      const deleted = size > hashBytes ? ewahPositions(buf, data + hashBytes, path) : [];
      link = { shared, deleted };
    }
    c.at = data + size;
  }
  return { entries, link };
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

function makeTracked(files: Iterable<string>, dirs: Iterable<string>): TrackedPaths {
  const exact = new Set(files);
  const under = new Set<string>();
  const addParents = (path: string, self: boolean): void => {
    if (self) under.add(path);
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
      const parent = path.slice(0, at);
      if (under.has(parent)) return;
      under.add(parent);
    }
  };
  for (const path of exact) addParents(path, false);
  for (const dir of dirs) addParents(dir, true);
  const sparse = [...dirs];
  return {
    has: (path) => exact.has(path) || sparse.some((d) => path.startsWith(`${d}/`)),
    hasUnder: (dir) => under.has(dir) || sparse.some((d) => dir.startsWith(`${d}/`)),
    size: exact.size,
  };
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
  let entries = parsed.entries;
  if (parsed.link) {
    const sharedPath = join(gitdir, `sharedindex.${parsed.link.shared}`);
    let sharedBuf: Buffer;
    try {
      sharedBuf = readFileSync(sharedPath);
    } catch {
      throw damaged(sharedPath, 'the shared index of a split index is missing');
    }
    const deleted = new Set(parsed.link.deleted);
    // A split index's entries with an empty name replace shared entries (same paths); the others are added.
    const kept = parseIndex(sharedBuf, sharedPath, hashBytes).entries.filter((_, i) => !deleted.has(i));
    entries = [...kept, ...entries.filter((e) => e.path !== '')];
  }
  return makeTracked(
    entries.filter((e) => !e.dir).map((e) => e.path),
    entries.filter((e) => e.dir).map((e) => e.path),
  );
}
