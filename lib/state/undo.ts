import { CooError } from '../core/coo-error.js';
import { openRepo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { readJournal } from './journal.js';
import { listOperations } from './oplog.js';
import { applyRestore, planRestore, type RestoreOutcome, type RestoreProgress } from './restore-commit.js';
import { previewRestore, type RestorePreview } from './restore-preview.js';

export interface UndoOptions extends RepoOptions {
  readonly onProgress?: (p: RestoreProgress) => void;
  /** Plan and judge the undo, list what it would change, and change nothing: no file, ref or log entry. */
  readonly dryRun?: boolean;
}

export interface UndoResult extends RestoreOutcome {
  /** The safety snapshot the working tree returned to. */
  readonly to: string;
}

export interface UndoPreview extends RestorePreview {
  /** The safety snapshot the working tree would return to. */
  readonly to: string;
}

const rewrites = new Set(['rollback', 'undo', 'baseline-restore', 'write']);

function pathsOf(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.length > 0 && value.every((p) => typeof p === 'string') ? value : undefined;
}

/**
 * `coo undo`: returns the working tree to the safety snapshot of the last (or interrupted) rewrite:
 * a rollback, restore, undo or gateway write. Undoing a path rollback puts back the same paths only,
 * so what changed elsewhere since stays as it is.
 */
export async function undo(options: UndoOptions & { dryRun: true }): Promise<UndoPreview>;
export async function undo(options?: UndoOptions & { dryRun?: false }): Promise<UndoResult>;
export async function undo(options?: UndoOptions): Promise<UndoResult | UndoPreview>;
export async function undo(options: UndoOptions = {}): Promise<UndoResult | UndoPreview> {
  const repo = await openRepo(options);
  return withLock(repo, 'undo', async () => {
    const interrupted = await readJournal(repo);
    let safety = interrupted?.safety;
    let paths = interrupted?.paths;
    if (!safety) {
      const [last] = await listOperations(repo, 1);
      if (!last || !rewrites.has(last.record.op) || typeof last.record['safety'] !== 'string') {
        throw new CooError(
          'E_NOTHING_TO_UNDO',
          `the last operation (${last?.record.op ?? 'none'}) did not rewrite the working tree`,
          {
            last: last?.record.op ?? null,
          },
        );
      }
      safety = last.record['safety'] as string;
      paths = pathsOf(last.record['paths']);
    }
    const input = {
      target: safety,
      label: `safety snapshot ${safety.slice(0, 12)}`,
      op: 'undo' as const,
      ...(paths ? { paths } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    };
    const planned = await planRestore(repo, { ...input, dryRun: options.dryRun === true });
    if (options.dryRun) return { ...previewRestore(planned), to: safety };
    return { ...(await applyRestore(repo, planned, input)), to: safety };
  });
}
