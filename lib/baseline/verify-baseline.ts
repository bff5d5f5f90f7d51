import { CooError } from '../core/coo-error.js';
import { findSigner, type AllowedSigner } from '../trust/allowed-signers.js';
import { formatPublicKeyLine } from '../trust/ed25519-key.js';
import { gitNamespace, verifySshSig } from '../trust/sshsig.js';
import type { ParsedCommit } from '../store/commit.js';
import { readFlatTree } from '../store/flat-tree.js';
import { readCommit } from '../store/rev-parse.js';
import { claimedManifest, computeManifestCid } from '../store/tree-manifest.js';
import type { Repo } from '../store/repo.js';
import { signersInForce } from '../governance/trusted-signers.js';
import { highWaterMark, sequenceOf } from './sequence.js';

// coo's own verifier of baselines (isomorphic-git's read side only knows PGP): the SSH signature
// over the commit payload, the signer against the allowed signers in force (.coo/allowed_signers
// as last approved: a file that differs from its pin is E_PROTECTED_TAMPERED before any signature
// is judged; namespace `git`, at the commit's time, as `git verify-commit` judges), the manifest
// CID against the tree, and the lineage of sequence numbers. Each failure has its own code.

export interface SignerInfo {
  readonly principals: readonly string[];
  readonly key: string;
}

/** Checks one commit's signature and signer; throws E_UNSIGNED, E_SIGNATURE_INVALID or E_SIGNER_UNTRUSTED. */
export function checkSignature(commit: ParsedCommit, signers: readonly AllowedSigner[]): SignerInfo {
  if (!commit.gpgsig) throw new CooError('E_UNSIGNED', `commit ${commit.oid} is not signed`, { commit: commit.oid });
  const check = verifySshSig(commit.gpgsig, commit.payload, gitNamespace);
  if (!check.ok) {
    throw new CooError('E_SIGNATURE_INVALID', `the signature on ${commit.oid} is not valid: ${check.reason}`, {
      commit: commit.oid,
      reason: check.reason,
    });
  }
  const key = formatPublicKeyLine(check.publicKey);
  const signer = findSigner(signers, check.publicKey, { namespace: gitNamespace, time: commit.committer.timestamp });
  if (!signer) {
    throw new CooError(
      'E_SIGNER_UNTRUSTED',
      `${commit.oid} is signed by a key .coo/allowed_signers does not trust: ${key}`,
      { commit: commit.oid, key },
    );
  }
  return { principals: signer.principals, key };
}

export async function checkManifest(repo: Repo, commit: ParsedCommit): Promise<string> {
  const claimed = claimedManifest(commit);
  const actual = await computeManifestCid(
    repo.layout.gitdir,
    (await readFlatTree(repo.layout.gitdir, commit.tree)).files,
  );
  if (claimed !== actual) {
    throw new CooError(
      'E_MANIFEST_MISMATCH',
      `commit ${commit.oid} claims manifest ${claimed ?? '(none)'} but its tree gives ${actual}`,
      {
        commit: commit.oid,
        claimed,
        actual,
      },
    );
  }
  return actual;
}

export interface BaselineVerification {
  readonly commit: string;
  readonly sequence: number;
  readonly signer: SignerInfo;
  readonly manifest: string;
  /** How many baselines the lineage walk checked (this one included). */
  readonly lineage: number;
}

/**
 * Verifies a baseline and its lineage. With `current: true` (the `amu0` ref itself, not a named
 * tag) it must also be at least as new as the newest baseline coo has seen.
 */
export async function verifyBaseline(
  repo: Repo,
  oid: string,
  options: { current: boolean },
): Promise<BaselineVerification> {
  const { gitdir } = repo.layout;
  const { signers } = await signersInForce(repo);
  const tip = await readCommit(gitdir, oid);
  const signer = checkSignature(tip, signers);
  const sequence = sequenceOf(tip);
  if (sequence === null) {
    throw new CooError('E_BASELINE_OUT_OF_SEQUENCE', `baseline ${oid} carries no sequence number`, {
      commit: oid,
      expected: null,
      found: null,
    });
  }
  if (options.current) {
    const mark = await highWaterMark(repo);
    if (sequence < mark) {
      throw new CooError(
        'E_BASELINE_OUT_OF_SEQUENCE',
        `amu0 points at baseline #${sequence}, but #${mark} was already seen: the ref was moved back`,
        {
          commit: oid,
          expected: mark,
          found: sequence,
        },
      );
    }
  }
  let lineage = 1;
  let child = tip;
  let childSeq = sequence;
  while (child.parents[0]) {
    const parent = await readCommit(gitdir, child.parents[0]);
    checkSignature(parent, signers);
    const parentSeq = sequenceOf(parent);
    if (parentSeq !== childSeq - 1) {
      throw new CooError(
        'E_BASELINE_OUT_OF_SEQUENCE',
        `baseline #${childSeq} (${child.oid}) follows #${parentSeq ?? '?'} instead of #${childSeq - 1}`,
        {
          commit: child.oid,
          expected: childSeq - 1,
          found: parentSeq,
        },
      );
    }
    lineage += 1;
    child = parent;
    childSeq = parentSeq;
  }
  if (childSeq !== 1) {
    throw new CooError('E_BASELINE_OUT_OF_SEQUENCE', `the first baseline of the lineage is #${childSeq}, not #1`, {
      commit: child.oid,
      expected: 1,
      found: childSeq,
    });
  }
  return { commit: oid, sequence, signer, manifest: await checkManifest(repo, tip), lineage };
}
