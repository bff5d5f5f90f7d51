import { CooError } from '../core/coo-error.js';
import { pathspecSet, type PathspecSet } from '../core/pathspec.js';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { readRef } from '../store/refs.js';
import type { Repo } from '../store/repo.js';
import { readCommit } from '../store/rev-parse.js';
import { claimedManifest, computeManifestCid } from '../store/tree-manifest.js';
import { readStatCache, statCachePath, type CaptureProgress, type CaptureResult } from '../worktree/capture.js';
import { captureNow } from '../worktree/capture-now.js';
import { modeAt, oidAt, pathAt, type StatCache } from '../worktree/stat-cache.js';
import { headDrift, recordedGitHeads, type HeadDrift } from './git-heads.js';
import type { OpName } from './oplog.js';
import { ensureMatched, ensureProtectedKept, ensureRestorable, isCooPath } from './restore-checks.js';
import { treeAfterPlan } from './restored-tree.js';
import { applyRewrite, planRewrite, type RewriteOutcome, type RewritePlan } from './rewrite-worktree.js';
import { captureSnapshot, recordSnapshot, safetyRef, type CapturedSnapshot } from './take-snapshot.js';

// Makes the working tree byte-identical to a stored state, or only the paths some pathspecs match:
// every path of the target checked first, the tree as it is captured, the rewrite planned and
// judged (planRestore, which records nothing: a dry run stops here), then the safety snapshot
// recorded and the shared rewrite (journal, writes, re-hash, log: applyRestore). `.coo/` is never
// touched, nor is anything no capture holds (ignored files, `.git`), nor, in a path restore, any
// path outside the pathspecs; a protected artefact may only be put back to its pin.

export interface RestoreProgress {
  readonly phase: CaptureProgress['phase'] | 'write';
  readonly done: number;
  readonly total: number | null;
}

export interface RestoreOutcome extends RewriteOutcome {
  readonly target: string;
  readonly safety: string;
  /** The pathspecs that limited the restore (canonical, repository-relative); absent for a whole one. */
  readonly paths?: readonly string[];
  /** Where git's HEAD (and nested repositories' HEADs) now differ from those recorded with the target. */
  readonly git: HeadDrift;
}

/** Which paths a restore may change. */
export interface RestoreScope {
  /** Repository-relative pathspecs (core/pathspec.ts): only the paths they match are restored. */
  readonly paths?: readonly string[];
  /** Each pathspec must match a path of the target or of the working tree, else E_PATHSPEC_NO_MATCH. */
  readonly requireMatch?: boolean;
}

