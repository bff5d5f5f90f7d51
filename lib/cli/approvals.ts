import type { Executors } from '../governance/executor.js';
import { protectAccept, protectAdd, protectRm } from '../gateway/protect.js';
import { trustAdd } from '../gateway/trust.js';
import { missionStep } from '../mission/human-step.js';
import { planApprove, planGate } from '../plan/executors.js';
import { decideRequest, type DecideOptions, type DecideResult } from '../state/decide.js';

// The wiring of what an approval carries out, by request kind. It lives here, above every part
// whose requests it carries out, so that the ledger of requests and decisions (governance) and the
// decision itself (state) never import the missions and plans they unblock.

export const executors: Executors = new Map([
  ['protect.add', protectAdd],
  ['protect.rm', protectRm],
  ['protect.accept', protectAccept],
  ['trust.add', trustAdd],
  ['mission.step', missionStep],
  ['plan.approve', planApprove],
  ['plan.gate', planGate],
]);

/** `coo approve ID` / `coo veto ID`: the human's decision, signed, and what an approval carries out. */
export function decide(options: DecideOptions): Promise<DecideResult> {
  return decideRequest({ ...options, executors });
}
