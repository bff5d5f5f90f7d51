import { createHash } from 'node:crypto';
import { CooError } from '../core/coo-error.js';
import { checkRepoPath } from '../core/repo-path.js';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { cooDirName } from '../store/layout.js';
import { readObjectOfType } from '../store/objects.js';
import { readCommit } from '../store/rev-parse.js';
import { claimedManifest, computeManifestCid } from '../store/tree-manifest.js';
import { readStatCache, statCachePath, type CaptureProgress } from '../worktree/capture.js';
import { modeAt, oidAt, pathAt, type StatCache } from '../worktree/stat-cache.js';
import type { CheckoutPlan } from '../worktree/checkout-plan.js';
import { registryOf } from '../governance/governance.js';
import { keepsPin, sha256Pin } from '../governance/protected.js';
import type { OpName } from './oplog.js';
import type { Repo } from '../store/repo.js';
import { headDrift, recordedGitHeads, type HeadDrift } from './git-heads.js';
import { applyRewrite, planRewrite, type RewriteOutcome } from './rewrite-worktree.js';
import { captureSnapshot, recordSnapshot } from './take-snapshot.js';

// Makes the working tree byte-identical to a stored state: every path of the target checked
// first, the tree as it is captured, the rewrite planned and judged, the safety snapshot recorded,
// then the shared rewrite (journal, writes, re-hash). `.coo/` is never touched, nor is anything no capture holds (ignored files,
// `.git`), and a protected artefact may only be put back to its pin.

export interface RestoreProgress {
  readonly phase: CaptureProgress['phase'] | 'write';
  readonly done: number;
  readonly total: number | null;
}

export interface RestoreOutcome extends RewriteOutcome {
  readonly target: string;
  readonly safety: string;
  /** Where git's HEAD (and nested repositories' HEADs) now differ from those recorded with the target. */
  readonly git: HeadDrift;
}

const isCooPath = (f: { path: string }): boolean => f.path === cooDirName || f.path.startsWith(`${cooDirName}/`);

function ensureRestorable(
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

/** Refuses a plan that would leave a protected artefact other than its pin. */
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

/** Whether `path` lies under one of `dirs` ('' is the root). */
function isUnder(path: string, dirs: ReadonlySet<string>): boolean {
  for (let at = path.lastIndexOf('/'); ; at = path.lastIndexOf('/', at - 1)) {
    if (dirs.has(at < 0 ? '' : path.slice(0, at))) return true;
    if (at < 0) return false;
  }
}

/** The cached files under the directories in `dirs` ('' is the root). */
function filesUnder(cache: StatCache, dirs: readonly string[]): FileRecord[] {
  if (dirs.length === 0) return [];
  const wanted = new Set(dirs);
  const out: FileRecord[] = [];
  for (let row = 0; row < cache.count; row++) {
    const path = pathAt(cache, row);
    if (isUnder(path, wanted)) out.push({ path, mode: modeAt(cache, row), oid: oidAt(cache, row) });
  }
  return out;
}

export async function restoreCommit(
  repo: Repo,
  options: {
    target: string;
    label: string;
    op: OpName;
    record?: Record<string, unknown>;
    onProgress?: (p: RestoreProgress) => void;
  },
): Promise<RestoreOutcome> {
  const { gitdir, privateDir } = repo.layout;
  const commit = await readCommit(gitdir, options.target);
  // Subtrees of the target that the last capture recorded with the same id are not read: their
  // files are the stat cache's, and their paths passed the walk's rules when they were captured.
  const cache = await readStatCache(statCachePath(privateDir), gitdir);
  const flat = await readFlatTree(gitdir, commit.tree, (dir) => cache.trees.get(dir));
  ensureRestorable(flat.files, flat.unsupported, commit.oid);

  // One way through: capture the tree as it is, plan and judge the rewrite, and only then record
  // the safety snapshot and write. A refused restore moves no ref and changes no file.
  const progress = options.onProgress;
  const captured = await captureSnapshot(repo, {
    kind: 'safety',
    cache,
    ...(progress ? { onProgress: (p: CaptureProgress) => progress(p) } : {}),
  });
  const { capture } = captured;
  // A reused directory that the working tree also holds unchanged needs no plan: both sides leave it out.
  const same = new Set(flat.reused.filter((dir) => capture.trees.get(dir) === cache.trees.get(dir)));
  const target = [
    ...flat.files,
    ...filesUnder(
      cache,
      flat.reused.filter((dir) => !same.has(dir)),
    ),
  ];
  const current = same.size === 0 ? capture.files : capture.files.filter((f) => !isUnder(f.path, same));
  const planned = await planRewrite(repo, {
    current: current.filter((f) => !isCooPath(f)),
    leftOut:
      capture.files.length - current.length - capture.files.filter((f) => isCooPath(f) && isUnder(f.path, same)).length,
    target: target.filter((f) => !isCooPath(f)),
    label: options.label,
    op: options.op,
  });
  await ensureProtectedKept(repo, planned.plan);
  const manifest =
    claimedManifest(commit) ?? (await computeManifestCid(gitdir, [...flat.files, ...filesUnder(cache, flat.reused)]));
  const safety = await recordSnapshot(repo, captured, {
    subject: `safety snapshot before ${options.op} to ${options.label}`,
  });
  const outcome = await applyRewrite(repo, planned, {
    targetCommit: commit.oid,
    safety: safety.commit,
    label: options.label,
    op: options.op,
    oplog: {
      subject: `${options.op} to ${options.label} (${commit.oid.slice(0, 12)})`,
      record: { op: options.op, ...options.record, target: commit.oid, safety: safety.commit, label: options.label },
      tree: commit.tree,
      manifest,
    },
    ...(progress ? { onProgress: (p) => progress({ phase: 'write', done: p.done, total: p.total }) } : {}),
  });
  return {
    ...outcome,
    target: commit.oid,
    safety: safety.commit,
    git: headDrift(repo, recordedGitHeads(commit.message)),
  };
}
