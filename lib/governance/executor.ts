import type { Repo } from '../store/repo.js';
import type { RequestStatus } from './requests.js';

// What an approval carries out, by request kind. The ledger of requests and decisions knows only
// this shape; the executors themselves (a registry change, a mission's next step, a plan's next
// stage) are wired from above, by the CLI and the library's entry point, so governance never
// imports the missions and plans its decisions unblock.

export interface Executor {
  /** Throws if the request can no longer be decided this way; runs before the decision is signed. */
  check(repo: Repo, request: RequestStatus, decision: 'approve' | 'veto'): Promise<void>;
  /** Carries out an approval. */
  run(repo: Repo, request: RequestStatus): Promise<Record<string, unknown>>;
  /** Carries out a veto, when a veto has more to do than record itself. */
  veto?(repo: Repo, request: RequestStatus): Promise<Record<string, unknown>>;
}

/** Executors by request kind (`protect.add`, `mission.step`, `plan.gate`, …). */
export type Executors = ReadonlyMap<string, Executor>;
