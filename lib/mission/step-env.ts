import type { Env } from '../core/git-config.js';
import { isolation, type IsolationApplied } from './isolation.js';
import type { Mission } from './mission.js';

// The whole environment of a command step, and nothing else: what the mission declares (epoch,
// seed, env), the defaults coo pins for what it does not declare (TZ, locale), where HOME and
// TMPDIR are, and isolation. The determinism suite builds its runs from the same function, moving
// only what a mission leaves undeclared.

export interface StepPlace {
  readonly home: string;
  readonly tmp: string;
  readonly user: string;
  /** Values for what the mission does not declare (the suite varies them); default UTC and C. */
  readonly tz?: string;
  readonly locale?: string;
  readonly readdir?: 'natural' | 'reverse' | 'shuffle';
  readonly isolationLog?: string;
}

export interface StepEnv {
  readonly env: Record<string, string>;
  readonly isolation: IsolationApplied;
}

export function stepEnvironment(input: {
  mission: Mission;
  step: number;
  run: string;
  baselineTime: number;
  host: Env;
  place: StepPlace;
}): StepEnv {
  const { mission, place } = input;
  const step = mission.steps[input.step];
  const declared = { ...mission.env, ...(step?.kind === 'command' ? step.env : {}) };
  const epoch = mission.sourceDateEpoch ?? input.baselineTime;
  const seed = mission.seed ?? 0;
  const isolated = isolation({
    epoch,
    seed,
    env: input.host,
    ...(declared['NODE_OPTIONS'] ? { nodeOptions: declared['NODE_OPTIONS'] } : {}),
    ...(declared['LD_PRELOAD'] ? { ldPreload: declared['LD_PRELOAD'] } : {}),
  });
  const env: Record<string, string> = {
    PATH: input.host['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: place.home,
    TMPDIR: place.tmp,
    TMP: place.tmp,
    TEMP: place.tmp,
    USER: place.user,
    LOGNAME: place.user,
    TZ: place.tz ?? 'UTC',
    LC_ALL: place.locale ?? 'C',
    LANG: place.locale ?? 'C',
    SOURCE_DATE_EPOCH: String(epoch),
    COO_SEED: String(seed),
    COO_MISSION_ID: mission.id,
    COO_RUN: input.run,
    COO_STEP: String(input.step + 1),
    ...declared,
    ...isolated.env,
  };
  if (place.readdir && place.readdir !== 'natural') env['COO_PERTURB_READDIR'] = place.readdir;
  if (place.isolationLog) env['COO_ISOLATION_LOG'] = place.isolationLog;
  return { env, isolation: isolated.applied };
}
