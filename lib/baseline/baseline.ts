import { createHash } from 'node:crypto';
import { CooError } from '../core/coo-error.js';
import { readCooPins } from '../governance/governance.js';
import { sha256Pin } from '../governance/protected.js';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { cooDirName } from '../store/layout.js';
import { readObjectOfType } from '../store/objects.js';
import { readRef } from '../store/refs.js';
import { readCommit, resolveCommit } from '../store/rev-parse.js';
import { computeManifestCid } from '../store/tree-manifest.js';
import { ensureNoJournal } from '../state/journal.js';
import { openRepo, type Repo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { restoreCommit, type RestoreOutcome, type RestoreProgress } from '../state/restore-commit.js';
import { takeSnapshot } from '../state/take-snapshot.js';
import { amu0Ref, raiseHighWaterMark } from './sequence.js';
import { verifyBaseline, type BaselineVerification } from './verify-baseline.js';
import { requireTrustedKey } from '../governance/trusted-signers.js';
import { baselineTag, untrustedRefusal, writeBaseline, type BaselineWritten } from './write-baseline.js';

// AMU0: the signed baseline lineage. create_amu0_baseline freezes the working tree as the next
// baseline, restore_from_amu0 returns the working tree to a verified baseline, and
// promote_run_to_amu0 makes a good run (or any state) the next baseline.

export interface CreateBaselineOptions extends RepoOptions {
  readonly name: string;
  readonly message?: string;
  readonly onProgress?: (p: RestoreProgress) => void;
}

export async function createAmu0Baseline(
  options: CreateBaselineOptions,
): Promise<BaselineWritten & { readonly tree: string; readonly manifest: string }> {
  const repo = await openRepo(options);
  baselineTag(options.name);
  return withLock(repo, 'baseline create', async () => {
    await ensureNoJournal(repo);
    // Before the snapshot: a key that could not sign leaves nothing behind, not even a snapshot.
    await requireTrustedKey(repo, untrustedRefusal);
    const taken = await takeSnapshot(repo, {
      subject: `snapshot for baseline ${options.name}`,
      kind: 'snapshot',
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const written = await writeBaseline(repo, {
      tree: taken.tree,
      manifest: taken.manifest,
      name: options.name,
      subject: `baseline ${options.name}`,
      body: options.message ?? null,
      promoted: null,
      op: 'baseline-create',
    });
    return { ...written, tree: taken.tree, manifest: taken.manifest };
  });
}

/** Which baseline a name means: a named one (`amu0/NAME` tag) or, with none, the current `amu0`. */
export function baselineRef(repo: Repo, name?: string): { ref: string; oid: string; current: boolean } {
  const ref = name === undefined ? amu0Ref : baselineTag(name);
  const oid = readRef(repo.layout.gitdir, ref);
  if (!oid) {
    if (name === undefined) throw new CooError('E_NO_BASELINE', 'there is no amu0 baseline yet', {});
    throw new CooError('E_REF_NOT_FOUND', `no baseline named ${JSON.stringify(name)}`, { rev: name });
  }
  return { ref, oid, current: name === undefined };
}

export interface RestoreBaselineOptions extends RepoOptions {
  readonly name?: string;
  readonly onProgress?: (p: RestoreProgress) => void;
}

export interface RestoreBaselineResult extends RestoreOutcome {
  readonly baseline: BaselineVerification;
  readonly ref: string;
}

/** The baseline a restore goes to, verified (and, unless only looking, its sequence remembered). */
export async function resolveBaselineLocked(
  repo: Repo,
  options: { name?: string; raise: boolean },
): Promise<{
  oid: string;
  label: string;
  op: 'baseline-restore';
  record: { sequence: number };
  baseline: BaselineVerification;
  ref: string;
}> {
  const target = baselineRef(repo, options.name);
  const baseline = await verifyBaseline(repo, target.oid, { current: target.current });
  if (target.current && options.raise) raiseHighWaterMark(repo, baseline.sequence);
  return {
    oid: target.oid,
    label: options.name === undefined ? 'amu0' : `amu0/${options.name}`,
    op: 'baseline-restore',
    record: { sequence: baseline.sequence },
    baseline,
    ref: target.ref,
  };
}

/** Restores in an already-locked repository. */
export async function restoreBaselineLocked(
  repo: Repo,
  options: { name?: string; onProgress?: (p: RestoreProgress) => void },
): Promise<RestoreBaselineResult> {
  const target = await resolveBaselineLocked(repo, {
    ...(options.name === undefined ? {} : { name: options.name }),
    raise: true,
  });
  const outcome = await restoreCommit(repo, {
    target: target.oid,
    label: target.label,
    op: target.op,
    record: target.record,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { ...outcome, baseline: target.baseline, ref: target.ref };
}

export async function restoreFromAmu0(options: RestoreBaselineOptions = {}): Promise<RestoreBaselineResult> {
  const repo = await openRepo(options);
  return withLock(repo, 'baseline restore', () =>
    restoreBaselineLocked(repo, {
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
  );
}

export interface PromoteOptions extends RepoOptions {
  /** The state to promote: a run (`runs/M/1`), a snapshot, any commit of the state repo. */
  readonly ref: string;
  readonly name?: string;
  readonly message?: string;
}

/**
 * A state becomes a baseline only under the policy in force: its governance files (`.coo/`) must
 * be the ones pinned now, so that a baseline's signature covers the policy it is trusted under. A
 * run started before an approved policy change, or a snapshot taken before it, is refused.
 */
async function ensureUnderPolicyInForce(repo: Repo, files: readonly FileRecord[], ref: string): Promise<void> {
  const pins = (await readCooPins(repo.layout)) ?? {};
  const held = new Map<string, string>();
  for (const f of files) {
    if (!f.path.startsWith(`${cooDirName}/`)) continue;
    const content = await readObjectOfType(repo.layout.gitdir, f.oid, 'blob');
    held.set(f.path, sha256Pin(createHash('sha256').update(content).digest('hex')));
  }
  const differ = [...new Set([...Object.keys(pins), ...held.keys()])]
    .filter((path) => (pins[path] ?? null) !== (held.get(path) ?? null))
    .sort();
  if (differ.length > 0) {
    throw new CooError(
      'E_CHANGED_SINCE_BASE',
      `${ref} holds other governance files than the policy in force (${differ.length}, first ${JSON.stringify(differ[0])}): it was made under another policy; run it again from the current baseline`,
      { ref, paths: differ },
    );
  }
}

export async function promoteRunToAmu0(
  options: PromoteOptions,
): Promise<BaselineWritten & { readonly promoted: string }> {
  const repo = await openRepo(options);
  if (options.name !== undefined) baselineTag(options.name);
  return withLock(repo, 'baseline promote', async () => {
    await ensureNoJournal(repo);
    await requireTrustedKey(repo, untrustedRefusal);
    const { gitdir } = repo.layout;
    const promoted = await readCommit(gitdir, (await resolveCommit(gitdir, options.ref)).oid);
    const files = (await readFlatTree(gitdir, promoted.tree)).files;
    await ensureUnderPolicyInForce(repo, files, options.ref);
    // The manifest is recomputed from the blobs, never copied: the signature will vouch for it.
    const manifest = await computeManifestCid(gitdir, files);
    const written = await writeBaseline(repo, {
      tree: promoted.tree,
      manifest,
      name: options.name ?? null,
      subject: `promote ${options.ref}${options.name ? ` as ${options.name}` : ''}`,
      body: options.message ?? null,
      promoted: promoted.oid,
      op: 'baseline-promote',
    });
    return { ...written, promoted: promoted.oid };
  });
}
