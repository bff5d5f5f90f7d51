import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { writeObject } from '../store/loose-objects.js';
import { readObjectOfType } from '../store/objects.js';
import { formatTree, parseTree } from '../store/tree.js';
import { computeManifestCid } from '../store/tree-manifest.js';
import { cooDirName } from '../store/layout.js';
import { planCheckout } from '../worktree/checkout-plan.js';
import { applyCheckout } from '../worktree/checkout-apply.js';
import { captureWorktree, type CaptureResult } from '../worktree/capture.js';
import type { Repo } from '../store/repo.js';
import { runName, type RunId } from './run-state.js';

// A run's quarantine: a tree of its own under .coo/work/ where its commands run, with a HOME and a
// TMPDIR inside it. Only the gateway writes into the real tree. `.coo/` is never materialised: a
// mission sees the repository, not its governance.

export interface Quarantine {
  readonly dir: string;
  readonly tree: string;
  readonly home: string;
  readonly tmp: string;
  readonly cache: string;
}

export function quarantineOf(repo: Repo, id: RunId): Quarantine {
  const dir = join(repo.layout.workDir, runName(id).replace(/\//gu, '-'));
  return {
    dir,
    tree: join(dir, 'tree'),
    home: join(dir, 'home'),
    tmp: join(dir, 'tmp'),
    cache: join(dir, 'stat-cache'),
  };
}

const outsideCoo = (f: FileRecord): boolean => f.path !== cooDirName && !f.path.startsWith(`${cooDirName}/`);

/** Writes `treeOid` into a fresh quarantine (replacing whatever was there). */
export async function materialise(repo: Repo, q: Quarantine, treeOid: string): Promise<void> {
  rmSync(q.dir, { recursive: true, force: true });
  for (const dir of [q.tree, q.home, q.tmp]) mkdirSync(dir, { recursive: true });
  const files = (await readFlatTree(repo.layout.gitdir, treeOid)).files.filter(outsideCoo);
  await applyCheckout({ root: q.tree, gitdir: repo.layout.gitdir, tmpDir: q.tmp, plan: planCheckout([], files) });
}

/** The quarantine tree as it is now, stored in the state repository. */
export async function captureQuarantine(repo: Repo, q: Quarantine): Promise<CaptureResult> {
  return captureWorktree({
    root: q.tree,
    gitdir: repo.layout.gitdir,
    cachePath: q.cache,
    store: true,
    maxNewFileBytes: repo.config.gateway.maxFileBytes,
  });
}

/**
 * A step's tree as the run records it: the quarantine's files with the governance files (`.coo/`)
 * of the baseline the run started from, which a mission never sees or writes. So a run's states,
 * and a baseline promoted from one, carry the policy they were made under, and a diff between a
 * baseline and a run shows the run's own changes only.
 */
export async function withGovernanceOf(
  repo: Repo,
  tree: string,
  baselineTree: string,
): Promise<{ tree: string; manifest: string }> {
  const { gitdir } = repo.layout;
  const coo = parseTree(await readObjectOfType(gitdir, baselineTree, 'tree'), baselineTree).find(
    (e) => e.name === cooDirName,
  );
  const entries = parseTree(await readObjectOfType(gitdir, tree, 'tree'), tree).filter((e) => e.name !== cooDirName);
  const grafted = writeObject(gitdir, 'tree', formatTree(coo ? [...entries, coo] : entries));
  return { tree: grafted, manifest: await computeManifestCid(gitdir, (await readFlatTree(gitdir, grafted)).files) };
}

/** A run's tree without the governance files it carries: what its steps made (what the determinism suite compares). */
export async function stepsTree(repo: Repo, tree: string): Promise<string> {
  const { gitdir } = repo.layout;
  const entries = parseTree(await readObjectOfType(gitdir, tree, 'tree'), tree);
  if (!entries.some((e) => e.name === cooDirName)) return tree;
  return writeObject(gitdir, 'tree', formatTree(entries.filter((e) => e.name !== cooDirName)));
}

export function discard(q: Quarantine): void {
  rmSync(q.dir, { recursive: true, force: true });
}
