import { CooError } from '../core/coo-error.js';
import { readRef, updateRef, isValidRefName } from '../store/refs.js';
import { commitSigner } from '../trust/signing-key.js';
import { requireTrustedKey } from '../governance/trusted-signers.js';
import { appendOperation } from '../state/oplog.js';
import type { Repo } from '../store/repo.js';
import { writeSignedStateCommit } from '../store/state-commit.js';
import { amu0Ref, baselineTagPrefix, highWaterMark, raiseHighWaterMark } from './sequence.js';
import { verifyBaseline } from './verify-baseline.js';

// The one way a baseline comes to be (create and promote both end here): the signing key must be
// one the allowed signers in force trust (a baseline nobody could verify is never signed), the
// current lineage is verified first (a new baseline never blesses a tampered one), the commit is
// signed with the next sequence number, `amu0` moves, and the name, if any, is pinned as a tag
// that never moves.

export interface BaselineWritten {
  readonly commit: string;
  readonly sequence: number;
  readonly name: string | null;
  readonly tag: string | null;
  readonly previous: string | null;
}

/** What E_SIGNER_UNTRUSTED says when the signing key would sign a baseline nobody could verify. */
export const untrustedRefusal = 'coo will not sign a baseline with it';

export function baselineTag(name: string): string {
  const tag = `${baselineTagPrefix}${name}`;
  if (name.includes('/') || !isValidRefName(tag)) {
    throw new CooError(
      'E_REF_INVALID',
      `${JSON.stringify(name)} is not a valid baseline name (letters, digits, ., _ and -)`,
      { name },
    );
  }
  return tag;
}

export async function writeBaseline(
  repo: Repo,
  input: {
    tree: string;
    manifest: string;
    name: string | null;
    subject: string;
    body: string | null;
    promoted: string | null;
    op: 'baseline-create' | 'baseline-promote';
  },
): Promise<BaselineWritten> {
  const { gitdir } = repo.layout;
  const tag = input.name === null ? null : baselineTag(input.name);
  if (tag && readRef(gitdir, tag))
    throw new CooError('E_BASELINE_EXISTS', `baseline ${input.name} already exists`, { name: input.name, tag });
  const { key } = await requireTrustedKey(repo, untrustedRefusal);
  const previous = readRef(gitdir, amu0Ref);
  const previousSeq = previous ? (await verifyBaseline(repo, previous, { current: true })).sequence : 0;
  const sequence = Math.max(previousSeq, await highWaterMark(repo)) + 1;
  if (previous && sequence !== previousSeq + 1) {
    throw new CooError(
      'E_BASELINE_OUT_OF_SEQUENCE',
      `amu0 is at #${previousSeq} but #${sequence - 1} was already seen`,
      {
        expected: sequence - 1,
        found: previousSeq,
      },
    );
  }
  const parents = [...(previous ? [previous] : []), ...(input.promoted ? [input.promoted] : [])];
  const commit = await writeSignedStateCommit(
    repo,
    {
      tree: input.tree,
      parents,
      subject: input.subject,
      body: input.body,
      manifest: input.manifest,
      trailers: [
        ['Coo-Op', input.op === 'baseline-create' ? 'baseline' : 'promote'],
        ...(input.name ? ([['Coo-Baseline', input.name]] as const) : []),
        ['Coo-Sequence', String(sequence)],
      ],
    },
    commitSigner(key),
  );
  updateRef(gitdir, amu0Ref, commit, previous);
  raiseHighWaterMark(repo, sequence);
  if (tag) updateRef(gitdir, tag, commit, null);
  appendOperation(repo, {
    subject: `${input.op} #${sequence}${input.name ? ` ${input.name}` : ''} (${commit.slice(0, 12)})`,
    record: { op: input.op, commit, sequence, name: input.name, previous, promoted: input.promoted },
    tree: input.tree,
    manifest: input.manifest,
  });
  return { commit, sequence, name: input.name, tag, previous };
}
