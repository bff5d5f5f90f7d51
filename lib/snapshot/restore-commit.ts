import { CooError } from '../errors/coo-error.js';
import { checkRepoPath } from '../paths/repo-path.js';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { cooDirName } from '../store/layout.js';
import { readCommit } from '../store/rev-parse.js';
import { claimedManifest, computeManifestCid } from '../store/tree-manifest.js';
import { crashPoint } from '../store/crash-point.js';
import { planCheckout } from '../worktree/checkout-plan.js';
import { applyCheckout, findConflicts, verifyCheckout, withoutIdenticalUncaptured, type ApplyProgress } from '../worktree/checkout-apply.js';
import type { CaptureProgress } from '../worktree/capture.js';
import { clearJournal, writeJournal } from '../repo/journal.js';
import { appendOperation, type OpName } from '../repo/oplog.js';
import type { Repo } from '../repo/repo.js';
import { takeSnapshot } from './take-snapshot.js';

// Makes the working tree byte-identical to a stored state: every path of the target checked
// first, a safety snapshot of the tree as it is, a plan, a preflight that refuses before any
// write, the writes under a journal, and a re-hash of everything written. `.coo/` is never
// touched, nor is anything no capture holds (ignored files, `.git`).

export interface RestoreProgress {
  readonly phase: CaptureProgress['phase'] | 'write';
  readonly done: number;
  readonly total: number | null;
}

export interface RestoreOutcome {
  readonly target: string;
  readonly safety: string;
  readonly written: number;
  readonly chmod: number;
  readonly removed: number;
  readonly unchanged: number;
}

const isCooPath = (f: { path: string }): boolean => f.path === cooDirName || f.path.startsWith(`${cooDirName}/`);

function ensureRestorable(files: readonly FileRecord[], unsupported: readonly { path: string }[], target: string): void {
  const problems = files.flatMap((f) => {
    const problem = checkRepoPath(f.path);
    return problem ? [{ path: f.path, code: problem.code, reason: problem.reason }] : [];
  });
  for (const u of unsupported) problems.push({ path: u.path, code: 'E_PATH_INVALID', reason: 'submodule (gitlink) entries cannot be restored' });
  const first = problems[0];
  if (first) {
    throw new CooError(first.code, `state ${target.slice(0, 12)} has ${problems.length} path(s) that cannot be written safely, first ${JSON.stringify(first.path)}: ${first.reason}`, {
      target,
      paths: problems,
    });
  }
}

export async function restoreCommit(
  repo: Repo,
  options: { target: string; label: string; op: OpName; record?: Record<string, unknown>; onProgress?: (p: RestoreProgress) => void },
): Promise<RestoreOutcome> {
  const { gitdir, root, tmpDir } = repo.layout;
  const commit = await readCommit(gitdir, options.target);
  const flat = await readFlatTree(gitdir, commit.tree);
  ensureRestorable(flat.files, flat.unsupported, commit.oid);

  const progress = options.onProgress;
  const safety = await takeSnapshot(repo, {
    subject: `safety snapshot before ${options.op} to ${options.label}`,
    kind: 'safety',
    ...(progress ? { onProgress: (p: CaptureProgress) => progress(p) } : {}),
  });
  const current = safety.files.filter((f) => !isCooPath(f));
  const captured = new Set(current.map((f) => f.path));
  const plan = await withoutIdenticalUncaptured(root, planCheckout(current, flat.files.filter((f) => !isCooPath(f))), captured);
  const conflicts = findConflicts(root, plan, captured);
  if (conflicts.length > 0) {
    const links = conflicts.every((c) => c.reason.startsWith('symbolic link'));
    throw new CooError(
      links ? 'E_SYMLINK_IN_PATH' : 'E_WORKTREE_CONFLICT',
      `cannot restore ${options.label}: ${conflicts.length} path(s) in the way, first ${JSON.stringify(conflicts[0]?.path)} (${conflicts[0]?.reason})`,
      { paths: conflicts.map((c) => c.path), conflicts, safety: safety.commit },
    );
  }

  writeJournal(repo, { op: options.op, target: commit.oid, safety: safety.commit, startedAt: new Date().toISOString() });
  crashPoint('journal-written');
  await applyCheckout({
    root,
    gitdir,
    tmpDir,
    plan,
    ...(progress ? { onProgress: (p: ApplyProgress) => progress({ phase: 'write', done: p.done, total: p.total }) } : {}),
  });
  const wrong = await verifyCheckout(root, plan);
  if (wrong.length > 0) {
    throw new CooError('E_WORKTREE_CHANGED', `after writing, ${wrong.length} path(s) differ from ${options.label}, first ${JSON.stringify(wrong[0])}`, {
      paths: wrong,
      safety: safety.commit,
      target: commit.oid,
    });
  }
  const outcome: RestoreOutcome = {
    target: commit.oid,
    safety: safety.commit,
    written: plan.write.length,
    chmod: plan.chmod.length,
    removed: plan.remove.length,
    unchanged: plan.unchanged,
  };
  appendOperation(repo, {
    subject: `${options.op} to ${options.label} (${commit.oid.slice(0, 12)})`,
    record: { op: options.op, ...options.record, ...outcome, label: options.label },
    tree: commit.tree,
    manifest: claimedManifest(commit) ?? (await computeManifestCid(gitdir, flat.files)),
  });
  clearJournal(repo);
  return outcome;
}
