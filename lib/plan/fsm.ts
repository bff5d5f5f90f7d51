// A plan attempt's lifecycle, as one table (the machine and its tests are made from it):
//
//   draft → awaiting_approval → running ⇄ awaiting_readiness (a gated stage's report, then approve)
//                      ↘ vetoed      ↘ completed | failed          ↘ vetoed
//
// While running, the progress events (G1's baseline, each pack's start, checks, baseline or
// failure, each stage's report) leave the state as it is.

export const planStates = [
  'draft',
  'awaiting_approval',
  'running',
  'awaiting_readiness',
  'completed',
  'failed',
  'vetoed',
] as const;
export type PlanState = (typeof planStates)[number];

export const planEvents = [
  'create',
  'request',
  'approve',
  'veto',
  'baseline',
  'pack-start',
  'pack-checked',
  'pack-done',
  'pack-failed',
  'report',
  'complete',
  'fail',
] as const;
export type PlanEvent = (typeof planEvents)[number];

const progress = {
  baseline: 'running',
  'pack-start': 'running',
  'pack-checked': 'running',
  'pack-done': 'running',
  'pack-failed': 'running',
  report: 'running',
} as const;

export const planTransitions: Readonly<Record<PlanState, Partial<Record<PlanEvent, PlanState>>>> = {
  draft: { request: 'awaiting_approval', fail: 'failed' },
  awaiting_approval: { approve: 'running', veto: 'vetoed' },
  running: { ...progress, request: 'awaiting_readiness', complete: 'completed', fail: 'failed' },
  awaiting_readiness: { approve: 'running', veto: 'vetoed' },
  completed: {},
  failed: {},
  vetoed: {},
};

export function nextPlanState(state: PlanState, event: PlanEvent): PlanState | null {
  return planTransitions[state][event] ?? null;
}

/** A plan attempt still under way (a new `coo plan run` resumes it rather than starting another). */
export function isLive(state: PlanState): boolean {
  return Object.keys(planTransitions[state]).length > 0;
}
