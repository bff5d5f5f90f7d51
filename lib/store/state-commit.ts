import { formatCommit, type Identity } from './commit.js';
import { writeObject } from './loose-objects.js';
import { emptyTreeOid } from './git-object.js';
import { isogit, isogitCache, isogitFs } from './isogit.js';
import { formatMessage, type Trailers } from './trailers.js';
import { crashPoint } from './crash-point.js';
import type { Repo } from './repo.js';

// Every commit coo writes goes through here, so every one carries the manifest CID of its tree
// as the `Coo-Manifest` trailer. Unsigned commits are formatted and stored by coo's own writer;
// signed ones are made by isomorphic-git, whose onSign hook receives the exact payload to sign.

export interface StateCommitInput {
  readonly tree: string;
  readonly parents: readonly string[];
  readonly subject: string;
  readonly body?: string | null;
  readonly manifest: string;
  readonly trailers?: Trailers;
}

export function stateMessage(input: StateCommitInput): string {
  return formatMessage(input.subject, input.body ?? null, [
    ['Coo-Manifest', input.manifest],
    ...(input.trailers ?? []),
  ]);
}

export function writeStateCommit(repo: Repo, input: StateCommitInput): string {
  // git knows the empty tree's id without the object; fsck does not: store it.
  if (input.tree === emptyTreeOid) writeObject(repo.layout.gitdir, 'tree', Buffer.alloc(0));
  const who = repo.identity();
  const oid = writeObject(
    repo.layout.gitdir,
    'commit',
    formatCommit({
      tree: input.tree,
      parents: input.parents,
      author: who,
      committer: who,
      message: stateMessage(input),
    }),
  );
  crashPoint('commit-written');
  return oid;
}

function isogitIdentity(who: Identity): { name: string; email: string; timestamp: number; timezoneOffset: number } {
  // isomorphic-git counts the offset the way Date#getTimezoneOffset does: minutes *west* of UTC.
  // (0 - 0 is -0, which it would write as `-0000`, git's "zone unknown"; UTC is `+0000`.)
  return {
    name: who.name,
    email: who.email,
    timestamp: who.timestamp,
    timezoneOffset: who.tzOffsetMinutes === 0 ? 0 : -who.tzOffsetMinutes,
  };
}

/** What signs a commit: trust's keys provide it (`commitSigner`); the store only asks for a signature. */
export interface CommitSigner {
  /** Named to isomorphic-git as the signing key (it signs only when one is named). */
  readonly keyId: string;
  /** The armored signature over a commit's payload (the commit without its signature header). */
  sign(payload: Buffer): string;
}

export async function writeSignedStateCommit(
  repo: Repo,
  input: StateCommitInput,
  signer: CommitSigner,
): Promise<string> {
  if (input.tree === emptyTreeOid) writeObject(repo.layout.gitdir, 'tree', Buffer.alloc(0));
  const git = await isogit();
  const who = isogitIdentity(repo.identity());
  const oid = await git.commit({
    fs: isogitFs,
    gitdir: repo.layout.gitdir,
    cache: isogitCache(repo.layout.gitdir),
    ref: 'refs/heads/amu0',
    noUpdateBranch: true,
    tree: input.tree,
    parent: [...input.parents],
    message: stateMessage(input),
    author: who,
    committer: who,
    signingKey: signer.keyId,
    onSign: async ({ payload }) => ({ signature: signer.sign(Buffer.from(payload, 'utf8')) }),
  });
  crashPoint('commit-written');
  return oid;
}
