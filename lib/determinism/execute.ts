import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readFlatTree } from '../store/flat-tree.js';
import { cooDirName } from '../store/layout.js';
import { planCheckout } from '../worktree/checkout-plan.js';
import { applyCheckout } from '../worktree/checkout-apply.js';
import { captureWorktree } from '../worktree/capture.js';
import type { Repo } from '../store/repo.js';
import type { Mission } from '../mission/mission.js';
import { confinedCommand, type Confinement } from '../mission/sandbox.js';
import { runCommand } from '../mission/step-exec.js';
import { stepEnvironment } from '../mission/step-env.js';
import type { IsolationApplied } from '../mission/isolation.js';
import { placeOf, type RunConfig } from './configs.js';

// One run of a determinism check: the baseline materialised where the configuration says, each
// command step run with the configuration's environment, and the tree captured after every step.
// Human steps are decisions, not computations: the suite passes over them.

export interface StepResult {
  readonly index: number;
  readonly kind: 'command' | 'human';
  /** Tree after the step (for a human step: unchanged). */
  readonly tree: string;
  readonly exit: number | null;
  readonly timedOut: boolean;
  /** What the node preload intercepted in this step's processes. */
  readonly isolated: { readonly clock: number; readonly random: number; readonly crypto: number };
  readonly output: string;
}

export interface RunResult {
  readonly config: RunConfig;
  readonly steps: readonly StepResult[];
  readonly ms: number;
  readonly isolation: IsolationApplied | null;
}

function readIsolationLog(path: string): StepResult['isolated'] {
  const sum = { clock: 0, random: 0, crypto: 0 };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return sum;
  }
  for (const line of text.split('\n').filter(Boolean)) {
    const counts = JSON.parse(line) as typeof sum;
    sum.clock += counts.clock;
    sum.random += counts.random;
    sum.crypto += counts.crypto;
  }
  return sum;
}

export async function executeRun(
  repo: Repo,
  input: {
    mission: Mission;
    baselineTree: string;
    baselineTime: number;
    workDir: string;
    config: RunConfig;
    runName: string;
    lastStep?: number;
    /** How steps are confined (decided once for the whole check). */
    confinement: Confinement;
  },
): Promise<RunResult> {
  const started = Date.now();
  const place = placeOf(input.workDir, input.config);
  rmSync(join(place.tree, '..'), { recursive: true, force: true });
  rmSync(place.home, { recursive: true, force: true });
  for (const dir of [place.tree, place.home, place.tmp]) mkdirSync(dir, { recursive: true });
  const files = (await readFlatTree(repo.layout.gitdir, input.baselineTree)).files.filter(
    (f) => !f.path.startsWith(`${cooDirName}/`),
  );
  await applyCheckout({
    root: place.tree,
    gitdir: repo.layout.gitdir,
    tmpDir: place.tmp,
    plan: planCheckout([], files),
  });

  const steps: StepResult[] = [];
  let tree = input.baselineTree;
  let applied: IsolationApplied | null = null;
  const last = input.lastStep ?? input.mission.steps.length - 1;
  for (let index = 0; index <= last; index++) {
    const step = input.mission.steps[index];
    if (!step) break;
    if (step.kind === 'human') {
      steps.push({
        index,
        kind: 'human',
        tree,
        exit: 0,
        timedOut: false,
        isolated: { clock: 0, random: 0, crypto: 0 },
        output: '',
      });
      continue;
    }
    const log = join(input.workDir, 'logs', `${input.config.label}-${index + 1}.jsonl`);
    mkdirSync(join(input.workDir, 'logs'), { recursive: true });
    rmSync(log, { force: true });
    const { env, isolation } = stepEnvironment({
      mission: input.mission,
      step: index,
      run: input.runName,
      baselineTime: input.baselineTime,
      host: repo.env,
      place: {
        home: place.home,
        tmp: place.tmp,
        user: input.config.user,
        tz: input.config.tz,
        locale: input.config.locale,
        readdir: input.config.readdir,
        isolationLog: log,
      },
    });
    applied = isolation;
    const timeoutMs = 1000 * (step.timeoutSeconds ?? input.mission.timeoutSeconds ?? 600);
    const command = `umask ${input.config.umask}; ${step.run}`;
    const places = { ...place, also: [join(input.workDir, 'logs')] };
    const program = confinedCommand(command, input.confinement, {
      root: repo.layout.root,
      places,
      env,
      hostEnv: repo.env,
    });
    const outcome = await runCommand(command, { cwd: place.tree, env, timeoutMs, program });
    const captured = await captureWorktree({
      root: place.tree,
      gitdir: repo.layout.gitdir,
      cachePath: join(input.workDir, 'caches', `${input.config.label}.json`),
      store: true,
      maxNewFileBytes: repo.config.gateway.maxFileBytes,
    });
    tree = captured.tree;
    steps.push({
      index,
      kind: 'command',
      tree,
      exit: outcome.exitCode,
      timedOut: outcome.timedOut,
      isolated: readIsolationLog(log),
      output: outcome.output,
    });
    if (outcome.exitCode !== 0) break;
  }
  return { config: input.config, steps, ms: Date.now() - started, isolation: applied };
}
