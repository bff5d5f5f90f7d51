import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CooError, ioError } from '../errors/coo-error.js';
import { objectHeader, hashObject, type ObjectType } from '../store/git-object.js';
import { hasLooseObject, writeBlobAsync, writeBlobFromFile, writeObject } from '../store/loose-objects.js';
import { hasObject, hasPacks } from '../store/objects.js';
import { writeTreeFromFiles, type FileRecord } from '../store/flat-tree.js';
import { blobCid, manifestCid } from '../store/manifest.js';
import { compareUtf8 } from '../util/compare-utf8.js';
import { isClean, loadStatCache, saveStatCache, wallClockNs, type Hashed } from './stat-cache.js';
import { fileModeOf, walkWorktree, type Skipped, type WalkEntry } from './walk.js';

// A capture turns the working tree into a git tree: walk, reuse what the stat cache vouches for,
// hash (and, when storing, write) the rest, build the trees and the manifest CID. Reading and
// hashing overlap with compression, which zlib runs on libuv's thread pool.

export interface CapturedFile extends FileRecord {
  readonly size: number;
  readonly sha256: string;
}

export interface CaptureResult {
  readonly files: CapturedFile[];
  readonly skipped: Skipped[];
  readonly tree: string;
  readonly manifest: string;
  readonly hashed: number;
  readonly reused: number;
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
  /** New files (not in the last capture) larger than this are skipped and recorded. */
  readonly maxNewFileBytes: number;
  /** Paths of the previous state, read only if an oversized file is not in the stat cache. */
  readonly previousPaths?: () => Promise<ReadonlySet<string>>;
  readonly onProgress?: (progress: CaptureProgress) => void;
}

const streamAbove = 2 * 1024 * 1024;
const parallel = 8;

function readContent(abs: string, entry: WalkEntry): Buffer {
  return entry.mode === '120000' ? readlinkSync(abs, { encoding: 'buffer' }) : readFileSync(abs);
}

async function hashEntry(options: CaptureOptions, entry: WalkEntry): Promise<{ entry: WalkEntry; hashed: Hashed } | Skipped> {
  const abs = join(options.root, entry.path);
  let current = entry;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      if (current.mode !== '120000' && current.size > streamAbove) {
        if (options.store) {
          const blob = await writeBlobFromFile(options.gitdir, abs, current.size);
          return { entry: current, hashed: { oid: blob.oid, sha256: blob.sha256.toString('hex') } };
        }
        return { entry: current, hashed: await hashFileStreaming(abs, current.size) };
      }
      const content = readContent(abs, current);
      if (content.length === current.size) {
        const oid = hashObject('blob', content);
        const sha256 = createHash('sha256').update(content).digest('hex');
        if (options.store) await writeBlobAsync(options.gitdir, oid, content);
        return { entry: current, hashed: { oid, sha256 } };
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { path: entry.path, reason: 'deleted while the snapshot was taken' };
      if ((err as CooError).code !== 'E_FILE_CHANGED_DURING_CAPTURE') throw ioError(err, `reading ${entry.path}`);
    }
    // It changed between stat and read: take its stat again and retry.
    const stat = lstatSync(abs, { bigint: true, throwIfNoEntry: false });
    const mode = stat && fileModeOf(stat);
    if (!stat || !mode) return { path: entry.path, reason: 'replaced while the snapshot was taken' };
    current = { path: entry.path, mode, size: Number(stat.size), mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, ino: stat.ino };
  }
  throw new CooError('E_FILE_CHANGED_DURING_CAPTURE', `${entry.path} kept changing while it was read`, { path: entry.path });
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
  return { oid: sha1.digest('hex'), sha256: sha256.digest('hex') };
}

export async function captureWorktree(options: CaptureOptions): Promise<CaptureResult> {
  const startedNs = wallClockNs();
  const progress = options.onProgress;
  const walked = walkWorktree(options.root, progress && ((n) => progress({ phase: 'scan', done: n, total: null })));
  const cache = loadStatCache(options.cachePath);
  const packed = hasPacks(options.gitdir);
  const skipped = [...walked.skipped];
  const results = new Map<string, readonly [WalkEntry, Hashed]>();
  const todo: WalkEntry[] = [];
  let previous: ReadonlySet<string> | undefined;
  let reused = 0;

  for (const entry of walked.entries) {
    const cached = cache.get(entry.path);
    if (isClean(cached, entry) && (!options.store || hasLooseObject(options.gitdir, cached.oid) || (packed && (await hasObject(options.gitdir, cached.oid))))) {
      results.set(entry.path, [entry, cached]);
      reused += 1;
      continue;
    }
    if (entry.mode !== '120000' && entry.size > options.maxNewFileBytes && !cache.has(entry.path)) {
      previous ??= options.previousPaths ? await options.previousPaths() : new Set();
      if (!previous.has(entry.path)) {
        skipped.push({ path: entry.path, reason: `new file larger than the capture limit (${entry.size} > ${options.maxNewFileBytes} bytes)` });
        continue;
      }
    }
    todo.push(entry);
  }

  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const entry = todo[next++] as WalkEntry;
      const outcome = await hashEntry(options, entry);
      if ('reason' in outcome) skipped.push(outcome);
      else results.set(entry.path, [outcome.entry, outcome.hashed]);
      done += 1;
      if (progress && done % 200 === 0) progress({ phase: 'hash', done, total: todo.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, todo.length) }, worker));

  const ordered = walked.entries.map((e) => results.get(e.path)).filter((r): r is readonly [WalkEntry, Hashed] => r !== undefined);
  const files: CapturedFile[] = ordered.map(([w, h]) => ({ path: w.path, mode: w.mode, oid: h.oid, size: w.size, sha256: h.sha256 }));
  const store = options.store
    ? (type: ObjectType, content: Buffer) => writeObject(options.gitdir, type, content)
    : (type: ObjectType, content: Buffer) => hashObject(type, content);
  const tree = writeTreeFromFiles(files, store);
  const manifest = manifestCid(files.map((f) => ({ path: f.path, mode: f.mode, cid: blobCid(Buffer.from(f.sha256, 'hex')) })));
  if (options.store) saveStatCache(options.cachePath, ordered, startedNs);
  skipped.sort((a, b) => compareUtf8(a.path, b.path));
  return { files, skipped, tree, manifest, hashed: todo.length, reused };
}

export function statCachePath(privateDir: string): string {
  return join(privateDir, 'stat-cache.json');
}
