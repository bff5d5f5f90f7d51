import { CooError } from '../core/coo-error.js';
import type { Executor } from '../governance/executor.js';
import { readRun, parseRunName, runName, type RunId } from './run-state.js';
import { approveStepLocked, vetoStepLocked } from './runner.js';

// A mission's human step is a request; deciding it moves the run on: an approval continues with the
// next step (and on to staging and applying), a veto stops the run with nothing applied.

async function waitingRun(
  repo: Parameters<Executor['check']>[0],
  payload: Record<string, unknown>,
  request: string,
): Promise<{ id: RunId; step: number }> {
  const id = parseRunName(String(payload['run']));
  const step = Number(payload['step']);
  if (!id) throw new CooError('E_RUN_NOT_FOUND', `request ${request} names no run`, { run: payload['run'] ?? null });
  const run = await readRun(repo, id);
  if (run.record.state !== 'awaiting_human' || run.record.step !== step || run.record.data['request'] !== request) {
    throw new CooError('E_MISSION_TRANSITION', `${runName(id)} is ${run.record.state}, not waiting on ${request}`, {
      run: runName(id),
      state: run.record.state,
      event: 'decide',
    });
  }
  return { id, step };
}

export const missionStep: Executor = {
  async check(repo, request) {
    await waitingRun(repo, request.payload, request.id);
  },
  async run(repo, request) {
    const { id, step } = await waitingRun(repo, request.payload, request.id);
    return { report: await approveStepLocked(repo, id, step) };
  },
  async veto(repo, request) {
    const { id, step } = await waitingRun(repo, request.payload, request.id);
    return { report: await vetoStepLocked(repo, id, step) };
  },
};
