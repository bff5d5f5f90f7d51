import { ensureNoJournal } from './journal.js';
import { openRepo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import type { CaptureProgress } from '../worktree/capture.js';
import type { Skipped } from '../worktree/walk.js';
import { takeSnapshot } from './take-snapshot.js';

export interface SnapshotOptions extends RepoOptions {
  readonly message?: string;
  /** Record a commit even when nothing changed since the last snapshot. */
  readonly allowEmpty?: boolean;
  readonly onProgress?: (progress: CaptureProgress) => void;
}

export interface SnapshotResult {
  readonly commit: string;
  readonly tree: string;
  readonly manifest: string;
  readonly ref: 'snapshots';
  readonly created: boolean;
  readonly files: number;
  readonly hashed: number;
  readonly reused: number;
  readonly skipped: readonly Skipped[];
}

/** `coo snapshot`: records the working tree as a commit on `snapshots`. */
export async function snapshot(options: SnapshotOptions = {}): Promise<SnapshotResult> {
  const repo = await openRepo(options);
  return withLock(repo, 'snapshot', async () => {
    await ensureNoJournal(repo);
    const taken = await takeSnapshot(repo, {
      subject: options.message ?? 'snapshot',
      kind: 'snapshot',
      ...(options.allowEmpty ? { allowEmpty: true } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return {
      commit: taken.commit,
      tree: taken.tree,
      manifest: taken.manifest,
      ref: 'snapshots',
      created: taken.created,
      files: taken.fileCount,
      hashed: taken.hashed,
      reused: taken.reused,
      skipped: taken.skipped,
    };
  });
}
