import { CooError } from '../core/coo-error.js';
import type { Repo } from '../store/repo.js';
import type { RequestStatus } from './requests.js';

// What only a person does, and what an approval carries out.

/** Human-only commands refuse to run where a mission runs (its environment names the mission). */
export function ensureNotInMission(env: Readonly<Record<string, string | undefined>>, action: string): void {
  const mission = env['COO_MISSION_ID'];
  if (mission) throw new CooError('E_IN_MISSION', `${action} is a human action and mission ${mission} is running here`, { mission, action });
}

export interface Executor {
  /** Throws if the request can no longer be decided this way; runs before the decision is signed. */
  check(repo: Repo, request: RequestStatus, decision: 'approve' | 'veto'): Promise<void>;
  /** Carries out an approval. */
  run(repo: Repo, request: RequestStatus): Promise<Record<string, unknown>>;
  /** Carries out a veto, when a veto has more to do than record itself. */
  veto?(repo: Repo, request: RequestStatus): Promise<Record<string, unknown>>;
}
