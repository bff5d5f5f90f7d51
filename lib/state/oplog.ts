import { canonicalJson } from '../core/canonical-json.js';
import { readRef, updateRef } from '../store/refs.js';
import { readCommit } from '../store/rev-parse.js';
import { messageBody } from '../store/trailers.js';
import { CooError } from '../core/coo-error.js';
import { ensureStored } from '../core/schemas.js';
import type { Repo } from '../store/repo.js';
import { writeStateCommit } from '../store/state-commit.js';

// The operation log: one commit per coo operation on `refs/heads/oplog`, whose tree is the state
// the operation produced and whose message body is the operation's record in canonical JSON.
// Everything needed to undo a rollback (the safety snapshot) is in its record.

export const oplogRef = 'refs/heads/oplog';

export type OpName = 'snapshot' | 'rollback' | 'undo' | 'baseline-create' | 'baseline-restore' | 'baseline-promote' | 'write' | 'approve' | 'veto' | 'request';

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

export function appendOperation(repo: Repo, entry: { subject: string; record: OpRecord; tree: string; manifest: string }): string {
  const { gitdir } = repo.layout;
  const tip = readRef(gitdir, oplogRef);
  const oid = writeStateCommit(repo, {
    tree: entry.tree,
    parents: tip ? [tip] : [],
    subject: entry.subject,
    body: canonicalJson({ version: 1, ...entry.record }),
    manifest: entry.manifest,
    trailers: [['Coo-Op', entry.record.op]],
  });
  updateRef(gitdir, oplogRef, oid, tip);
  return oid;
}

/** The newest operations first. */
export async function listOperations(repo: Repo, limit = Infinity): Promise<OpEntry[]> {
  const { gitdir } = repo.layout;
  const out: OpEntry[] = [];
  let oid = readRef(gitdir, oplogRef);
  while (oid && out.length < limit) {
    const commit = await readCommit(gitdir, oid);
    let doc: unknown;
    try {
      doc = JSON.parse(messageBody(commit.message));
    } catch (cause) {
      throw new CooError('E_STATE_CORRUPT', `oplog commit ${oid} does not carry a JSON record`, { commit: oid }, { cause });
    }
    const record = await ensureStored<OpRecord>('oplog-record', doc, `oplog commit ${oid}`);
    out.push({ oid, time: commit.committer.timestamp, subject: commit.message.split('\n')[0] ?? '', record });
    oid = commit.parents[0] ?? null;
  }
  return out;
}
