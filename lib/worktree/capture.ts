import { join } from 'node:path';
import { hashObject } from '../store/git-object.js';
import { objectWriter } from '../store/object-writer.js';
import { hasObject } from '../store/objects.js';
import { writeTreeFromFiles, type FileRecord } from '../store/flat-tree.js';
import { manifestCid } from '../store/manifest.js';
import { cooDirName } from '../store/layout.js';
import { compareUtf8 } from '../util/compare-utf8.js';
import { hashEntry, scratchBytes } from './hash-entry.js';
import { cidAt, emptyStatCache, hasRacyRows, isCleanAt, loadStatCache, modeAt, oidAt, saveStatCache, type StatCache } from './stat-cache.js';
import { walkWorktree, type Skipped, type WalkEntry } from './walk.js';

// A capture turns the working tree into a git tree: walk, reuse what the stat cache vouches for,
// hash (and, when storing, write) the rest, build the trees and the manifest CID. The objects go
// to an ObjectWriter: loose when few, one pack when many.

export interface CapturedFile extends FileRecord {
  readonly size: number;
  readonly cid: string;
}

export interface CaptureResult {
  readonly files: CapturedFile[];
  readonly skipped: Skipped[];
  readonly tree: string;
  readonly manifest: string;
  readonly hashed: number;
  readonly reused: number;
  /** The tree id of every directory of `tree` ('' is the root). */
  readonly trees: ReadonlyMap<string, string>;
  /** Saves the stat cache, once the capture's tree is held by `commit` (only for storing captures). */
  commitCache(commit: string): void;
}

export interface CaptureProgress {
  readonly phase: 'scan' | 'hash';
  readonly done: number;
  readonly total: number | null;
}

export interface CaptureOptions {
  readonly root: string;
  readonly gitdir: string;
  readonly cachePath: string;
  /** The stat cache, if the caller has already read it (with readStatCache) from `cachePath`. */
  readonly cache?: StatCache;
  /** Write objects into the state repo (a snapshot) or only compute ids (a diff). */
  readonly store: boolean;
  /** New files (not in the last capture) larger than this are skipped and recorded; coo's own `.coo/` files never are. */
  readonly maxNewFileBytes: number;
  /** Paths of the previous state, read only if an oversized file is not in the stat cache. */
  readonly previousPaths?: () => Promise<ReadonlySet<string>>;
  readonly onProgress?: (progress: CaptureProgress) => void;
}

/**
 * The trees of `files`, rebuilding (like git's cache-tree) only directories under which a path was
 * added, removed or changed. `changed` are the files whose id or mode differs from the cache's
 * (or that it does not list); `listed` is how many of `files` the cache lists.
 */
function buildTrees(files: readonly CapturedFile[], cache: StatCache, changed: readonly string[], listed: number, store: (content: Buffer) => string): { tree: string; treeIds: Map<string, string> } {
  const dirty = new Set<string>();
  const markDirty = (path: string): void => {
    for (let at = path.lastIndexOf('/'); ; at = path.lastIndexOf('/', at - 1)) {
      const dir = at < 0 ? '' : path.slice(0, at);
      if (dirty.has(dir)) return;
      dirty.add(dir);
      if (at < 0) return;
    }
  };
  for (const path of changed) markDirty(path);
  if (listed !== cache.rows.size) {
    // Some cached path is gone: its directories changed too.
    const present = new Set(files.map((f) => f.path));
    for (const path of cache.rows.keys()) if (!present.has(path)) markDirty(path);
  }
  const treeIds = new Map<string, string>();
  const tree = writeTreeFromFiles(files, (_type, content) => store(content), {
    known: (dir) => (dirty.has(dir) ? undefined : cache.trees.get(dir)),
    record: (dir, oid) => treeIds.set(dir, oid),
  });
  // Directories below a reused one were not visited; nothing under them changed, so their ids stand.
  for (const [dir, oid] of cache.trees) if (!dirty.has(dir) && !treeIds.has(dir)) treeIds.set(dir, oid);
  return { tree, treeIds };
}

