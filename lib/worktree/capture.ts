import { join } from 'node:path';
import { hashObject } from '../store/git-object.js';
import { objectWriter, type ObjectWriter } from '../store/object-writer.js';
import { hasObject } from '../store/objects.js';
import type { FileRecord } from '../store/flat-tree.js';
import { cooDirName } from '../store/layout.js';
import { compareUtf8 } from '../core/compare-utf8.js';
import { hashEntry, scratchBytes } from './hash-entry.js';
import { buildTrees, markDirty } from './cache-tree.js';
import { capturedManifest } from './capture-manifest.js';
import {
  cidAt,
  emptyStatCache,
  hasRacyRows,
  isCleanAt,
  loadStatCache,
  modeAt,
  oidAt,
  pathAt,
  saveStatCache,
  type StatCache,
} from './stat-cache.js';
import type { GitSources } from './git-sources.js';
import { walkWorktree, type Skipped, type WalkEntry, type WalkResult } from './walk.js';

// A capture turns the working tree into a git tree: walk, reuse what the stat cache vouches for,
// hash (and, when storing, write) the rest, build the trees and the manifest CID. The objects go
// to an ObjectWriter: loose when few, one pack when many.

export interface CapturedFile extends FileRecord {
  readonly size: number;
  readonly cid: string;
}

export interface CaptureResult {
  /** Built the first time it is read: `coo snapshot` itself needs only `fileCount`. */
  readonly files: CapturedFile[];
  readonly fileCount: number;
  readonly skipped: Skipped[];
  readonly tree: string;
  readonly manifest: string;
  readonly hashed: number;
  readonly reused: number;
  /** The tree id of every directory of `tree` ('' is the root). */
  readonly trees: ReadonlyMap<string, string>;
  /** Directories holding a repository of their own (nested repositories, submodules), whose files were captured. */
  readonly nested: readonly string[];
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
  /** git's sources for the root (its index, `info/exclude`, global excludes); none for a tree git does not know (a quarantine). */
  readonly sources?: GitSources;
  /** Paths coo wrote in the tree, captured whatever the ignore rules say. */
  readonly written?: ReadonlySet<string>;
}

/** What the capture knows of each walked entry (by index), and of the cache rows around them. */
interface Pairing {
  /** The cache row for the entry's path, or -1. */
  readonly rowOf: Int32Array;
  /** The id each entry is stored under, once known; undefined for one skipped. */
  readonly oids: (string | undefined)[];
  /** The CIDs of hashed files (a reused one's is in its row). */
  readonly cids: (string | undefined)[];
  /** 1: the entry's row holds its manifest item. */
  readonly itemKnown: Uint8Array;
  /** The entries to hash: new, changed, or not vouched for by their row. */
  readonly todo: number[];
  /** Directories whose tree must be rebuilt. */
  readonly dirty: Set<string>;
  readonly skipped: Skipped[];
  reused: number;
  /** Cache rows that vouch for no captured file (counted down as hashed files pair up). */
  gone: number;
}

/**
 * Pairs each walked entry with the cache's row for its path in one pass over both, as both list
 * paths in byte order. (A cache in any other order could only leave files unpaired, which costs
 * hashing them again, never a wrong pairing: a pair is made on equal paths alone.) A clean row is
 * reused; an oversized new file is skipped; the rest is left to hash.
 */
async function pairWithCache(walked: WalkResult, cache: StatCache, options: CaptureOptions): Promise<Pairing> {
  const entries = walked.entries;
  const pairing: Pairing = {
    rowOf: new Int32Array(entries.length).fill(-1),
    oids: new Array<string | undefined>(entries.length),
    cids: new Array<string | undefined>(entries.length),
    itemKnown: new Uint8Array(entries.length),
    todo: [],
    dirty: new Set(),
    skipped: [...walked.skipped],
    reused: 0,
    gone: 0,
  };
  const { rowOf, oids, itemKnown, todo, dirty } = pairing;
  let previous: ReadonlySet<string> | undefined;
  let row = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as WalkEntry;
    for (; row < cache.count; row++) {
      const path = pathAt(cache, row);
      if (path === entry.path) {
        rowOf[i] = row++;
        break;
      }
      if (compareUtf8(path, entry.path) > 0) break;
      markDirty(dirty, path); // a file the cache lists is gone
    }
    const at = rowOf[i] as number;
    if (at !== -1 && isCleanAt(cache, at, entry)) {
      oids[i] = oidAt(cache, at);
      itemKnown[i] = 1;
      pairing.reused += 1;
      continue;
    }
    if (
      entry.mode !== '120000' &&
      entry.size > options.maxNewFileBytes &&
      at === -1 &&
      !entry.path.startsWith(`${cooDirName}/`)
    ) {
      previous ??= options.previousPaths ? await options.previousPaths() : new Set();
      if (!previous.has(entry.path)) {
        pairing.skipped.push({
          path: entry.path,
          reason: `new file larger than the capture limit (${entry.size} > ${options.maxNewFileBytes} bytes)`,
        });
        continue;
      }
    }
    todo.push(i);
  }
  pairing.gone = cache.count - pairing.reused;
  for (; row < cache.count; row++) markDirty(dirty, pathAt(cache, row));
  return pairing;
}

