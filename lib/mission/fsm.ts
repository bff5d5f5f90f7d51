// The mission lifecycle, as one table: the machine (`next`) and its tests are both made from it.
//
//   draft → validated → prepared → running → staged → committed → applied
//        ↘ rejected             ↘ awaiting_human → running (approve) | vetoed (veto)
//                    running, prepared, staged, committed ↘ failed;  failed, vetoed → rolled_back

export const states = [
  'draft',
  'validated',
  'rejected',
  'prepared',
  'running',
  'awaiting_human',
  'staged',
  'committed',
  'applied',
  'failed',
  'vetoed',
  'rolled_back',
] as const;
export type MissionState = (typeof states)[number];

export const events = [
  'validate',
  'reject',
  'prepare',
  'start',
  'step',
  'pause',
  'approve',
  'veto',
  'stage',
  'commit',
  'apply',
  'fail',
  'rollback',
] as const;
export type MissionEvent = (typeof events)[number];

export const transitions: Readonly<Record<MissionState, Partial<Record<MissionEvent, MissionState>>>> = {
  draft: { validate: 'validated', reject: 'rejected' },
  validated: { prepare: 'prepared' },
  rejected: {},
  prepared: { start: 'running', fail: 'failed' },
  running: { step: 'running', pause: 'awaiting_human', stage: 'staged', fail: 'failed' },
  awaiting_human: { approve: 'running', veto: 'vetoed' },
  staged: { commit: 'committed', fail: 'failed' },
  committed: { apply: 'applied', fail: 'failed' },
  applied: {},
  failed: { rollback: 'rolled_back' },
  vetoed: { rollback: 'rolled_back' },
  rolled_back: {},
};

export const initialState: MissionState = 'draft';

/** The state an event leads to, or null when the event is not allowed in that state. */
export function next(state: MissionState, event: MissionEvent): MissionState | null {
  return transitions[state][event] ?? null;
}

export function isTerminal(state: MissionState): boolean {
  return Object.keys(transitions[state]).length === 0;
}
