import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CooError } from '../core/coo-error.js';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { cooDirName, layoutFor } from '../store/layout.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { readRef } from '../store/refs.js';
import { computeManifestCid } from '../store/tree-manifest.js';
import { ed25519KeyFromSeed, formatOpenSshPrivateKey } from '../trust/ed25519-key.js';
import { cooKeyPath } from '../trust/signing-key.js';
import type { Env } from '../core/git-config.js';
import { planCheckout } from '../worktree/checkout-plan.js';
import { applyCheckout } from '../worktree/checkout-apply.js';
import { captureWorktree } from '../worktree/capture.js';
import { initRepo } from '../state/init.js';
import { openRepo, type Repo } from '../store/repo.js';
import { oplogRef } from '../state/oplog.js';
import { snapshot } from '../state/snapshot.js';
import { rollback } from '../baseline/rollback.js';
import { undo } from '../state/undo.js';
import { createAmu0Baseline } from '../baseline/baseline.js';

// Determinism of coo's own operations: a set of files copied into two scratch roots at different
// paths (one with a non-ASCII segment, deeper), the same operations run in both with a pinned
// clock and one key (snapshot, signed baseline, an agent-like change, snapshot, rollback, undo),
// and every tree and commit id compared. Used by `coo check` and after every fix pack of a plan.

export interface OperationItem {
  readonly id: string;
  readonly area: 'determinism';
  readonly status: 'pass' | 'fail';
  readonly summary: string;
  readonly data: Record<string, unknown>;
}

const outsideCoo = (f: FileRecord): boolean => f.path !== cooDirName && !f.path.startsWith(`${cooDirName}/`);
const pinnedEpoch = '1700000000';

function item(id: string, status: 'pass' | 'fail', summary: string, data: Record<string, unknown>): OperationItem {
  return { id, area: 'determinism', status, summary, data };
}

