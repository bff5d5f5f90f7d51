import { CooError } from './coo-error.js';
import type { Env } from './git-config.js';

// The one place coo reads the time it writes into commits. SOURCE_DATE_EPOCH (the reproducible
// builds convention) pins it, so the same input gives the same commit ids.

export function commitTimestamp(env: Env, now: () => number = Date.now): number {
  const pinned = env['SOURCE_DATE_EPOCH'];
  if (pinned === undefined || pinned === '') return Math.floor(now() / 1000);
  if (!/^[0-9]{1,12}$/u.test(pinned)) {
    throw new CooError(
      'E_USAGE',
      `SOURCE_DATE_EPOCH must be a whole number of seconds, not ${JSON.stringify(pinned)}`,
      { value: pinned },
    );
  }
  return Number(pinned);
}
