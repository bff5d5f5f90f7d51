import { openRepo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { restoreCommit, type RestoreOutcome, type RestoreProgress } from '../state/restore-commit.js';
import { restoreBaselineLocked } from './baseline.js';
import { resolveState } from './resolve-state.js';

// `coo rollback [REF]` lives with the baselines because its default and its safety are theirs: with
// no REF it restores the current AMU0, and a REF that names a baseline is verified before a byte of
// the working tree changes. The restore itself (safety snapshot, plan, journal, writes) is state's.

export interface RollbackOptions extends RepoOptions {
  /** Any state name or id (`snapshots~2`, `amu0/NAME`, `runs/M/1`, an id); default: the current AMU0 baseline. */
  readonly to?: string;
  readonly onProgress?: (p: RestoreProgress) => void;
}

export interface RollbackResult extends RestoreOutcome {
  readonly to: string;
}

/**
 * `coo rollback [REF]`: the working tree becomes byte-identical to REF, after a safety snapshot
 * that `coo undo` returns to. A baseline (named through `amu0`) is verified before it is used.
 */
export async function rollback(options: RollbackOptions = {}): Promise<RollbackResult> {
  const repo = await openRepo(options);
  return withLock(repo, 'rollback', async () => {
    const progress = options.onProgress ? { onProgress: options.onProgress } : {};
    if (options.to === undefined) return { ...(await restoreBaselineLocked(repo, progress)), to: 'amu0' };
    const target = await resolveState(repo, options.to);
    const outcome = await restoreCommit(repo, {
      target: target.commit.oid,
      label: options.to,
      op: 'rollback',
      ...progress,
    });
    return { ...outcome, to: options.to };
  });
}
