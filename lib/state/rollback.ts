import { CooError } from '../core/coo-error.js';
import { resolveCommit } from '../store/rev-parse.js';
import { readJournal } from './journal.js';
import { listOperations } from './oplog.js';
import { openRepo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { restoreBaselineLocked } from '../baseline/baseline.js';
import { amu0Ref, baselineTagPrefix } from '../baseline/sequence.js';
import { verifyBaseline } from '../baseline/verify-baseline.js';
import { restoreCommit, type RestoreOutcome, type RestoreProgress } from './restore-commit.js';

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
    const resolved = await resolveCommit(repo.layout.gitdir, options.to);
    if (resolved.ref === amu0Ref || resolved.ref?.startsWith(baselineTagPrefix)) {
      await verifyBaseline(repo, resolved.oid, { current: resolved.ref === amu0Ref });
    }
    const outcome = await restoreCommit(repo, { target: resolved.oid, label: options.to, op: 'rollback', ...progress });
    return { ...outcome, to: options.to };
  });
}

export interface UndoOptions extends RepoOptions {
  readonly onProgress?: (p: RestoreProgress) => void;
}

const rewrites = new Set(['rollback', 'undo', 'baseline-restore', 'write']);

/** `coo undo`: returns the working tree to the safety snapshot of the last (or interrupted) rewrite: a rollback, restore, undo or gateway write. */
export async function undo(options: UndoOptions = {}): Promise<RollbackResult> {
  const repo = await openRepo(options);
  return withLock(repo, 'undo', async () => {
    const interrupted = await readJournal(repo);
    let safety = interrupted?.safety;
    if (!safety) {
      const [last] = await listOperations(repo, 1);
      if (!last || !rewrites.has(last.record.op) || typeof last.record['safety'] !== 'string') {
        throw new CooError('E_NOTHING_TO_UNDO', `the last operation (${last?.record.op ?? 'none'}) did not rewrite the working tree`, {
          last: last?.record.op ?? null,
        });
      }
      safety = last.record['safety'] as string;
    }
    const outcome = await restoreCommit(repo, {
      target: safety,
      label: `safety snapshot ${safety.slice(0, 12)}`,
      op: 'undo',
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return { ...outcome, to: safety };
  });
}
