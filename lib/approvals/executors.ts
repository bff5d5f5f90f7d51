import type { Executor } from './human-only.js';
import { protectAccept, protectAdd, protectRm } from './protect.js';
import { missionStep } from '../missions/human-step.js';
import { planApprove, planGate } from '../plans/executors.js';

// What an approval carries out, by request kind.

export const executors: ReadonlyMap<string, Executor> = new Map([
  ['protect.add', protectAdd],
  ['protect.rm', protectRm],
  ['protect.accept', protectAccept],
  ['mission.step', missionStep],
  ['plan.approve', planApprove],
  ['plan.gate', planGate],
]);
