import type { Executor } from './human-only.js';
import { protectAccept, protectAdd, protectRm } from './protect.js';

// What an approval carries out, by request kind.

export const executors: ReadonlyMap<string, Executor> = new Map([
  ['protect.add', protectAdd],
  ['protect.rm', protectRm],
  ['protect.accept', protectAccept],
]);
