import { createHash } from 'node:crypto';
import { CooError } from '../core/coo-error.js';
import type { PathspecSet } from '../core/pathspec.js';
import { checkRepoPath } from '../core/repo-path.js';
import { registryOf } from '../governance/governance.js';
import { keepsPin, sha256Pin } from '../governance/protected.js';
import type { FileRecord } from '../store/flat-tree.js';
import { cooDirName } from '../store/layout.js';
import { readObjectOfType } from '../store/objects.js';
import type { Repo } from '../store/repo.js';
import type { CheckoutPlan } from '../worktree/checkout-plan.js';

// What a restore judges before it records or writes anything: a state whose paths could not be
// written safely, pathspecs that match nothing, a plan that would leave a protected artefact other
// than its pin. Each refuses the whole restore.

export const isCooPath = (f: { path: string }): boolean => f.path === cooDirName || f.path.startsWith(`${cooDirName}/`);

export function ensureRestorable(
  files: readonly FileRecord[],
  unsupported: readonly { path: string }[],
  target: string,
): void {
  const problems = files.flatMap((f) => {
    const problem = checkRepoPath(f.path);
    return problem ? [{ path: f.path, code: problem.code, reason: problem.reason }] : [];
  });
  for (const u of unsupported)
    problems.push({ path: u.path, code: 'E_PATH_INVALID', reason: 'submodule (gitlink) entries cannot be restored' });
  const first = problems[0];
  if (first) {
    throw new CooError(
      first.code,
      `state ${target.slice(0, 12)} has ${problems.length} path(s) that cannot be written safely, first ${JSON.stringify(first.path)}: ${first.reason}`,
      {
        target,
        paths: problems,
      },
    );
  }
}

export /** Refuses a plan that would leave a protected artefact other than its pin. */
async function ensureProtectedKept(repo: Repo, plan: CheckoutPlan): Promise<void> {
  const registry = await registryOf(repo);
  const refused: string[] = [];
  for (const file of [...plan.write, ...plan.chmod]) {
    if (!registry.isProtected(file.path)) continue;
    const content = await readObjectOfType(repo.layout.gitdir, file.oid, 'blob');
    const after = sha256Pin(createHash('sha256').update(content).digest('hex'));
    if (plan.chmod.includes(file) || !keepsPin(registry, { path: file.path, after })) refused.push(file.path);
  }
  for (const path of plan.remove) if (registry.isProtected(path) && registry.pinOf(path) !== null) refused.push(path);
  if (refused.length > 0) {
    throw new CooError(
      'E_GOVERNANCE_PROTECTED',
      `the restore would change ${refused.length} protected artefact(s), first ${JSON.stringify(refused[0])}`,
      { paths: refused.sort() },
    );
  }
}

export /** Refuses pathspecs that match no path of the target or of the working tree (a typo restores nothing). */
function ensureMatched(paths: PathspecSet, target: readonly FileRecord[], current: readonly FileRecord[]): void {
  const missing = paths.unmatched(
    (function* () {
      for (const f of target) if (!isCooPath(f)) yield f.path;
      for (const f of current) if (!isCooPath(f)) yield f.path;
    })(),
  );
  if (missing.length > 0) {
    throw new CooError(
      'E_PATHSPEC_NO_MATCH',
      `${missing.length} pathspec(s) match no path of the state or the working tree, first ${JSON.stringify(missing[0])}`,
      { pathspecs: missing },
    );
  }
}
