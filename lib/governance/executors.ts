import type { Executor } from './human-only.js';
import { protectAccept, protectAdd, protectRm } from '../gateway/protect.js';
import { missionStep } from '../mission/human-step.js';
import { planApprove, planGate } from '../plan/executors.js';

// What an approval carries out, by request kind.

export const executors: ReadonlyMap<string, Executor> = new Map([
  ['protect.add', protectAdd],
  ['protect.rm', protectRm],
  ['protect.accept', protectAccept],
  ['mission.step', missionStep],
  ['plan.approve', planApprove],
  ['plan.gate', planGate],
]);
