import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../store/atomic-file.js';
import type { FileMode } from '../store/tree.js';
import type { WalkEntry } from './walk.js';

// What the last capture learned about each file (stat data, git id, CID), so the next one
// re-hashes only files whose stat changed.
//
// Racy timestamps, as git and jj guard against them: a file whose mtime falls near or after the
// moment the capture began may change again within the same timestamp tick without its stat
// changing, so it is stored as racy and hashed again next time. The margin covers filesystems
// with coarse (up to 2 s) timestamps. ctime is compared, not judged racy: a rewrite that puts the
// mtime back still moves the ctime.
//
// Validity: the cache names the commit whose tree holds every blob it lists. If that commit is
// gone (a prune), the whole cache is dropped; otherwise every listed object exists, so no entry
// needs its own existence check.

export interface CacheEntry {
  readonly mode: FileMode;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly oid: string;
  readonly cid: string;
  readonly racy: boolean;
}

export interface StatCache {
  /** The commit whose tree holds every listed blob and tree; null for an empty cache. */
  readonly commit: string | null;
  readonly entries: Map<string, CacheEntry>;
  /** Tree id of every directory of that commit ('' is the root): git's cache-tree. */
  readonly trees: Map<string, string>;
}

const version = 3;
export const racyMarginMs = 2000;

// Stored column by column (one array per field): far fewer objects to parse than a row each.
interface Columns {
  readonly version: number;
  readonly commit: string;
  readonly path: string[];
  readonly mode: FileMode[];
  readonly size: number[];
  readonly mtimeMs: number[];
  readonly ctimeMs: number[];
  readonly ino: number[];
  readonly oid: string[];
  readonly cid: string[];
  readonly racy: (0 | 1)[];
  readonly treeDir: string[];
  readonly treeOid: string[];
}

export const emptyStatCache: StatCache = { commit: null, entries: new Map(), trees: new Map() };

/** Reads the cache; the caller drops it if its commit no longer exists. */
export function loadStatCache(path: string): StatCache {
  let doc: Partial<Columns>;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<Columns>;
  } catch {
    return emptyStatCache; // missing or damaged: everything is hashed again, which is always correct
  }
  const n = doc.path?.length ?? -1;
  const columns = [doc.mode, doc.size, doc.mtimeMs, doc.ctimeMs, doc.ino, doc.oid, doc.cid, doc.racy];
  if (doc.version !== version || typeof doc.commit !== 'string' || n < 0 || columns.some((c) => !Array.isArray(c) || c.length !== n)) return emptyStatCache;
  if (!Array.isArray(doc.treeDir) || !Array.isArray(doc.treeOid) || doc.treeDir.length !== doc.treeOid.length) return emptyStatCache;
  const d = doc as Columns;
  const entries = new Map<string, CacheEntry>();
  for (let i = 0; i < n; i++) {
    entries.set(d.path[i] as string, {
      mode: d.mode[i] as FileMode,
      size: d.size[i] as number,
      mtimeMs: d.mtimeMs[i] as number,
      ctimeMs: d.ctimeMs[i] as number,
      ino: d.ino[i] as number,
      oid: d.oid[i] as string,
      cid: d.cid[i] as string,
      racy: d.racy[i] === 1,
    });
  }
  const trees = new Map<string, string>();
  d.treeDir.forEach((dir, i) => trees.set(dir, d.treeOid[i] as string));
  return { commit: d.commit, entries, trees };
}

export function isClean(cached: CacheEntry | undefined, seen: WalkEntry): cached is CacheEntry {
  return (
    cached !== undefined &&
    !cached.racy &&
    cached.mode === seen.mode &&
    cached.size === seen.size &&
    cached.mtimeMs === seen.mtimeMs &&
    cached.ctimeMs === seen.ctimeMs &&
    cached.ino === seen.ino
  );
}

export interface Hashed {
  readonly oid: string;
  readonly cid: string;
}

/** Writes the cache for a capture that began at `startedMs` and was committed as `commit`. */
export function saveStatCache(
  path: string,
  commit: string,
  files: ReadonlyArray<readonly [WalkEntry, Hashed]>,
  trees: ReadonlyMap<string, string>,
  startedMs: number,
): void {
  const threshold = startedMs - racyMarginMs;
  const n = files.length;
  const doc: Columns = {
    version,
    commit,
    path: new Array<string>(n),
    mode: new Array<FileMode>(n),
    size: new Array<number>(n),
    mtimeMs: new Array<number>(n),
    ctimeMs: new Array<number>(n),
    ino: new Array<number>(n),
    oid: new Array<string>(n),
    cid: new Array<string>(n),
    racy: new Array<0 | 1>(n),
    treeDir: [...trees.keys()],
    treeOid: [...trees.values()],
  };
  for (let i = 0; i < n; i++) {
    const [w, h] = files[i] as readonly [WalkEntry, Hashed];
    doc.path[i] = w.path;
    doc.mode[i] = w.mode;
    doc.size[i] = w.size;
    doc.mtimeMs[i] = w.mtimeMs;
    doc.ctimeMs[i] = w.ctimeMs;
    doc.ino[i] = w.ino;
    doc.oid[i] = h.oid;
    doc.cid[i] = h.cid;
    doc.racy[i] = w.mtimeMs >= threshold ? 1 : 0;
  }
  writeFileAtomic(path, JSON.stringify(doc));
}
