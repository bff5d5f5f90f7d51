import { readFlatTree } from '../store/flat-tree.js';
import { readRef, updateRef } from '../store/refs.js';
import { readCommit } from '../store/rev-parse.js';
import {
  captureWorktree,
  statCachePath,
  type CaptureProgress,
  type CapturedFile,
  type CaptureResult,
} from '../worktree/capture.js';
import { captureRules } from '../worktree/capture-now.js';
import type { StatCache } from '../worktree/stat-cache.js';
import type { Skipped } from '../worktree/walk.js';
import { gitHeadTrailers, nestedBody, readGitHeads, type GitHeads } from './git-heads.js';
import { appendOperation } from './oplog.js';
import type { Repo } from '../store/repo.js';
import { writeStateCommit } from '../store/state-commit.js';

// The snapshot step itself, run by `coo snapshot` (on `snapshots`) and as the safety snapshot
// before every working-tree rewrite (on `safety`), in two halves: the capture (objects stored,
// nothing recorded) and the record (commit, ref, operation log). A rewrite judges what it is about
// to do between the two, so a refused rewrite moves no ref. The caller holds the repository lock.

export const snapshotsRef = 'refs/heads/snapshots';
/** Safety snapshots (taken before every working-tree rewrite) have a history of their own, so
 * `snapshots` stays exactly the user's `coo snapshot` history and `coo rollback snapshots` is
 * idempotent. */
export const safetyRef = 'refs/heads/safety';

export interface TakenSnapshot {
  readonly commit: string;
  readonly tree: string;
  readonly manifest: string;
  /** False when the tree equals the latest snapshot's, which is then returned as is. */
  readonly created: boolean;
  /** Built the first time it is read (`fileCount` needs no list). */
  readonly files: readonly CapturedFile[];
  readonly fileCount: number;
  readonly skipped: readonly Skipped[];
  readonly hashed: number;
  readonly reused: number;
  /** The tree id of every directory of `tree`. */
  readonly trees: ReadonlyMap<string, string>;
}

export interface TakeSnapshotOptions {
  readonly subject: string;
  readonly kind: 'snapshot' | 'safety';
  readonly allowEmpty?: boolean;
  readonly onProgress?: (progress: CaptureProgress) => void;
  /** The stat cache, if the caller has read it already. */
  readonly cache?: StatCache;
}

function skippedBody(skipped: readonly Skipped[]): string | null {
  if (skipped.length === 0) return null;
  const lines = skipped.map((s) => `  ${JSON.stringify(s.path)}: ${s.reason}`);
  return `Skipped ${skipped.length} path${skipped.length === 1 ? '' : 's'}:\n${lines.join('\n')}`;
}

/** A capture of the working tree whose objects are stored, not yet recorded as a commit. */
export interface CapturedSnapshot {
  readonly capture: CaptureResult;
  /** git's HEAD and the nested repositories' HEADs, as they were at the capture. */
  readonly heads: GitHeads;
  readonly kind: 'snapshot' | 'safety';
  /** The tip of the ref the snapshot goes on, as read before the capture. */
  readonly tip: string | null;
}

/** Captures the working tree for a snapshot, storing its objects but recording nothing yet (no commit, no ref). */
export async function captureSnapshot(
  repo: Repo,
  options: { kind: 'snapshot' | 'safety'; cache?: StatCache; onProgress?: (progress: CaptureProgress) => void },
): Promise<CapturedSnapshot> {
  const { gitdir, privateDir } = repo.layout;
  const tip = readRef(gitdir, options.kind === 'snapshot' ? snapshotsRef : safetyRef);
  const capture = await captureWorktree({
    root: repo.layout.root,
    gitdir,
    cachePath: statCachePath(privateDir),
    store: true,
    maxNewFileBytes: repo.config.capture.maxNewFileBytes,
    ...(await captureRules(repo)),
    previousPaths: async () =>
      tip
        ? new Set((await readFlatTree(gitdir, (await readCommit(gitdir, tip)).tree)).files.map((f) => f.path))
        : new Set(),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
  });
  return { capture, heads: readGitHeads(repo, capture.nested), kind: options.kind, tip };
}

/** Records a captured snapshot on its ref (and, for `coo snapshot`, in the operation log); the tip is returned as is when nothing changed. */
export async function recordSnapshot(
  repo: Repo,
  captured: CapturedSnapshot,
  options: { subject: string; allowEmpty?: boolean },
): Promise<TakenSnapshot> {
  const { gitdir } = repo.layout;
  const { capture, tip, kind } = captured;
  const taken = (commit: string, created: boolean): TakenSnapshot => ({
    commit,
    created,
    tree: capture.tree,
    manifest: capture.manifest,
    get files() {
      return capture.files;
    },
    fileCount: capture.fileCount,
    skipped: capture.skipped,
    hashed: capture.hashed,
    reused: capture.reused,
    trees: capture.trees,
  });
  if (tip && !options.allowEmpty && (await readCommit(gitdir, tip)).tree === capture.tree) {
    capture.commitCache(tip);
    return taken(tip, false);
  }
  const commit = writeStateCommit(repo, {
    tree: capture.tree,
    parents: tip ? [tip] : [],
    subject: options.subject,
    body: [skippedBody(capture.skipped), nestedBody(captured.heads)].filter((b) => b !== null).join('\n\n') || null,
    manifest: capture.manifest,
    trailers: [
      ['Coo-Op', kind],
      ['Coo-Files', String(capture.fileCount)],
      ['Coo-Skipped', String(capture.skipped.length)],
      ...gitHeadTrailers(captured.heads),
    ],
  });
  updateRef(gitdir, kind === 'snapshot' ? snapshotsRef : safetyRef, commit, tip);
  capture.commitCache(commit);
  if (kind === 'snapshot') {
    appendOperation(repo, {
      subject: `snapshot ${commit.slice(0, 12)}: ${options.subject}`,
      record: {
        op: 'snapshot',
        commit,
        files: capture.fileCount,
        skipped: capture.skipped,
        ...(captured.heads.head ? { gitHead: captured.heads.head } : {}),
      },
      tree: capture.tree,
      manifest: capture.manifest,
    });
  }
  return taken(commit, true);
}

/** Captures and records in one step (`coo snapshot`, a baseline's snapshot). */
export async function takeSnapshot(repo: Repo, options: TakeSnapshotOptions): Promise<TakenSnapshot> {
  const captured = await captureSnapshot(repo, {
    kind: options.kind,
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return recordSnapshot(repo, captured, {
    subject: options.subject,
    ...(options.allowEmpty ? { allowEmpty: true } : {}),
  });
}
