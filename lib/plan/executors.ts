import type { Executor } from '../governance/executor.js';
import { findRequest } from '../governance/requests.js';
import { recordPlanEvent } from './plan-state.js';
import { advancePlanLocked, ensureGateHolds, readPlan, waitingPlan } from './runner.js';

// A plan's human touchpoints are requests: approving the plan starts it (G1 on), approving a gate
// goes on with the next stage, a veto of either ends the plan there. The signed decision is on
// `approvals`; its commit is recorded in the plan too.

async function decided(repo: Parameters<Executor['run']>[0], id: string): Promise<string | null> {
  return (await findRequest(repo, id)).decision?.commit ?? null;
}

function gateExecutor(state: 'awaiting_approval' | 'awaiting_readiness'): Executor {
  return {
    async check(repo, request, decision) {
      const read = await waitingPlan(repo, request, state);
      if (decision === 'approve') await ensureGateHolds(repo, read);
    },
    async run(repo, request) {
      const { id, status } = await waitingPlan(repo, request, state);
      const stage = status.awaiting?.gate === 'plan' ? null : (status.awaiting?.gate ?? null);
      await recordPlanEvent(repo, id, 'approve', {
        stage,
        data: { request: request.id, decision: await decided(repo, request.id) },
      });
      return { plan: await advancePlanLocked(repo, id) };
    },
    async veto(repo, request) {
      const { id, status } = await waitingPlan(repo, request, state);
      const stage = status.awaiting?.gate === 'plan' ? null : (status.awaiting?.gate ?? null);
      await recordPlanEvent(repo, id, 'veto', {
        stage,
        data: { request: request.id, decision: await decided(repo, request.id) },
      });
      return { plan: (await readPlan(repo, id)).status };
    },
  };
}

export const planApprove = gateExecutor('awaiting_approval');
export const planGate = gateExecutor('awaiting_readiness');