export async function captureWorktree(options: CaptureOptions): Promise<CaptureResult> {
  const startedMs = Date.now();
  const progress = options.onProgress;
  const walked = walkWorktree(options.root, progress && ((n) => progress({ phase: 'scan', done: n, total: null })));
  const cache = options.cache ?? (await readStatCache(options.cachePath, options.gitdir));
  const skipped = [...walked.skipped];
  // Per walked entry (by index): the ids it was stored under, once known; undefined for one skipped.
  const entries = walked.entries;
  const oids = new Array<string | undefined>(entries.length);
  const cids = new Array<string>(entries.length);
  const todo: number[] = [];
  let previous: ReadonlySet<string> | undefined;
  let reused = 0;

  const rowOf = new Int32Array(entries.length).fill(-1);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as WalkEntry;
    const row = cache.rows.get(entry.path);
    if (row !== undefined) rowOf[i] = row;
    if (row !== undefined && isCleanAt(cache, row, entry)) {
      oids[i] = oidAt(cache, row);
      cids[i] = cidAt(cache, row);
      reused += 1;
      continue;
    }
    if (entry.mode !== '120000' && entry.size > options.maxNewFileBytes && row === undefined && !entry.path.startsWith(`${cooDirName}/`)) {
      previous ??= options.previousPaths ? await options.previousPaths() : new Set();
      if (!previous.has(entry.path)) {
        skipped.push({ path: entry.path, reason: `new file larger than the capture limit (${entry.size} > ${options.maxNewFileBytes} bytes)` });
        continue;
      }
    }
    todo.push(i);
  }

  // The blobs, then the trees, go to one writer; a failure drops its unfinished pack.
  const writer = options.store ? objectWriter(options.gitdir, todo.length) : null;
  let built: { seen: WalkEntry[]; files: CapturedFile[]; tree: string; treeIds: Map<string, string>; listed: number };
  let hashedBytes = 0;
  try {
    let done = 0;
    const scratch = Buffer.allocUnsafeSlow(scratchBytes);
    for (const i of todo) {
      const row = rowOf[i] as number;
      const outcome = await hashEntry(options, entries[i] as WalkEntry, writer, scratch, row === -1 ? undefined : oidAt(cache, row));
      if ('reason' in outcome) skipped.push(outcome);
      else {
        entries[i] = outcome.entry; // its stat as hashed (taken again if it changed meanwhile)
        hashedBytes += outcome.entry.size;
        oids[i] = outcome.hashed.oid;
        cids[i] = outcome.hashed.cid;
      }
      done += 1;
      if (progress && done % 200 === 0) progress({ phase: 'hash', done, total: todo.length });
    }
    const seen: WalkEntry[] = [];
    const files: CapturedFile[] = [];
    let listed = 0;
    for (let i = 0; i < entries.length; i++) {
      const oid = oids[i];
      if (oid === undefined) continue;
      const w = entries[i] as WalkEntry;
      seen.push(w);
      files.push({ path: w.path, mode: w.mode, oid, size: w.size, cid: cids[i] as string });
      if (rowOf[i] !== -1) listed += 1;
    }
    // Only hashed files can differ from the cache: a reused one is what its row says.
    const changed: string[] = [];
    for (const i of todo) {
      const row = rowOf[i] as number;
      const w = entries[i] as WalkEntry;
      if (oids[i] !== undefined && (row === -1 || oidAt(cache, row) !== oids[i] || modeAt(cache, row) !== w.mode)) changed.push(w.path);
    }
    const { tree, treeIds } = buildTrees(files, cache, changed, listed, (content) => {
      const oid = hashObject('tree', content);
      writer?.put(oid, 'tree', content);
      return oid;
    });
    writer?.close();
    built = { seen, files, tree, treeIds, listed };
  } catch (err) {
    writer?.close(true);
    throw err;
  }
  const { seen, files, tree, treeIds, listed } = built;
  const manifest = manifestCid(files, true); // the walk lists paths in byte order
  skipped.sort((a, b) => compareUtf8(a.path, b.path));
  return {
    files,
    skipped,
    tree,
    manifest,
    hashed: todo.length,
    reused,
    trees: treeIds,
    commitCache(commit) {
      if (!options.store) return;
      // Nothing to learn when the same files were all reused for the same commit.
      const unchanged = commit === cache.commit && todo.length === 0 && reused === cache.rows.size && !hasRacyRows(cache);
      if (unchanged || worthKeeping(cache, todo.length + (cache.rows.size - listed), hashedBytes)) return;
      saveStatCache(options.cachePath, commit, seen, files, treeIds, startedMs);
    },
  };
}

// Writing the cache costs a pass over every file (~10 ms at 10,000 files, more than the rest of a
// small snapshot's hashing and storing); an out-of-date cache costs only re-hashing, next time, the
// files that changed since it was written, each once more until it is written. So, as git's split
// index leaves its shared index alone while few entries change, a capture that changed a few files
// keeps the cache it read: it stays true (every row it holds still describes its commit, which the
// new one descends from), and it is written again once the files it no longer vouches for pass a
// sixty-fourth of it (at least 32) or 4 MiB.
export const cacheDrift = { files: 32, fraction: 1 / 64, bytes: 4 * 1024 * 1024 } as const;

function worthKeeping(cache: StatCache, drifted: number, driftedBytes: number): boolean {
  return cache.commit !== null && drifted <= Math.max(cacheDrift.files, cache.rows.size * cacheDrift.fraction) && driftedBytes <= cacheDrift.bytes;
}

/** The stat cache at `cachePath`, or an empty one if the commit it was saved with is gone. */
export async function readStatCache(cachePath: string, gitdir: string): Promise<StatCache> {
  const cache = loadStatCache(cachePath);
  return cache.commit && !(await hasObject(gitdir, cache.commit)) ? emptyStatCache : cache;
}

export function statCachePath(privateDir: string): string {
  return join(privateDir, 'stat-cache');
}
