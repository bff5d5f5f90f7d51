import { CooError } from '../core/coo-error.js';
import { emptyTreeOid } from '../store/git-object.js';
import { manifestCid } from '../store/manifest.js';
import { readRef, updateRef } from '../store/refs.js';
import { readCommit } from '../store/rev-parse.js';
import { messageBody, parseTrailers } from '../store/trailers.js';
import { canonicalJson } from '../core/canonical-json.js';
import { ensureStored } from '../core/schemas.js';
import type { Repo } from '../store/repo.js';
import { writeStateCommit } from '../store/state-commit.js';

// Requests for a human decision (a change to the protected registry, later a mission's human
// step), one commit each on `requests`, numbered, …. Decisions are signed commits on
// `approvals` whose second parent is the request: plain git shows which decision answers which
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

async function logOf<T>(repo: Repo, ref: string, read: (message: string, oid: string) => Promise<T | null>): Promise<T[]> {
  const { gitdir } = repo.layout;
  const out: T[] = [];
  let oid = readRef(gitdir, ref);
  while (oid) {
    const commit = await readCommit(gitdir, oid);
    const item = await read(commit.message, oid);
    if (item) out.push(item);
    oid = commit.parents[0] ?? null;
  }
  return out.reverse();
}

function parseBody(message: string, commit: string): unknown {
  try {
    return JSON.parse(messageBody(message));
  } catch (cause) {
    throw new CooError('E_STATE_CORRUPT', `commit ${commit} does not carry a JSON record`, { commit }, { cause });
  }
}

export async function listRequests(repo: Repo): Promise<RequestStatus[]> {
  const requests = await logOf(repo, requestsRef, async (message, commit) => {
    const doc = await ensureStored<{ id: string; kind: string; summary: string; payload: Record<string, unknown> }>('request', parseBody(message, commit), `request ${commit}`);
    return { id: doc.id, kind: doc.kind, summary: doc.summary, payload: doc.payload, commit };
  });
  const decisions = await logOf(repo, approvalsRef, async (message, commit) => {
    if (!parseTrailers(message).has('Coo-Decision')) return null; // the ledger's root
    const doc = await ensureStored<{ request: string; decision: 'approve' | 'veto'; note: string | null }>('decision', parseBody(message, commit), `decision ${commit}`);
    return { request: doc.request, decision: doc.decision, commit, note: doc.note } as Decision;
  });
  return requests.map((r) => {
    const decision = decisions.find((d) => d.request === r.id) ?? null;
    return { ...r, decision, status: decision === null ? 'pending' : decision.decision === 'approve' ? 'approved' : 'vetoed' };
  });
}

/** Records a request (the caller holds the lock). */
export async function createRequest(repo: Repo, kind: string, summary: string, payload: Record<string, unknown>): Promise<Request> {
  const { gitdir } = repo.layout;
  const id = `R-${(await listRequests(repo)).length + 1}`;
  const tip = readRef(gitdir, requestsRef);
  const commit = writeStateCommit(repo, {
    tree: emptyTreeOid,
    parents: tip ? [tip] : [],
    subject: `request ${id}: ${summary}`,
    body: canonicalJson({ id, kind, payload, summary, version: 1 }),
    manifest: manifestCid([]),
    trailers: [['Coo-Op', 'request'], ['Coo-Request', id]],
  });
  updateRef(gitdir, requestsRef, commit, tip);
  return { id, kind, summary, payload, commit };
}

export async function findRequest(repo: Repo, id: string): Promise<RequestStatus> {
  const found = (await listRequests(repo)).find((r) => r.id === id);
  if (!found) throw new CooError('E_REQUEST_NOT_FOUND', `no request ${id}`, { id });
  return found;
}
