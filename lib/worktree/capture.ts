import { createHash, hash } from 'node:crypto';
import { closeSync, createReadStream, lstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { CooError, ioError } from '../errors/coo-error.js';
import { hashObject, objectHeader } from '../store/git-object.js';
import { writeBlobFromFile } from '../store/loose-objects.js';
import { objectWriter, type ObjectWriter } from '../store/object-writer.js';
import { hasObject } from '../store/objects.js';
import { writeTreeFromFiles, type FileRecord } from '../store/flat-tree.js';
import { blobCid, manifestCid } from '../store/manifest.js';
import { cooDirName } from '../store/layout.js';
import { compareUtf8 } from '../util/compare-utf8.js';
import { cidAt, emptyStatCache, hasRacyRows, isCleanAt, loadStatCache, modeAt, oidAt, saveStatCache, type Hashed, type StatCache } from './stat-cache.js';
import { fileModeOf, walkEntryOf, walkWorktree, type Skipped, type WalkEntry } from './walk.js';

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

const streamAbove = 2 * 1024 * 1024;

function sha256Cid(sha256: Buffer): string {
  return blobCid(sha256);
}

async function hashFileStreaming(abs: string, size: number): Promise<Hashed> {
  const sha1 = createHash('sha1').update(objectHeader('blob', size));
  const sha256 = createHash('sha256');
  let seen = 0;
  for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    seen += chunk.length;
    sha1.update(chunk);
    sha256.update(chunk);
  }
  if (seen !== size) throw new CooError('E_FILE_CHANGED_DURING_CAPTURE', `${abs} changed size while it was read`, { path: abs });
  return { oid: sha1.digest('hex'), cid: sha256Cid(sha256.digest()) };
}

// Files up to `streamAbove` are read into one reused buffer, behind room for the object header,
// so that hashing 50,000 small files allocates nothing per file (the content and two hashes of
// each used to be garbage, and the heap grew by their sum before a collection came).
const headerRoom = 32;

interface ReadBlob {
  /** `blob <size>\0` and the content: what the git id hashes. */
  readonly whole: Buffer;
  readonly content: Buffer;
}

function blobOf(scratch: Buffer, content: Buffer): ReadBlob {
  return readInto(scratch, content.length, (target) => content.copy(target));
}

function readInto(scratch: Buffer, size: number, fill: (target: Buffer) => number): ReadBlob {
  const got = fill(scratch.subarray(headerRoom));
  const header = objectHeader('blob', got);
  header.copy(scratch, headerRoom - header.length);
  return { whole: scratch.subarray(headerRoom - header.length, headerRoom + got), content: scratch.subarray(headerRoom, headerRoom + got) };
}

/** Reads a file expected to hold `size` bytes; null if it holds more (it grew since its stat). */
function readBlob(scratch: Buffer, abs: string, size: number): ReadBlob | null {
  const fd = openSync(abs, 'r');
  try {
    // One byte more than expected is asked for, to see a file that grew.
    return readInto(scratch, size, (target) => {
      let got = 0;
      for (let n = -1; n !== 0 && got <= size; got += n) n = readSync(fd, target, got, Math.min(size + 1, target.length) - got, null);
      return got;
    });
  } finally {
    closeSync(fd);
  }
}

async function hashEntry(options: CaptureOptions, entry: WalkEntry, writer: ObjectWriter | null, scratch: Buffer): Promise<{ entry: WalkEntry; hashed: Hashed } | Skipped> {
  const abs = join(options.root, entry.path);
  let current = entry;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      if (current.mode !== '120000' && current.size > streamAbove) {
        if (!writer) return { entry: current, hashed: await hashFileStreaming(abs, current.size) };
        const blob = await writeBlobFromFile(options.gitdir, abs, current.size);
        return { entry: current, hashed: { oid: blob.oid, cid: sha256Cid(blob.sha256) } };
      }
      const object = current.mode === '120000' ? blobOf(scratch, readlinkSync(abs, { encoding: 'buffer' })) : readBlob(scratch, abs, current.size);
      if (object && object.content.length === current.size) {
        const oid = hash('sha1', object.whole, 'hex');
        const cid = sha256Cid(hash('sha256', object.content, 'buffer'));
        writer?.put(oid, 'blob', object.content);
        return { entry: current, hashed: { oid, cid } };
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { path: entry.path, reason: 'deleted while the snapshot was taken' };
      if (code !== 'E_FILE_CHANGED_DURING_CAPTURE') throw ioError(err, `reading ${entry.path}`);
    }
    // It changed between stat and read: take its stat again and retry.
    const stat = lstatSync(abs, { throwIfNoEntry: false });
    const mode = stat && fileModeOf(stat);
    if (!stat || !mode) return { path: entry.path, reason: 'replaced while the snapshot was taken' };
    current = walkEntryOf(entry.path, stat, mode);
  }
  throw new CooError('E_FILE_CHANGED_DURING_CAPTURE', `${entry.path} kept changing while it was read`, { path: entry.path });
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
  let built: { seen: WalkEntry[]; files: CapturedFile[]; tree: string; treeIds: Map<string, string> };
  try {
    let done = 0;
    const scratch = Buffer.allocUnsafeSlow(headerRoom + streamAbove + 1);
    for (const i of todo) {
      const outcome = await hashEntry(options, entries[i] as WalkEntry, writer, scratch);
      if ('reason' in outcome) skipped.push(outcome);
      else {
        entries[i] = outcome.entry; // its stat as hashed (taken again if it changed meanwhile)
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
    built = { seen, files, tree, treeIds };
  } catch (err) {
    writer?.close(true);
    throw err;
  }
  const { seen, files, tree, treeIds } = built;
  const manifest = manifestCid(files);
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
      // Nothing to learn when the same files were all reused for the same commit.
      const unchanged = commit === cache.commit && todo.length === 0 && reused === cache.rows.size && !hasRacyRows(cache);
      if (options.store && !unchanged) saveStatCache(options.cachePath, commit, seen, files, treeIds, startedMs);
    },
  };
}

/** The stat cache at `cachePath`, or an empty one if the commit it was saved with is gone. */
export async function readStatCache(cachePath: string, gitdir: string): Promise<StatCache> {
  const cache = loadStatCache(cachePath);
  return cache.commit && !(await hasObject(gitdir, cache.commit)) ? emptyStatCache : cache;
}

export function statCachePath(privateDir: string): string {
  return join(privateDir, 'stat-cache');
}
