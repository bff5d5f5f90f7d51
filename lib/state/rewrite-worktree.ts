import { CooError } from '../core/coo-error.js';
import { crashPoint } from '../store/crash-point.js';
import type { FileRecord } from '../store/flat-tree.js';
import { updateRef } from '../store/refs.js';
import type { Repo } from '../store/repo.js';
import { applyCheckout, type ApplyProgress } from '../worktree/checkout-apply.js';
import { planCheckout, type CheckoutPlan } from '../worktree/checkout-plan.js';
import { findConflicts, withoutIdenticalUncaptured } from '../worktree/checkout-preflight.js';
import { verifyCheckout } from '../worktree/checkout-verify.js';
import { clearJournal, writeJournal } from './journal.js';
import { appendOperation, type OpRecord } from './oplog.js';

// Every rewrite of the working tree (rollback, restore, undo, a gateway write) goes the same way,
// in one direction: plan it from the captured tree to the target and look for everything in the
// way (planRewrite, which writes nothing); let the caller judge the plan (the protected registry)
// and record its safety snapshot; then apply it under a journal, hash everything written again,
// and log the operation (applyRewrite). The caller holds the lock.

export interface RewritePlan {
  readonly plan: CheckoutPlan;
  /** Files in directories left out of both sides because they are the same in both. */
  readonly leftOut: number;
}

/**
 * The plan from `current` (the captured working tree, less directories left out of both sides)
 * to `target`, refused with E_WORKTREE_CONFLICT / E_SYMLINK_IN_PATH if anything on disk is in its way.
 */
export async function planRewrite(
  repo: Repo,
  input: {
    current: readonly FileRecord[];
    target: readonly FileRecord[];
    leftOut?: number;
    /** Every path the capture holds, when `current` is only part of it (a path restore); default: current's. */
    captured?: ReadonlySet<string>;
    label: string;
    op: OpRecord['op'];
  },
): Promise<RewritePlan> {
  const { root } = repo.layout;
  const captured = input.captured ?? new Set(input.current.map((f) => f.path));
  const plan = await withoutIdenticalUncaptured(root, planCheckout(input.current, input.target), captured);
  const conflicts = findConflicts(root, plan, captured);
  if (conflicts.length > 0) {
    const links = conflicts.every((c) => c.reason.startsWith('symbolic link'));
    throw new CooError(
      links ? 'E_SYMLINK_IN_PATH' : 'E_WORKTREE_CONFLICT',
      `cannot ${input.op} ${input.label}: ${conflicts.length} path(s) in the way, first ${JSON.stringify(conflicts[0]?.path)} (${conflicts[0]?.reason})`,
      { paths: conflicts.map((c) => c.path), conflicts },
    );
  }
  return { plan, leftOut: input.leftOut ?? 0 };
}

export interface ApplyInput {
  /** The commit that holds the target (where `coo rollback` would finish an interrupted rewrite). */
  readonly targetCommit: string;
  /** The safety snapshot, recorded by the caller: the tree as it was. */
  readonly safety: string;
  readonly label: string;
  readonly op: OpRecord['op'];
  /** The pathspecs a path restore is limited to (for the journal, so that finishing it stays limited). */
  readonly paths?: readonly string[];
  readonly oplog: {
    readonly subject: string;
    readonly record: OpRecord;
    readonly tree: string;
    readonly manifest: string;
  };
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

export async function applyRewrite(repo: Repo, planned: RewritePlan, input: ApplyInput): Promise<RewriteOutcome> {
  const { gitdir, root, tmpDir } = repo.layout;
  const { plan } = planned;
  writeJournal(repo, {
    version: 1,
    op: input.op,
    target: input.targetCommit,
    safety: input.safety,
    ...(input.paths ? { paths: input.paths } : {}),
    startedAt: new Date().toISOString(),
  });
  crashPoint('journal-written');
  await applyCheckout({
    root,
    gitdir,
    tmpDir,
    plan,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    ...(input.contents ? { contents: input.contents } : {}),
  });
  const wrong = await verifyCheckout(root, plan);
  if (wrong.length > 0) {
    throw new CooError(
      'E_WORKTREE_CHANGED',
      `after writing, ${wrong.length} path(s) differ from ${input.label}, first ${JSON.stringify(wrong[0])}`,
      {
        paths: wrong,
        safety: input.safety,
        target: input.targetCommit,
      },
    );
  }
  const outcome = {
    written: plan.write.length,
    chmod: plan.chmod.length,
    removed: plan.remove.length,
    unchanged: plan.unchanged + planned.leftOut,
  };
  if (input.ref) updateRef(gitdir, input.ref.name, input.targetCommit, input.ref.expected);
  appendOperation(repo, { ...input.oplog, record: { ...input.oplog.record, ...outcome } });
  clearJournal(repo);
  return outcome;
}
