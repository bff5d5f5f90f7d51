import { CooError } from '../core/coo-error.js';
import { crashPoint } from '../store/crash-point.js';
import { updateRef } from '../store/refs.js';
import type { FileRecord } from '../store/flat-tree.js';
import { planCheckout, type CheckoutPlan } from '../worktree/checkout-plan.js';
import { applyCheckout, type ApplyProgress } from '../worktree/checkout-apply.js';
import { findConflicts, withoutIdenticalUncaptured } from '../worktree/checkout-preflight.js';
import { verifyCheckout } from '../worktree/checkout-verify.js';
import { clearJournal, writeJournal } from './journal.js';
import { appendOperation, type OpRecord } from './oplog.js';
import type { Repo } from '../store/repo.js';

// Every rewrite of the working tree (rollback, restore, undo, a gateway write) ends the same way:
// a plan from the captured tree to the target, a preflight that refuses before any write, the
// writes under a journal, everything written hashed again, then the operation log. The caller has
// taken the safety snapshot and holds the lock.

export interface RewriteInput {
  /** The captured working tree (the safety snapshot's files), less any directories left out of both sides. */
  readonly current: readonly FileRecord[];
  /** Files in directories left out of `current` and `target` because they are the same in both. */
  readonly leftOut?: number;
  readonly target: readonly FileRecord[];
  /** The commit that holds `target` (where `coo rollback` would finish an interrupted rewrite). */
  readonly targetCommit: string;
  readonly safety: string;
  readonly label: string;
  readonly op: OpRecord['op'];
  /** Checked before anything is written; throws to refuse (e.g. the protected registry). */
  readonly approve?: (plan: CheckoutPlan) => Promise<void>;
  readonly oplog: { readonly subject: string; readonly record: OpRecord; readonly tree: string; readonly manifest: string };
  /** A ref to point at `targetCommit` once the tree is written and checked (the gateway's `writes`). */
  readonly ref?: { readonly name: string; readonly expected: string | null };
  readonly onProgress?: (progress: ApplyProgress) => void;
  /** Blob contents the caller holds already (by id), written as they are instead of read back from the store. */
  readonly contents?: ReadonlyMap<string, Uint8Array>;
}

export interface RewriteOutcome {
  readonly written: number;
  readonly chmod: number;
  readonly removed: number;
  readonly unchanged: number;
}

export async function rewriteWorktree(repo: Repo, input: RewriteInput): Promise<RewriteOutcome> {
  const { gitdir, root, tmpDir } = repo.layout;
  const captured = new Set(input.current.map((f) => f.path));
  const plan = await withoutIdenticalUncaptured(root, planCheckout(input.current, input.target), captured);
  await input.approve?.(plan);
  const conflicts = findConflicts(root, plan, captured);
  if (conflicts.length > 0) {
    const links = conflicts.every((c) => c.reason.startsWith('symbolic link'));
    throw new CooError(
      links ? 'E_SYMLINK_IN_PATH' : 'E_WORKTREE_CONFLICT',
      `cannot ${input.op} ${input.label}: ${conflicts.length} path(s) in the way, first ${JSON.stringify(conflicts[0]?.path)} (${conflicts[0]?.reason})`,
      { paths: conflicts.map((c) => c.path), conflicts, safety: input.safety },
    );
  }

  writeJournal(repo, { version: 1, op: input.op, target: input.targetCommit, safety: input.safety, startedAt: new Date().toISOString() });
  crashPoint('journal-written');
  await applyCheckout({ root, gitdir, tmpDir, plan, ...(input.onProgress ? { onProgress: input.onProgress } : {}), ...(input.contents ? { contents: input.contents } : {}) });
  const wrong = await verifyCheckout(root, plan);
  if (wrong.length > 0) {
    throw new CooError('E_WORKTREE_CHANGED', `after writing, ${wrong.length} path(s) differ from ${input.label}, first ${JSON.stringify(wrong[0])}`, {
      paths: wrong,
      safety: input.safety,
      target: input.targetCommit,
    });
  }
  const outcome = { written: plan.write.length, chmod: plan.chmod.length, removed: plan.remove.length, unchanged: plan.unchanged + (input.leftOut ?? 0) };
  if (input.ref) updateRef(gitdir, input.ref.name, input.targetCommit, input.ref.expected);
  appendOperation(repo, { ...input.oplog, record: { ...input.oplog.record, ...outcome } });
  clearJournal(repo);
  return outcome;
}
