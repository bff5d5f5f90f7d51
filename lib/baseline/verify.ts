import { resolveCommit, readCommit } from '../store/rev-parse.js';
import { openRepo, type RepoOptions } from '../store/repo.js';
import { captureNow } from '../worktree/capture-now.js';
import { ensureNotTampered, pinsOfCapture, registryOf } from '../governance/governance.js';
import { baselineRef } from './baseline.js';
import { amu0Ref, sequenceOf } from './sequence.js';
import { isBaselineRef } from './resolve-state.js';
import { signersInForce } from '../governance/trusted-signers.js';
import { checkManifest, checkSignature, verifyBaseline, type SignerInfo } from './verify-baseline.js';

export interface VerifyOptions extends RepoOptions {
  /** What to verify; default: the current AMU0 baseline. */
  readonly rev?: string;
}

export interface VerifyReport {
  /** The tamper tripwire over the working tree's protected files: always 'clean' in a report (tampering throws). */
  readonly protected: 'clean';
  readonly rev: string;
  readonly commit: string;
  /** A baseline (reached through `amu0`, or carrying a sequence number) must be signed; other states need not be. */
  readonly kind: 'baseline' | 'state';
  readonly signer: SignerInfo | null;
  readonly sequence: number | null;
  readonly lineage: number | null;
  readonly manifest: string;
}

/** `coo verify [REF]`: throws the failure's own error (E_UNSIGNED, E_SIGNATURE_INVALID, …) or returns what was proved. */
export async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
  const repo = await openRepo(options);
  const { gitdir } = repo.layout;
  const resolved =
    options.rev === undefined ? { oid: baselineRef(repo).oid, ref: amu0Ref } : await resolveCommit(gitdir, options.rev);
  const commit = await readCommit(gitdir, resolved.oid);
  const rev = options.rev ?? 'amu0';
  const throughBaselineRef = isBaselineRef(resolved.ref ?? null);
  let report: Omit<VerifyReport, 'protected'>;
  if (throughBaselineRef || sequenceOf(commit) !== null) {
    const checked = await verifyBaseline(repo, commit.oid, { current: resolved.ref === amu0Ref });
    report = {
      rev,
      commit: commit.oid,
      kind: 'baseline',
      signer: checked.signer,
      sequence: checked.sequence,
      lineage: checked.lineage,
      manifest: checked.manifest,
    };
  } else {
    const signer = commit.gpgsig ? checkSignature(commit, (await signersInForce(repo)).signers) : null;
    report = {
      rev,
      commit: commit.oid,
      kind: 'state',
      signer,
      sequence: null,
      lineage: null,
      manifest: await checkManifest(repo, commit),
    };
  }
  const capture = await captureNow(repo);
  ensureNotTampered(await registryOf(repo), pinsOfCapture(capture.files));
  return { ...report, protected: 'clean' };
}
