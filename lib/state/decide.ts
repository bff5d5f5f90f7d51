import { CooError } from '../core/coo-error.js';
import { commitSigner } from '../trust/signing-key.js';
import { emptyTreeOid } from '../store/git-object.js';
import { manifestCid } from '../store/manifest.js';
import { appendOperation } from './oplog.js';
import { openRepo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { findRequest, recordDecision, type Decision } from '../governance/requests.js';
import type { Executors } from '../governance/executor.js';
import { ensureNotInMission } from '../governance/human-only.js';
import { requireTrustedKey } from '../governance/trusted-signers.js';

// `coo approve ID` / `coo veto ID`: the human's only actions, each a commit signed with a key the
// allowed signers in force trust (.coo/allowed_signers as last approved: while the file differs
// from its pin, nobody decides anything). An approval then carries out what the request asked
// for, through the executor registered for its kind.

export interface DecideOptions extends RepoOptions {
  readonly id: string;
  readonly decision: 'approve' | 'veto';
  readonly note?: string;
}

export interface DecideResult extends Decision {
  readonly kind: string;
  readonly summary: string;
  readonly signer: readonly string[];
  /** What carrying out an approved request did. */
  readonly result: Record<string, unknown> | null;
}

/** The decision, with the executors that carry out what a request asks for (`cli/approvals.ts` wires coo's own). */
export async function decideRequest(options: DecideOptions & { readonly executors: Executors }): Promise<DecideResult> {
  const repo = await openRepo(options);
  ensureNotInMission(repo.env, options.decision);
  return withLock(repo, options.decision, async () => {
    const request = await findRequest(repo, options.id);
    if (request.status !== 'pending') {
      throw new CooError('E_REQUEST_CLOSED', `${request.id} was already ${request.status}`, {
        id: request.id,
        status: request.status,
        decision: request.decision?.commit ?? null,
      });
    }
    const { key, signer } = await requireTrustedKey(repo, 'its decision would count for nothing');
    const executor = options.executors.get(request.kind);
    if (!executor)
      throw new CooError('E_INTERNAL', `no executor for requests of kind ${request.kind}`, { kind: request.kind });
    if (options.decision === 'approve' || executor.veto) await executor.check(repo, request, options.decision);
    const note = options.note ?? null;
    const commit = await recordDecision(repo, request, { decision: options.decision, note, signer: commitSigner(key) });
    appendOperation(repo, {
      subject: `${options.decision} ${request.id} (${commit.slice(0, 12)})`,
      record: { op: options.decision, request: request.id, commit },
      tree: emptyTreeOid,
      manifest: manifestCid([]),
    });
    const result =
      options.decision === 'approve'
        ? await executor.run(repo, request)
        : executor.veto
          ? await executor.veto(repo, request)
          : null;
    return {
      request: request.id,
      decision: options.decision,
      commit,
      note,
      kind: request.kind,
      summary: request.summary,
      signer: signer.principals,
      result,
    };
  });
}
