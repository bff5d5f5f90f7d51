import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../store/atomic-file.js';
import type { FileMode } from '../store/tree.js';
import type { WalkEntry } from './walk.js';

// What the last capture learned about each file (stat data, git id, SHA-256), so the next one
// re-hashes only files whose stat changed. The racy-timestamp guard of git and jj: a file whose
// mtime falls near or after the moment the capture began may change again within the same
// timestamp tick without its stat changing, so it is stored as racy and re-hashed next time.
// The margin covers filesystems with coarse (up to 2 s) timestamps. (ctime is compared, not
// judged racy: a rewrite that puts the mtime back still moves the ctime.)

export interface CacheEntry {
  readonly mode: FileMode;
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly ino: bigint;
  readonly oid: string;
  readonly sha256: string;
  readonly racy: boolean;
}

const version = 1;
export const racyMarginNs = 2_000_000_000n;

type Row = [string, FileMode, number, string, string, string, string, string, 0 | 1];

export function loadStatCache(path: string): Map<string, CacheEntry> {
  const entries = new Map<string, CacheEntry>();
  let doc: { version?: number; entries?: Row[] };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as typeof doc;
  } catch {
    return entries; // missing or damaged: everything is hashed again, which is always correct
  }
  if (doc.version !== version || !Array.isArray(doc.entries)) return entries;
  for (const [p, mode, size, mtime, ctime, ino, oid, sha256, racy] of doc.entries) {
    entries.set(p, { mode, size, mtimeNs: BigInt(mtime), ctimeNs: BigInt(ctime), ino: BigInt(ino), oid, sha256, racy: racy === 1 });
  }
  return entries;
}

export function isClean(cached: CacheEntry | undefined, seen: WalkEntry): cached is CacheEntry {
  return (
    cached !== undefined &&
    !cached.racy &&
    cached.mode === seen.mode &&
    cached.size === seen.size &&
    cached.mtimeNs === seen.mtimeNs &&
    cached.ctimeNs === seen.ctimeNs &&
    cached.ino === seen.ino
  );
}

export interface Hashed {
  readonly oid: string;
  readonly sha256: string;
}

/** Writes the cache for a capture that began at `startedNs` (wall clock, ns since the epoch). */
export function saveStatCache(path: string, files: ReadonlyArray<readonly [WalkEntry, Hashed]>, startedNs: bigint): void {
  const threshold = startedNs - racyMarginNs;
  const rows: Row[] = files.map(([w, h]) => [
    w.path,
    w.mode,
    w.size,
    String(w.mtimeNs),
    String(w.ctimeNs),
    String(w.ino),
    h.oid,
    h.sha256,
    w.mtimeNs >= threshold ? 1 : 0,
  ]);
  writeFileAtomic(path, JSON.stringify({ version, entries: rows }));
}

export function wallClockNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
