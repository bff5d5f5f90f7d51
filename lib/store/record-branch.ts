import { canonicalJson } from '../core/canonical-json.js';
import { CooError } from '../core/coo-error.js';
import { ensureStored } from '../core/schemas.js';
import type { ParsedCommit } from './commit.js';
import { readRef, updateRef } from './refs.js';
import type { Repo } from './repo.js';
import { readCommit } from './rev-parse.js';
import { writeSignedStateCommit, writeStateCommit, type CommitSigner } from './state-commit.js';
import { messageBody, type Trailers } from './trailers.js';

// A branch of JSON-record commits: the shape of every history coo keeps (the operation log,
// requests and decisions, a mission run, a plan attempt). Each commit's message is a subject, the
// record in canonical JSON, and trailers; its first parent is the record before it; its tree is the
// state the record goes with. The ref moves only from the tip the writer read. A record read back
// is checked against its schema, so a damaged one is E_STATE_CORRUPT where it is read, never a
// crash further on.

export interface RecordInput {
  readonly ref: string;
  /** The tip this record follows (the ref moves only from it); null starts the branch. */
  readonly tip: string | null;
  /** A first parent other than the tip, for a branch whose first record stands on a state (a run on its baseline). */
  readonly base?: string;
  /** Parents after the first (a decision names its request). */
  readonly alsoParents?: readonly string[];
  readonly tree: string;
  readonly manifest: string;
  readonly subject: string;
  readonly record: object;
  readonly trailers?: Trailers;
}

export interface RecordEntry<T> {
  readonly commit: string;
  readonly tree: string;
  readonly parents: readonly string[];
  /** The committer's time, in seconds. */
  readonly time: number;
  readonly subject: string;
  readonly message: string;
  readonly record: T;
}

function commitInput(input: RecordInput): Parameters<typeof writeStateCommit>[1] {
  const first = input.base ?? input.tip;
  return {
    tree: input.tree,
    parents: [...(first ? [first] : []), ...(input.alsoParents ?? [])],
    subject: input.subject,
    body: canonicalJson(input.record),
    manifest: input.manifest,
    trailers: input.trailers ?? [],
  };
}

/** Appends one record and moves the branch to it; returns the commit. */
export function appendRecord(repo: Repo, input: RecordInput): string {
  const commit = writeStateCommit(repo, commitInput(input));
  updateRef(repo.layout.gitdir, input.ref, commit, input.tip);
  return commit;
}

/** Appends one record as a signed commit (a human decision). */
export async function appendSignedRecord(repo: Repo, input: RecordInput, signer: CommitSigner): Promise<string> {
  const commit = await writeSignedStateCommit(repo, commitInput(input), signer);
  updateRef(repo.layout.gitdir, input.ref, commit, input.tip);
  return commit;
}

/** The record a commit carries, checked against `schema`; `what` names it in an error. */
export async function recordOf<T>(commit: ParsedCommit, schema: string, what: string): Promise<RecordEntry<T>> {
  let doc: unknown;
  try {
    doc = JSON.parse(messageBody(commit.message));
  } catch (cause) {
    throw new CooError(
      'E_STATE_CORRUPT',
      `commit ${commit.oid} does not carry a JSON ${what}`,
      { commit: commit.oid, schema },
      { cause },
    );
  }
  return {
    commit: commit.oid,
    tree: commit.tree,
    parents: commit.parents,
    time: commit.committer.timestamp,
    subject: commit.message.split('\n')[0] ?? '',
    message: commit.message,
    record: await ensureStored<T>(schema, doc, `${what} ${commit.oid}`),
  };
}

export async function readRecord<T>(
  gitdir: string,
  oid: string,
  schema: string,
  what: string,
): Promise<RecordEntry<T>> {
  return recordOf<T>(await readCommit(gitdir, oid), schema, what);
}

export interface WalkOptions<T> {
  readonly schema: string;
  readonly what: string;
  /** At most this many records. */
  readonly limit?: number;
  /** A commit that is not a record ends the walk before it is read (the root of a ledger). */
  readonly isRecord?: (commit: ParsedCommit) => boolean;
  /** The record that opens the branch (its first parent is a state, not a record). */
  readonly isFirst?: (record: T) => boolean;
}

/** The records from `tip` back along first parents, newest first. */
export async function walkRecords<T>(
  gitdir: string,
  tip: string | null,
  options: WalkOptions<T>,
): Promise<RecordEntry<T>[]> {
  const out: RecordEntry<T>[] = [];
  let oid = tip;
  while (oid && out.length < (options.limit ?? Infinity)) {
    const commit = await readCommit(gitdir, oid);
    if (options.isRecord && !options.isRecord(commit)) break;
    const entry = await recordOf<T>(commit, options.schema, options.what);
    out.push(entry);
    oid = options.isFirst?.(entry.record) ? null : (commit.parents[0] ?? null);
  }
  return out;
}

/** The records of the branch `ref` (none if it does not exist), newest first. */
export async function readRecords<T>(gitdir: string, ref: string, options: WalkOptions<T>): Promise<RecordEntry<T>[]> {
  return walkRecords<T>(gitdir, readRef(gitdir, ref), options);
}
