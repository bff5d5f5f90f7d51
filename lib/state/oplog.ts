import { appendRecord, readRecords } from '../store/record-branch.js';
import { readRef } from '../store/refs.js';
import type { Repo } from '../store/repo.js';

// The operation log: one commit per coo operation on `refs/heads/oplog`, whose tree is the state
// the operation produced and whose message body is the operation's record in canonical JSON.
// Everything needed to undo a rollback (the safety snapshot) is in its record.

export const oplogRef = 'refs/heads/oplog';

export type OpName =
  | 'snapshot'
  | 'rollback'
  | 'undo'
  | 'baseline-create'
  | 'baseline-restore'
  | 'baseline-promote'
  | 'write'
  | 'approve'
  | 'veto'
  | 'request';

export interface OpRecord {
  readonly op: OpName;
  readonly [field: string]: unknown;
}

export interface OpEntry {
  readonly oid: string;
  readonly time: number;
  readonly subject: string;
  readonly record: OpRecord;
}

export function appendOperation(
  repo: Repo,
  entry: { subject: string; record: OpRecord; tree: string; manifest: string },
): string {
  return appendRecord(repo, {
    ref: oplogRef,
    tip: readRef(repo.layout.gitdir, oplogRef),
    tree: entry.tree,
    manifest: entry.manifest,
    subject: entry.subject,
    record: { version: 1, ...entry.record },
    trailers: [['Coo-Op', entry.record.op]],
  });
}

/** The newest operations first. */
export async function listOperations(repo: Repo, limit = Infinity): Promise<OpEntry[]> {
  const entries = await readRecords<OpRecord>(repo.layout.gitdir, oplogRef, {
    schema: 'oplog-record',
    what: 'oplog record',
    limit,
  });
  return entries.map((e) => ({ oid: e.commit, time: e.time, subject: e.subject, record: e.record }));
}
