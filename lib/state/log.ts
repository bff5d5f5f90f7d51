import { readCommit, resolveCommit } from '../store/rev-parse.js';
import { parseTrailers } from '../store/trailers.js';
import type { GitHead } from '../worktree/git-head.js';
import { recordedGitHeads } from './git-heads.js';
import { listOperations, type OpRecord } from './oplog.js';
import { openRepo, type RepoOptions } from '../store/repo.js';

export interface LogOptions extends RepoOptions {
  /** A state to list the history of (first parents); without it, the operation log. */
  readonly rev?: string;
  readonly limit?: number;
}

export interface LogEntry {
  readonly oid: string;
  readonly time: number;
  readonly subject: string;
  readonly op: string | null;
  readonly signed: boolean;
  readonly sequence: number | null;
  /** For operation log entries: the operation's record. */
  readonly record: OpRecord | null;
  /** The user's git HEAD recorded with a snapshot (branch and commit), where one was. */
  readonly gitHead: GitHead | null;
}

/** `coo log [REF]`: newest first. */
export async function log(options: LogOptions = {}): Promise<LogEntry[]> {
  const repo = await openRepo(options);
  const { gitdir } = repo.layout;
  const limit = options.limit ?? Infinity;
  if (options.rev === undefined) {
    return (await listOperations(repo, limit)).map((e) => ({
      oid: e.oid,
      time: e.time,
      subject: e.subject,
      op: e.record.op,
      signed: false,
      sequence: typeof e.record['sequence'] === 'number' ? (e.record['sequence'] as number) : null,
      record: e.record,
      gitHead: (e.record['gitHead'] as GitHead | undefined) ?? null,
    }));
  }
  const entries: LogEntry[] = [];
  let oid: string | null = (await resolveCommit(gitdir, options.rev)).oid;
  while (oid && entries.length < limit) {
    const commit = await readCommit(gitdir, oid);
    const trailers = parseTrailers(commit.message);
    const seq = trailers.get('Coo-Sequence');
    entries.push({
      oid,
      time: commit.committer.timestamp,
      subject: commit.message.split('\n')[0] ?? '',
      op: trailers.get('Coo-Op') ?? null,
      signed: commit.gpgsig !== null,
      sequence: seq === undefined ? null : Number(seq),
      record: null,
      gitHead: recordedGitHeads(commit.message)?.head ?? null,
    });
    oid = commit.parents[0] ?? null;
  }
  return entries;
}