/** Hashes (and, when storing, writes) the entries left to hash; returns the bytes hashed. */
async function hashChanged(
  entries: WalkEntry[],
  pairing: Pairing,
  cache: StatCache,
  options: CaptureOptions,
  writer: ObjectWriter | null,
): Promise<number> {
  const { rowOf, oids, cids, itemKnown, todo, dirty } = pairing;
  const progress = options.onProgress;
  let hashedBytes = 0;
  let done = 0;
  const scratch = Buffer.allocUnsafeSlow(scratchBytes);
  for (const i of todo) {
    const row = rowOf[i] as number;
    const outcome = await hashEntry(
      options,
      entries[i] as WalkEntry,
      writer,
      scratch,
      row === -1 ? undefined : oidAt(cache, row),
    );
    if ('reason' in outcome) pairing.skipped.push(outcome);
    else {
      entries[i] = outcome.entry; // its stat as hashed (taken again if it changed meanwhile)
      hashedBytes += outcome.entry.size;
      oids[i] = outcome.hashed.oid;
      cids[i] = outcome.hashed.cid;
    }
    done += 1;
    if (progress && done % 200 === 0) progress({ phase: 'hash', done, total: todo.length });
  }
  // Only hashed files can differ from the cache: a reused one is what its row says. A hashed
  // file with its row's id and mode has its row's manifest item too (the same bytes, so the
  // same CID).
  for (const i of todo) {
    const at = rowOf[i] as number;
    const w = entries[i] as WalkEntry;
    if (oids[i] === undefined) {
      if (at !== -1) markDirty(dirty, w.path); // captured before, skipped now
      continue;
    }
    if (at !== -1) pairing.gone -= 1;
    if (at !== -1 && oidAt(cache, at) === oids[i] && modeAt(cache, at) === w.mode) itemKnown[i] = 1;
    else markDirty(dirty, w.path);
  }
  return hashedBytes;
}

export async function captureWorktree(options: CaptureOptions): Promise<CaptureResult> {
  const startedMs = Date.now();
  const progress = options.onProgress;
  const walked = walkWorktree(options.root, {
    ...(options.sources ? { sources: options.sources } : {}),
    ...(options.written ? { written: options.written } : {}),
    ...(progress ? { onProgress: (n: number) => progress({ phase: 'scan', done: n, total: null }) } : {}),
  });
  const cache = options.cache ?? (await readStatCache(options.cachePath, options.gitdir));
  const entries = walked.entries;
  const pairing = await pairWithCache(walked, cache, options);
  const { oids, cids, rowOf, itemKnown, todo, skipped } = pairing;

  // The blobs, then the trees, go to one writer; a failure drops its unfinished pack.
  const writer = options.store ? objectWriter(options.gitdir, todo.length) : null;
  let built: { tree: string; treeIds: Map<string, string>; hashedBytes: number };
  try {
    const hashedBytes = await hashChanged(entries, pairing, cache, options, writer);
    const { tree, treeIds } = buildTrees(entries, oids, walked.dirEnds, pairing.dirty, cache, (content) => {
      const oid = hashObject('tree', content);
      writer?.put(oid, 'tree', content);
      return oid;
    });
    writer?.close();
    built = { tree, treeIds, hashedBytes };
  } catch (err) {
    writer?.close(true);
    throw err;
  }
  const { tree, treeIds, hashedBytes } = built;

  const manifest = capturedManifest({ entries, oids, cids, rowOf, itemKnown }, cache);

  let listed: { seen: WalkEntry[]; files: CapturedFile[] } | undefined;
  const list = (): { seen: WalkEntry[]; files: CapturedFile[] } => {
    if (listed) return listed;
    const seen: WalkEntry[] = [];
    const files: CapturedFile[] = [];
    for (let i = 0; i < entries.length; i++) {
      const oid = oids[i];
      if (oid === undefined) continue;
      const w = entries[i] as WalkEntry;
      seen.push(w);
      files.push({ path: w.path, mode: w.mode, oid, size: w.size, cid: cids[i] ?? cidAt(cache, rowOf[i] as number) });
    }
    listed = { seen, files };
    return listed;
  };
  skipped.sort((a, b) => compareUtf8(a.path, b.path));
  return {
    get files() {
      return list().files;
    },
    fileCount: manifest.fileCount,
    skipped,
    tree,
    manifest: manifest.cid,
    hashed: todo.length,
    reused: pairing.reused,
    trees: treeIds,
    nested: walked.nested,
    commitCache(commit) {
      if (!options.store) return;
      // Nothing to learn when the same files were all reused for the same commit.
      const unchanged =
        commit === cache.commit && todo.length === 0 && pairing.reused === cache.count && !hasRacyRows(cache);
      if (unchanged || worthKeeping(cache, todo.length + pairing.gone, hashedBytes)) return;
      const { seen, files } = list();
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
  return (
    cache.commit !== null &&
    drifted <= Math.max(cacheDrift.files, cache.count * cacheDrift.fraction) &&
    driftedBytes <= cacheDrift.bytes
  );
}

/** The stat cache at `cachePath`, or an empty one if the commit it was saved with is gone. */
export async function readStatCache(cachePath: string, gitdir: string): Promise<StatCache> {
  const cache = loadStatCache(cachePath);
  return cache.commit && !(await hasObject(gitdir, cache.commit)) ? emptyStatCache : cache;
}

export function statCachePath(privateDir: string): string {
  return join(privateDir, 'stat-cache');
}
