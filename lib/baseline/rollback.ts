import { openRepo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { applyRestore, planRestore, type RestoreOutcome, type RestoreProgress } from '../state/restore-commit.js';
import { previewRestore, type RestorePreview } from '../state/restore-preview.js';
import { resolveBaselineLocked } from './baseline.js';
import { resolveState } from './resolve-state.js';

// `coo rollback [REF] [-- PATH…]` lives with the baselines because its default and its safety are
// theirs: with no REF it restores the current AMU0, and a REF that names a baseline is verified
// before a byte of the working tree changes. The restore itself (plan and judge, safety snapshot,
// journal, writes) is state's.

export interface RollbackOptions extends RepoOptions {
  /** Any state name or id (`snapshots~2`, `amu0/NAME`, `runs/M/1`, an id); default: the current AMU0 baseline. */
  readonly to?: string;
  /**
   * Repository-relative pathspecs, as git reads them (`src/a.js`, `lib/`, `*.js`, `:/x`): only the
   * paths they match are restored, and everything else stays exactly as it is. Each must match a
   * path of REF or of the working tree (E_PATHSPEC_NO_MATCH).
   */
  readonly paths?: readonly string[];
  /** Plan and judge the rollback, list what it would change, and change nothing: no file, ref or log entry. */
  readonly dryRun?: boolean;
  readonly onProgress?: (p: RestoreProgress) => void;
}

export interface RollbackResult extends RestoreOutcome {
  readonly to: string;
}

export interface RollbackPreview extends RestorePreview {
  readonly to: string;
}

/**
 * `coo rollback [REF]`: the working tree (or the paths given) becomes byte-identical to REF, after
 * a safety snapshot that `coo undo` returns to. A baseline (named through `amu0`) is verified
 * before it is used.
 */
export async function rollback(options: RollbackOptions & { dryRun: true }): Promise<RollbackPreview>;
export async function rollback(options?: RollbackOptions & { dryRun?: false }): Promise<RollbackResult>;
export async function rollback(options?: RollbackOptions): Promise<RollbackResult | RollbackPreview>;
export async function rollback(options: RollbackOptions = {}): Promise<RollbackResult | RollbackPreview> {
  const repo = await openRepo(options);
  return withLock(repo, 'rollback', async () => {
    const dryRun = options.dryRun === true;
    const base =
      options.to === undefined
        ? await resolveBaselineLocked(repo, { raise: !dryRun })
        : { oid: (await resolveState(repo, options.to)).commit.oid, label: options.to, op: 'rollback' as const };
    const to = options.to ?? 'amu0';
    const input = {
      target: base.oid,
      label: base.label,
      op: base.op,
      ...('record' in base ? { record: base.record } : {}),
      ...(options.paths === undefined ? {} : { paths: options.paths, requireMatch: true }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    };
    // With no REF, the result also says which baseline it was and how it verified.
    const extra = 'baseline' in base ? { baseline: base.baseline, ref: base.ref } : {};
    const planned = await planRestore(repo, { ...input, dryRun });
    if (dryRun) return { ...previewRestore(planned), ...extra, to };
    return { ...(await applyRestore(repo, planned, input)), ...extra, to };
  });
}
