import { CooError } from '../core/coo-error.js';
import { emptyTreeOid } from '../store/git-object.js';
import { manifestCid } from '../store/manifest.js';
import { appendRecord, appendSignedRecord, readRecords } from '../store/record-branch.js';
import { readRef } from '../store/refs.js';
import type { Repo } from '../store/repo.js';
import type { CommitSigner } from '../store/state-commit.js';
import { parseTrailers } from '../store/trailers.js';
import { writeStateCommit } from '../store/state-commit.js';

// Requests for a human decision (a change to the protected registry, a mission's human step, a
// plan's gate), one record each on `requests`, numbered, …. Decisions are signed records
// on `approvals` whose second parent is the request: plain git shows which decision answers which
// request, and `git verify-commit` checks who decided.

export const requestsRef = 'refs/heads/requests';
export const approvalsRef = 'refs/heads/approvals';

export interface Request {
  readonly id: string;
  readonly kind: string;
  readonly summary: string;
  readonly payload: Record<string, unknown>;
  readonly commit: string;
}

export interface Decision {
  readonly request: string;
  readonly decision: 'approve' | 'veto';
  readonly commit: string;
  readonly note: string | null;
}

export interface RequestStatus extends Request {
  readonly status: 'pending' | 'approved' | 'vetoed';
  readonly decision: Decision | null;
}

interface RequestRecord {
  readonly id: string;
  readonly kind: string;
  readonly summary: string;
  readonly payload: Record<string, unknown>;
}

interface DecisionRecord {
  readonly request: string;
  readonly decision: 'approve' | 'veto';
  readonly note: string | null;
}

const noFiles = manifestCid([]);

export async function listRequests(repo: Repo): Promise<RequestStatus[]> {
  const { gitdir } = repo.layout;
  const requests = await readRecords<RequestRecord>(gitdir, requestsRef, { schema: 'request', what: 'request' });
  const decisions = await readRecords<DecisionRecord>(gitdir, approvalsRef, {
    schema: 'decision',
    what: 'decision',
    isRecord: (commit) => parseTrailers(commit.message).has('Coo-Decision'), // not the ledger's root
  });
  return requests.reverse().map(({ commit, record }) => {
    const found = decisions.find((d) => d.record.request === record.id);
    const decision = found
      ? {
          request: found.record.request,
          decision: found.record.decision,
          commit: found.commit,
          note: found.record.note,
        }
      : null;
    const status = decision === null ? 'pending' : decision.decision === 'approve' ? 'approved' : 'vetoed';
    return {
      id: record.id,
      kind: record.kind,
      summary: record.summary,
      payload: record.payload,
      commit,
      decision,
      status,
    };
  });
}

/** Records a request (the caller holds the lock). */
export async function createRequest(
  repo: Repo,
  kind: string,
  summary: string,
  payload: Record<string, unknown>,
): Promise<Request> {
  const id = `R-${(await listRequests(repo)).length + 1}`;
  const commit = appendRecord(repo, {
    ref: requestsRef,
    tip: readRef(repo.layout.gitdir, requestsRef),
    tree: emptyTreeOid,
    manifest: noFiles,
    subject: `request ${id}: ${summary}`,
    record: { id, kind, payload, summary, version: 1 },
    trailers: [
      ['Coo-Op', 'request'],
      ['Coo-Request', id],
    ],
  });
  return { id, kind, summary, payload, commit };
}

export async function findRequest(repo: Repo, id: string): Promise<RequestStatus> {
  const found = (await listRequests(repo)).find((r) => r.id === id);
  if (!found) throw new CooError('E_REQUEST_NOT_FOUND', `no request ${id}`, { id });
  return found;
}

/** Signs a decision on a request into the ledger (the caller holds the lock and has checked the signer is trusted). */
export async function recordDecision(
  repo: Repo,
  request: Request,
  input: { decision: 'approve' | 'veto'; note: string | null; signer: CommitSigner },
): Promise<string> {
  const tip = readRef(repo.layout.gitdir, approvalsRef);
  // The first decision starts the ledger with an empty root commit, so that every decision has
  // the previous one as first parent and its request as second: `git log --first-parent
  // approvals` lists decisions only.
  const base =
    tip ?? writeStateCommit(repo, { tree: emptyTreeOid, parents: [], subject: 'approvals ledger', manifest: noFiles });
  return appendSignedRecord(
    repo,
    {
      ref: approvalsRef,
      tip,
      base,
      alsoParents: [request.commit],
      tree: emptyTreeOid,
      manifest: noFiles,
      subject: `${input.decision} ${request.id}: ${request.summary}`,
      record: {
        decision: input.decision,
        note: input.note,
        request: request.id,
        requestCommit: request.commit,
        version: 1,
      },
      trailers: [
        ['Coo-Op', input.decision],
        ['Coo-Request', request.id],
        ['Coo-Decision', input.decision],
      ],
    },
    input.signer,
  );
}