export async function materialise(
  gitdir: string,
  files: readonly FileRecord[],
  root: string,
  tmp: string,
): Promise<void> {
  mkdirSync(root, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  await applyCheckout({ root, gitdir, tmpDir: tmp, plan: planCheckout([], files) });
}

/** Every file read and hashed again (no stat cache), nothing stored. */
export async function freshCapture(root: string, gitdir: string, scratch: string) {
  return captureWorktree({
    root,
    gitdir,
    cachePath: join(scratch, 'no-such-cache.json'),
    store: false,
    maxNewFileBytes: Number.MAX_SAFE_INTEGER,
  });
}

interface ScratchRun {
  readonly snapshot: string;
  readonly tree: string;
  readonly baseline: string;
  readonly changed: string;
  readonly rolledBack: boolean;
  readonly undone: boolean;
  readonly oplog: string | null;
}

/** The same operations in one scratch root; every id they produce, and whether rollback and undo were exact. */
async function scratchOps(root: string, env: Env, files: readonly FileRecord[], source: string): Promise<ScratchRun> {
  const o = { cwd: root, env };
  mkdirSync(root, { recursive: true });
  // A key made from a fixed seed: it signs only scratch baselines, and makes their ids the same in
  // every root and every run.
  const layout = layoutFor(root);
  mkdirSync(layout.keysDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(
    cooKeyPath(layout),
    formatOpenSshPrivateKey(
      ed25519KeyFromSeed(createHash('sha256').update('coo check scratch key').digest(), 'coo-check'),
    ),
    { mode: 0o600 },
  );
  await initRepo({ dir: root, env });
  const repo = await openRepo(o);
  await materialise(source, files, root, join(root, cooDirName, 'tmp'));
  const first = await snapshot({ ...o, message: 'coo check' });
  const base = await createAmu0Baseline({ ...o, name: 'CHECK' });
  // A change an agent could make: one file edited, one added, one removed.
  const regular = files.filter((f) => f.mode === '100644' || f.mode === '100755').map((f) => f.path);
  if (regular[0]) appendFileSync(join(root, regular[0]), 'changed by coo check\n');
  appendFileSync(join(root, 'coo-check-added.txt'), 'added by coo check\n');
  if (regular.length > 1) unlinkSync(join(root, regular[regular.length - 1] as string));
  const changed = await snapshot({ ...o, message: 'coo check: changed' });
  await rollback(o);
  const afterRollback = await freshCapture(root, repo.layout.gitdir, repo.layout.tmpDir);
  await undo(o);
  const afterUndo = await freshCapture(root, repo.layout.gitdir, repo.layout.tmpDir);
  return {
    snapshot: first.commit,
    tree: first.tree,
    baseline: base.commit,
    changed: changed.commit,
    rolledBack: afterRollback.tree === base.tree,
    undone: afterUndo.tree === changed.tree,
    oplog: readRef(repo.layout.gitdir, oplogRef),
  };
}

export async function operationItems(
  repo: Repo,
  scratch: string,
  all: readonly FileRecord[],
  source: string,
): Promise<OperationItem[]> {
  const { gitdir } = repo.layout;
  const files = all.filter(outsideCoo);
  const env: Env = {
    PATH: repo.env['PATH'],
    HOME: join(scratch, 'home'),
    GIT_CONFIG_NOSYSTEM: '1',
    SOURCE_DATE_EPOCH: pinnedEpoch,
    TZ: 'UTC',
    LC_ALL: 'C',
  };
  mkdirSync(join(scratch, 'home'), { recursive: true });
  const rootA = join(scratch, 'a');
  const rootB = join(scratch, 'b', 'ü-deeper', 'root');
  let a: ScratchRun;
  let b: ScratchRun;
  try {
    a = await scratchOps(rootA, env, files, gitdir);
    b = await scratchOps(rootB, env, files, gitdir);
  } catch (err) {
    const e = err as CooError;
    const f = { code: e.code ?? 'E_INTERNAL', message: e.message };
    return [
      item(
        'determinism.operations',
        'fail',
        `coo's operations could not run in a scratch root: ${f.code}: ${f.message}`,
        f,
      ),
    ];
  }
  const reference = await computeManifestCid(gitdir, files);
  const copied = (await readFlatTree(join(rootA, cooDirName, 'state.git'), a.tree)).files.filter(outsideCoo);
  const sameContent = (await computeManifestCid(join(rootA, cooDirName, 'state.git'), copied)) === reference;
  const ids = (r: ScratchRun) => ({
    snapshot: r.snapshot,
    tree: r.tree,
    baseline: r.baseline,
    changed: r.changed,
    oplog: r.oplog,
  });
  return [
    item(
      'determinism.tree-hash',
      a.tree === b.tree && sameContent ? 'pass' : 'fail',
      a.tree === b.tree && sameContent
        ? `${files.length} file(s) of ${source} give one tree id in two roots, with the same content hashes`
        : `${source} gave different trees in two roots (${a.tree.slice(0, 12)} / ${b.tree.slice(0, 12)})`,
      { source, files: files.length, a: a.tree, b: b.tree, sameContent },
    ),
    item(
      'determinism.signed-baseline',
      a.baseline === b.baseline && a.snapshot === b.snapshot ? 'pass' : 'fail',
      a.baseline === b.baseline
        ? 'with a pinned clock and one key, the signed baseline has the same commit id in both roots'
        : 'the same baseline signed in two roots gave different commit ids',
      { a: a.baseline, b: b.baseline },
    ),
    item(
      'determinism.rollback',
      a.rolledBack && b.rolledBack && a.undone && b.undone && a.oplog === b.oplog && a.changed === b.changed
        ? 'pass'
        : 'fail',
      a.rolledBack && b.rolledBack && a.undone && b.undone
        ? a.oplog === b.oplog
          ? 'change, snapshot, rollback, undo: byte-identical every time, and the same operation log in both roots'
          : 'rollback and undo were exact, but the operation logs of the two roots differ'
        : 'a rollback or an undo did not give back the exact tree',
      { a: ids(a), b: ids(b), rolledBack: [a.rolledBack, b.rolledBack], undone: [a.undone, b.undone] },
    ),
  ];
}
