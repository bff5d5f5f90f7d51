import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CooError, ioError } from '../errors/coo-error.js';
import { hashObject, objectHeader, type ObjectType } from '../store/git-object.js';
import { inParallel, writeBlobFromFile, writeObjectAsync } from '../store/loose-objects.js';
import { hasObject } from '../store/objects.js';
import { writeTreeFromFiles, type FileRecord } from '../store/flat-tree.js';
import { blobCid, manifestCid } from '../store/manifest.js';
import { cooDirName } from '../store/layout.js';
import { compareUtf8 } from '../util/compare-utf8.js';
import { emptyStatCache, isClean, loadStatCache, saveStatCache, type Hashed } from './stat-cache.js';
import { fileModeOf, walkEntryOf, walkWorktree, type Skipped, type WalkEntry } from './walk.js';

// A capture turns the working tree into a git tree: walk, reuse what the stat cache vouches for,
// hash (and, when storing, write) the rest, build the trees and the manifest CID. Hashing runs on
// the main thread; compressing and writing objects run on libuv's thread pool, many at once.

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
  /** Write objects into the state repo (a snapshot) or only compute ids (a diff). */
  readonly store: boolean;
  /** New files (not in the last capture) larger than this are skipped and recorded; coo's own `.coo/` files never are. */
  readonly maxNewFileBytes: number;
  /** Paths of the previous state, read only if an oversized file is not in the stat cache. */
  readonly previousPaths?: () => Promise<ReadonlySet<string>>;
  readonly onProgress?: (progress: CaptureProgress) => void;
}

const streamAbove = 2 * 1024 * 1024;
const inFlight = 16;

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

async function hashEntry(options: CaptureOptions, entry: WalkEntry): Promise<{ entry: WalkEntry; hashed: Hashed } | Skipped> {
  const abs = join(options.root, entry.path);
  let current = entry;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      if (current.mode !== '120000' && current.size > streamAbove) {
        if (!options.store) return { entry: current, hashed: await hashFileStreaming(abs, current.size) };
        const blob = await writeBlobFromFile(options.gitdir, abs, current.size);
        return { entry: current, hashed: { oid: blob.oid, cid: sha256Cid(blob.sha256) } };
      }
      const content = current.mode === '120000' ? readlinkSync(abs, { encoding: 'buffer' }) : readFileSync(abs);
      if (content.length === current.size) {
        const oid = hashObject('blob', content);
        const cid = sha256Cid(createHash('sha256').update(content).digest());
        if (options.store) await writeObjectAsync(options.gitdir, oid, 'blob', content);
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

export async function captureWorktree(options: CaptureOptions): Promise<CaptureResult> {
  const startedMs = Date.now();
  const progress = options.onProgress;
  const walked = walkWorktree(options.root, progress && ((n) => progress({ phase: 'scan', done: n, total: null })));
  let cache = loadStatCache(options.cachePath);
  if (cache.commit && !(await hasObject(options.gitdir, cache.commit))) cache = emptyStatCache;
  const skipped = [...walked.skipped];
  const results = new Map<string, readonly [WalkEntry, Hashed]>();
  const todo: WalkEntry[] = [];
  let previous: ReadonlySet<string> | undefined;
  let reused = 0;

  for (const entry of walked.entries) {
    const cached = cache.entries.get(entry.path);
    if (isClean(cached, entry)) {
      results.set(entry.path, [entry, cached]);
      reused += 1;
      continue;
    }
    if (entry.mode !== '120000' && entry.size > options.maxNewFileBytes && !cache.entries.has(entry.path) && !entry.path.startsWith(`${cooDirName}/`)) {
      previous ??= options.previousPaths ? await options.previousPaths() : new Set();
      if (!previous.has(entry.path)) {
        skipped.push({ path: entry.path, reason: `new file larger than the capture limit (${entry.size} > ${options.maxNewFileBytes} bytes)` });
        continue;
      }
    }
    todo.push(entry);
  }

  let done = 0;
  await inParallel(todo, inFlight, async (entry) => {
    const outcome = await hashEntry(options, entry);
    if ('reason' in outcome) skipped.push(outcome);
    else results.set(entry.path, [outcome.entry, outcome.hashed]);
    done += 1;
    if (progress && done % 200 === 0) progress({ phase: 'hash', done, total: todo.length });
  });

  const ordered = walked.entries.map((e) => results.get(e.path)).filter((r): r is readonly [WalkEntry, Hashed] => r !== undefined);
  const files: CapturedFile[] = ordered.map(([w, h]) => ({ path: w.path, mode: w.mode, oid: h.oid, size: w.size, cid: h.cid }));
  // Cache-tree: a directory is rebuilt only if a path under it was added, removed or changed.
  const dirty = new Set<string>();
  const markDirty = (path: string): void => {
    for (let at = path.lastIndexOf('/'); ; at = path.lastIndexOf('/', at - 1)) {
      const dir = at < 0 ? '' : path.slice(0, at);
      if (dirty.has(dir)) return;
      dirty.add(dir);
      if (at < 0) return;
    }
  };
  for (const file of files) {
    const cached = cache.entries.get(file.path);
    if (!cached || cached.oid !== file.oid || cached.mode !== file.mode) markDirty(file.path);
  }
  if (files.length !== cache.entries.size || dirty.size > 0) {
    const present = new Set(files.map((f) => f.path));
    for (const path of cache.entries.keys()) if (!present.has(path)) markDirty(path);
  }
  const trees: [string, ObjectType, Buffer][] = [];
  const treeIds = new Map<string, string>();
  const tree = writeTreeFromFiles(
    files,
    (type, content) => {
      const oid = hashObject(type, content);
      trees.push([oid, type, content]);
      return oid;
    },
    { known: (dir) => (dirty.has(dir) ? undefined : cache.trees.get(dir)), record: (dir, oid) => treeIds.set(dir, oid) },
  );
  // Directories below a reused one were not visited; nothing under them changed, so their ids stand.
  for (const [dir, oid] of cache.trees) if (!dirty.has(dir) && !treeIds.has(dir)) treeIds.set(dir, oid);
  if (options.store) await inParallel(trees, inFlight, ([oid, type, content]) => writeObjectAsync(options.gitdir, oid, type, content));
  const manifest = manifestCid(files);
  skipped.sort((a, b) => compareUtf8(a.path, b.path));
  return {
    files,
    skipped,
    tree,
    manifest,
    hashed: todo.length,
    reused,
    commitCache(commit) {
      // Nothing to learn when the same files were all reused for the same commit.
      let unchanged = commit === cache.commit && todo.length === 0 && reused === cache.entries.size;
      if (unchanged) for (const entry of cache.entries.values()) if (entry.racy) unchanged = false;
      if (options.store && !unchanged) saveStatCache(options.cachePath, commit, ordered, treeIds, startedMs);
    },
  };
}

export function statCachePath(privateDir: string): string {
  return join(privateDir, 'stat-cache.json');
}
