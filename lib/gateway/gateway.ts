import { CooError } from '../core/coo-error.js';
import { readRef } from '../store/refs.js';
import { openRepo, type Repo, type RepoOptions } from '../store/repo.js';
import { writeStateCommit } from '../store/state-commit.js';
import { withLock } from '../store/with-lock.js';
import { ensureNoJournal } from '../state/journal.js';
import { applyRewrite, planRewrite } from '../state/rewrite-worktree.js';
import { recordSnapshot } from '../state/take-snapshot.js';
import { judgeWriteSet, type Judged, type JudgeInput } from './judge.js';
import { stageWriteSet, type GatewayChange } from './stage.js';
import type { Violation } from './violation.js';
import type { WriteOp } from './write-set.js';
import { gitSourcesOfRepo } from '../worktree/capture-now.js';
import { isIgnoredPath } from '../worktree/walk.js';
import { updateWrittenPaths } from '../worktree/written-paths.js';

// The write gateway: the one way coo, a mission or a person at the CLI changes the governed tree.
// Data goes one way through it: judge (the write set and the policy alone, then against the
// captured tree: one violation and nothing is written, no ref moves), stage (the tree after it,
// every touched INDEX reconciled), record (the safety snapshot, then one commit on `writes`), and
// apply (to disk, every written file re-hashed).

export const writesRef = 'refs/heads/writes';

export interface GatewayInput extends JudgeInput {
  readonly ops: readonly WriteOp[];
  readonly message?: string;
  /** Governed directories to reconcile even if no op touches them (`coo index fix`). */
  readonly reconcile?: readonly string[];
}

export type { GatewayChange };

export interface GatewayResult {
  readonly commit: string;
  readonly safety: string;
  readonly tree: string;
  readonly changes: readonly GatewayChange[];
  /** INDEX files reconciled in the same commit. */
  readonly indexes: readonly string[];
}

export function violationError(violations: readonly Violation[]): CooError {
  const first = violations[0] as Violation;
  const where = first.path === '' ? 'the write set' : JSON.stringify(first.path);
  return new CooError(
    first.code,
    `refused by the gateway: ${where}: ${first.reason}${violations.length > 1 ? ` (and ${violations.length - 1} more violation(s))` : ''}`,
    {
      violations: violations.map((v) => ({
        path: v.path,
        check: v.check,
        code: v.code,
        reason: v.reason,
        ...(v.data ? { data: v.data } : {}),
      })),
    },
  );
}

/** Judges a write set in a locked repository, writing nothing: its violations, or the judgement to apply. */
export async function gatewayJudgeLocked(
  repo: Repo,
  input: GatewayInput,
): Promise<{ violations: readonly Violation[]; judged: Judged | null }> {
  await ensureNoJournal(repo);
  return judgeWriteSet(repo, input);
}

/** Stages, records and applies a write set that passed the judgement (the caller holds the lock). */
export async function gatewayApplyLocked(repo: Repo, input: GatewayInput, judged: Judged): Promise<GatewayResult> {
  const { gitdir } = repo.layout;
  const staged = stageWriteSet(repo, input, judged);
  const label = `${staged.changes.length} path(s)`;
  const planned = await planRewrite(repo, {
    current: judged.captured.capture.files,
    target: staged.files,
    label,
    op: 'write',
  });
  const safety = await recordSnapshot(repo, judged.captured, { subject: 'safety snapshot before a gateway write' });
  const { tree, manifest, changes, indexes } = staged;
  const tip = readRef(gitdir, writesRef);
  const commit = writeStateCommit(repo, {
    tree,
    parents: tip ? [tip] : [],
    subject:
      input.message ?? `write ${changes.length} path(s)${input.mission ? ` for mission ${input.mission.mission}` : ''}`,
    body: [
      ...changes.map((c) => `${c.kind} ${JSON.stringify(c.path)}`),
      ...indexes.map((i) => `index ${JSON.stringify(i)}`),
    ].join('\n'),
    manifest,
    trailers: [
      ['Coo-Op', 'write'],
      ['Coo-Safety', safety.commit],
      ...(input.mission ? ([['Coo-Mission', input.mission.mission]] as const) : []),
    ],
  });
  await applyRewrite(repo, planned, {
    targetCommit: commit,
    contents: staged.contents,
    safety: safety.commit,
    label: `write ${commit.slice(0, 12)}`,
    op: 'write',
    ref: { name: writesRef, expected: tip },
    oplog: {
      subject: `write ${commit.slice(0, 12)}: ${changes.length} path(s)`,
      record: { op: 'write', commit, safety: safety.commit, changes, indexes, mission: input.mission?.mission ?? null },
      tree,
      manifest,
    },
  });
  await rememberWritten(repo, input.ops, judged);
  return { commit, safety: safety.commit, tree, changes, indexes };
}

/** Paths written where an ignore rule would hide them are captured from now on; deleted ones leave the list. */
async function rememberWritten(repo: Repo, ops: readonly WriteOp[], judged: Judged): Promise<void> {
  const sources = gitSourcesOfRepo(repo);
  const add = ops
    .filter(
      (op) => op.kind === 'write' && !judged.current.has(op.path) && isIgnoredPath(repo.layout.root, op.path, sources),
    )
    .map((op) => op.path);
  const remove = ops.filter((op) => op.kind === 'delete').map((op) => op.path);
  if (add.length > 0 || remove.length > 0) await updateWrittenPaths(repo.layout.privateDir, { add, remove });
}

/** The gateway inside an opened, locked repository (for coo's own operations that write through it). */
export async function gatewayWriteLocked(repo: Repo, input: GatewayInput): Promise<GatewayResult> {
  const { violations, judged } = await gatewayJudgeLocked(repo, input);
  if (!judged) throw violationError(violations);
  return gatewayApplyLocked(repo, input, judged);
}

export interface GatewayWriteOptions extends RepoOptions, GatewayInput {}

/** `coo write` / `coo rm`: one write set through the gateway. */
export async function gatewayWrite(options: GatewayWriteOptions): Promise<GatewayResult> {
  const repo = await openRepo(options);
  return withLock(repo, 'write', () => gatewayWriteLocked(repo, options));
}