export interface RestoreInput extends RestoreScope {
  readonly target: string;
  readonly label: string;
  readonly op: OpName;
  readonly record?: Record<string, unknown>;
  readonly onProgress?: (p: RestoreProgress) => void;
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

/** A restore planned and judged, nothing recorded: what applyRestore carries out or a dry run shows. */
export interface PlannedRestore {
  readonly commit: { readonly oid: string; readonly tree: string; readonly message: string };
  readonly capture: CaptureResult;
  /** The capture as a snapshot to record (null for a dry run's, which stored nothing). */
  readonly captured: CapturedSnapshot | null;
  readonly planned: RewritePlan;
  readonly paths: PathspecSet | null;
  /** The manifest of the target (its files, before the pathspecs). */
  manifest(): Promise<string>;
}

/**
 * A capture that stores nothing, for a dry run: captureNow with the safety snapshot's limits (new
 * files over the size cap skipped, unless the last safety snapshot held them), so it sees the tree
 * by the same rules as the capture the real run would store.
 */
async function captureOnly(repo: Repo): Promise<CaptureResult> {
  const { gitdir } = repo.layout;
  const tip = readRef(gitdir, safetyRef);
  const expected = tip ? (await readCommit(gitdir, tip)).tree : undefined;
  return captureNow(repo, { asSnapshot: true, ...(expected ? { expected } : {}) });
}

/** Captures the working tree, plans the restore and judges it; records nothing, writes nothing to the tree. */
export async function planRestore(
  repo: Repo,
  options: RestoreInput & { readonly dryRun?: boolean },
): Promise<PlannedRestore> {
  const { gitdir, privateDir } = repo.layout;
  const commit = await readCommit(gitdir, options.target);
  const paths = options.paths === undefined ? null : pathspecSet(options.paths);
  // Subtrees of the target that the last capture recorded with the same id are not read: their
  // files are the stat cache's, and their paths passed the walk's rules when they were captured.
  const cache = await readStatCache(statCachePath(privateDir), gitdir);
  const flat = await readFlatTree(gitdir, commit.tree, (dir) => cache.trees.get(dir));
  ensureRestorable(flat.files, flat.unsupported, commit.oid);

  // One way through: capture the tree as it is, plan and judge the rewrite, and only then (in
  // applyRestore) record the safety snapshot and write. A refused restore moves no ref and changes no file.
  const progress = options.onProgress;
  const onCapture = progress ? (p: CaptureProgress) => progress(p) : undefined;
  const captured = options.dryRun
    ? null
    : await captureSnapshot(repo, { kind: 'safety', cache, ...(onCapture ? { onProgress: onCapture } : {}) });
  const capture = captured ? captured.capture : await captureOnly(repo);
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
  if (paths && options.requireMatch) ensureMatched(paths, target, capture.files);
  const selected = (f: { path: string }): boolean => !isCooPath(f) && (paths === null || paths.matches(f.path));
  const planned = await planRewrite(repo, {
    current: current.filter(selected),
    leftOut: paths
      ? capture.files.filter((f) => isUnder(f.path, same) && selected(f)).length
      : capture.files.length -
        current.length -
        capture.files.filter((f) => isCooPath(f) && isUnder(f.path, same)).length,
    target: target.filter(selected),
    // In a path restore, a file outside the pathspecs is captured but not planned: it must not be in the way either.
    ...(paths ? { captured: new Set(capture.files.map((f) => f.path)) } : {}),
    label: options.label,
    op: options.op,
  });
  await ensureProtectedKept(repo, planned.plan);
  return {
    commit,
    capture,
    captured,
    planned,
    paths,
    manifest: async () =>
      claimedManifest(commit) ?? (await computeManifestCid(gitdir, [...flat.files, ...filesUnder(cache, flat.reused)])),
  };
}

/** Records the safety snapshot, then rewrites the working tree as planned and logs the operation. */
export async function applyRestore(
  repo: Repo,
  restore: PlannedRestore,
  options: RestoreInput,
): Promise<RestoreOutcome> {
  const { commit, captured, planned, paths } = restore;
  if (!captured) throw new CooError('E_INTERNAL', 'a dry run’s plan cannot be applied', {});
  // A path restore leaves a tree of its own (the old one with those paths changed): the log records that one.
  const after = paths
    ? await treeAfterPlan(repo, captured.capture, planned.plan)
    : { tree: commit.tree, manifest: await restore.manifest() };
  const safety = await recordSnapshot(repo, captured, {
    subject: `safety snapshot before ${options.op} to ${options.label}`,
  });
  const scope = paths ? { paths: paths.sources } : {};
  const progress = options.onProgress;
  const outcome = await applyRewrite(repo, planned, {
    targetCommit: commit.oid,
    safety: safety.commit,
    label: options.label,
    op: options.op,
    ...scope,
    oplog: {
      subject: `${options.op} to ${options.label} (${commit.oid.slice(0, 12)})${paths ? `, only ${paths.sources.join(' ')}` : ''}`,
      record: {
        op: options.op,
        ...options.record,
        target: commit.oid,
        safety: safety.commit,
        label: options.label,
        ...scope,
      },
      tree: after.tree,
      manifest: after.manifest,
    },
    ...(progress ? { onProgress: (p) => progress({ phase: 'write', done: p.done, total: p.total }) } : {}),
  });
  return {
    ...outcome,
    target: commit.oid,
    safety: safety.commit,
    ...scope,
    git: headDrift(repo, recordedGitHeads(commit.message)),
  };
}

export async function restoreCommit(repo: Repo, options: RestoreInput): Promise<RestoreOutcome> {
  return applyRestore(repo, await planRestore(repo, options), options);
}
