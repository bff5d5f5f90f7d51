import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { readFlatTree } from '../store/flat-tree.js';
import { readCommit } from '../store/rev-parse.js';
import { claimedManifest, computeManifestCid } from '../store/tree-manifest.js';
import { ensureNoJournal } from '../state/journal.js';
import { openRepo, type Repo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { resolveState } from '../baseline/resolve-state.js';
import { gatewayApplyLocked, gatewayJudgeLocked, violationError } from '../gateway/gateway.js';
import type { Judged } from '../gateway/judge.js';
import { ensureNotInMission } from '../governance/human-only.js';
import { createRequest } from '../governance/requests.js';
import { loadMission, missionScope, type Mission } from './mission.js';
import { captureQuarantine, discard, materialise, quarantineOf, withGovernanceOf } from './quarantine.js';
import { missionOf, runHistory, runReport, type RunReport } from './report.js';
import { createRun, readRun, runName, transition, type RunId } from './run-state.js';
import { writeSetBetween } from './stage.js';
import { chooseConfinement, confinedCommand } from './sandbox.js';
import { runCommand } from './step-exec.js';
import { stepEnvironment } from './step-env.js';
import { isolation } from './isolation.js';
import { validateWorkflow } from './workflow.js';

// `coo run FILE`: a mission from validation to the applied change. The workflow validator first (a
// rejected mission never starts), then the baseline materialised in a quarantine tree, each command
// step run there with a pinned environment and its tree recorded as a commit, a human step
// pausing the run for `coo approve` / `coo veto`, the difference to the baseline judged by the
// gateway (scope, ceilings, protected paths, naming, INDEX) and, if it passes, applied through the
// gateway, which refuses to overwrite a file that changed since the baseline.

export interface RunMissionOptions extends RepoOptions {
  /** The mission document. */
  readonly file: string;
  /** The state to start from (overrides the mission's `baseline`); default the current AMU0. */
  readonly from?: string;
  /** The person accepts an unconfined run where no sandbox can be made (the report says so). */
  readonly unconfined?: boolean;
}

interface Baseline {
  readonly rev: string;
  readonly commit: string;
  readonly tree: string;
  readonly manifest: string;
}

async function resolveBaseline(repo: Repo, rev: string): Promise<Baseline> {
  const { gitdir } = repo.layout;
  const { commit } = await resolveState(repo, rev);
  const manifest =
    claimedManifest(commit) ?? (await computeManifestCid(gitdir, (await readFlatTree(gitdir, commit.tree)).files));
  return { rev, commit: commit.oid, tree: commit.tree, manifest };
}

async function fail(
  repo: Repo,
  id: RunId,
  input: {
    step: number | null;
    reason: string;
    code?: string;
    exitCode?: number | null;
    output?: string;
    violations?: unknown[];
  },
): Promise<never> {
  await transition(repo, id, 'fail', {
    step: input.step,
    data: {
      reason: input.reason,
      code: input.code ?? null,
      exitCode: input.exitCode ?? null,
      output: input.output ?? null,
      violations: input.violations ?? [],
    },
  });
  discard(quarantineOf(repo, id));
  await transition(repo, id, 'rollback');
  const report = await runReport(repo, id);
  throw new CooError(
    'E_MISSION_FAILED',
    `${runName(id)} failed${input.step === null ? '' : ` at step ${input.step + 1}`}: ${input.reason}; nothing was applied`,
    { run: runName(id), report },
  );
}

/** Runs steps from `from` on, then stages, commits and applies (the caller holds the lock). */
async function continueRun(repo: Repo, id: RunId, from: number): Promise<RunReport> {
  const recorded = missionOf(await runHistory(repo, id));
  const { mission, baseline } = recorded;
  // A run recorded before coo confined steps is confined now, as a new run would be.
  const confinement = recorded.confinement ?? chooseConfinement(mission.sandbox ?? {}, repo.env, { byPerson: false });
  const q = quarantineOf(repo, id);
  const current = await readRun(repo, id);
  if (!existsSync(q.tree)) await materialise(repo, q, current.tree);
  const baselineTime = (await readCommit(repo.layout.gitdir, baseline.commit)).committer.timestamp;
  let tree = current.tree;
  for (let index = from; index < mission.steps.length; index++) {
    const step = mission.steps[index];
    if (!step) break;
    if (step.kind === 'human') {
      const request = await createRequest(
        repo,
        'mission.step',
        `${runName(id)} step ${index + 1}: ${step.action}: ${step.prompt}`,
        { run: runName(id), step: index, action: step.action, prompt: step.prompt },
      );
      await transition(repo, id, 'pause', { step: index, data: { request: request.id } });
      return runReport(repo, id);
    }
    const timeoutMs = 1000 * (step.timeoutSeconds ?? mission.timeoutSeconds ?? 600);
    const { env } = stepEnvironment({
      mission,
      step: index,
      run: runName(id),
      baselineTime,
      host: repo.env,
      place: { home: q.home, tmp: q.tmp, user: 'coo' },
    });
    const confined = confinedCommand(step.run, confinement, {
      root: repo.layout.root,
      places: q,
      env,
      hostEnv: repo.env,
    });
    const outcome = await runCommand(step.run, { cwd: q.tree, env, timeoutMs, program: confined });
    if (outcome.timedOut)
      await fail(repo, id, {
        step: index,
        reason: `timed out after ${timeoutMs / 1000} s`,
        code: 'timeout',
        output: outcome.output,
      });
    if (outcome.exitCode !== 0) {
      await fail(repo, id, {
        step: index,
        reason: `exited with ${outcome.exitCode ?? `signal ${outcome.signal}`}`,
        code: 'exit',
        exitCode: outcome.exitCode,
        output: outcome.output,
      });
    }
    const captured = await withGovernanceOf(repo, (await captureQuarantine(repo, q)).tree, baseline.tree);
    tree = captured.tree;
    await transition(repo, id, 'step', {
      step: index,
      tree,
      manifest: captured.manifest,
      data: { exitCode: 0, output: outcome.output },
    });
  }

  // Stage: the whole tree is compared, so whatever a tool or a shell did counts.
  const ops = await writeSetBetween(repo.layout.gitdir, baseline.tree, tree);
  const scope = missionScope(mission);
  const input = { ops, mission: scope, message: `${runName(id)}: ${mission.title ?? mission.id}`, complete: true };
  const failWith = (e: CooError): Promise<never> =>
    fail(repo, id, {
      step: null,
      reason: e.message,
      code: e.code ?? null,
      violations: (e.data?.['violations'] as unknown[]) ?? [],
    });
  let judged: Judged | null = null;
  if (ops.length > 0) {
    const judgement = await gatewayJudgeLocked(repo, input).catch((err: CooError) => failWith(err));
    if (!judgement.judged) await failWith(violationError(judgement.violations));
    judged = judgement.judged;
  }
  const changes = ops.map((op) => ({
    path: op.path,
    kind: op.kind === 'delete' ? 'delete' : op.expect === null ? 'create' : 'modify',
  }));
  await transition(repo, id, 'stage', { data: { changes } });
  await transition(repo, id, 'commit');
  let write: string | null = null;
  if (judged) write = (await gatewayApplyLocked(repo, input, judged).catch((err: CooError) => failWith(err))).commit;
  await transition(repo, id, 'apply', { data: { write } });
  discard(q);
  return runReport(repo, id);
}

/** Starts a run (the caller holds the lock). */
export async function startRunLocked(
  repo: Repo,
  mission: Mission,
  options: { from?: string; file?: string; unconfined?: boolean },
): Promise<RunReport> {
  await ensureNoJournal(repo);
  // Decided before anything is recorded: a run that cannot be confined (and was not accepted unconfined) never starts.
  const confinement = chooseConfinement(mission.sandbox ?? {}, repo.env, { byPerson: options.unconfined === true });
  const baseline = await resolveBaseline(repo, options.from ?? mission.baseline ?? 'amu0');
  const workflow = validateWorkflow(mission);
  const run = await createRun(repo, mission.id, baseline, {
    mission,
    baseline,
    file: options.file ?? null,
    isolation: isolation({ epoch: 0, seed: 0, env: repo.env }).applied,
    confinement,
  });
  const id = run.id;
  if (!workflow.valid) {
    await transition(repo, id, 'reject', { data: { workflow } });
    const report = await runReport(repo, id);
    throw new CooError(
      'E_MISSION_REJECTED',
      `mission ${mission.id} breaks ${workflow.violations.length} workflow rule(s), first: ${workflow.violations[0]?.why}`,
      { run: runName(id), report },
    );
  }
  await transition(repo, id, 'validate', { data: { workflow } });
  await materialise(repo, quarantineOf(repo, id), baseline.tree);
  await transition(repo, id, 'prepare');
  await transition(repo, id, 'start');
  return continueRun(repo, id, 0);
}

/** `coo run FILE`. */
export async function runMission(options: RunMissionOptions): Promise<RunReport> {
  const repo = await openRepo(options);
  ensureNotInMission(repo.env, 'starting a mission');
  const mission = await loadMission(options.file);
  return withLock(repo, 'run', () =>
    startRunLocked(repo, mission, {
      ...(options.from ? { from: options.from } : {}),
      file: basename(options.file),
      ...(options.unconfined ? { unconfined: true } : {}),
    }),
  );
}

/** After a person approved the human step a run waits on: go on from the next step. */
export async function approveStepLocked(repo: Repo, id: RunId, step: number): Promise<RunReport> {
  await transition(repo, id, 'approve', { step });
  return continueRun(repo, id, step + 1);
}

/** After a veto: the run stops; nothing is applied. */
export async function vetoStepLocked(repo: Repo, id: RunId, step: number): Promise<RunReport> {
  await transition(repo, id, 'veto', { step });
  discard(quarantineOf(repo, id));
  await transition(repo, id, 'rollback');
  return runReport(repo, id);
}

/** `coo run --resume RUN`: goes on with a run whose process died (its state says where). */
export async function resumeRun(options: RepoOptions & { run: RunId }): Promise<RunReport> {
  const repo = await openRepo(options);
  ensureNotInMission(repo.env, 'resuming a mission');
  return withLock(repo, 'run', async () => {
    const history = await runHistory(repo, options.run);
    const last = history[history.length - 1]?.record;
    if (last?.state === 'prepared') {
      await transition(repo, options.run, 'start');
      return continueRun(repo, options.run, 0);
    }
    if (last?.state !== 'running') {
      throw new CooError(
        'E_MISSION_TRANSITION',
        `${runName(options.run)} is ${last?.state}: only a running or prepared run resumes`,
        { run: runName(options.run), state: last?.state ?? null, event: 'resume' },
      );
    }
    // Discard what a dead step half did: the quarantine goes back to the last recorded tree.
    const current = await readRun(repo, options.run);
    await materialise(repo, quarantineOf(repo, options.run), current.tree);
    const done = history
      .filter((h) => h.record.event === 'step' || h.record.event === 'approve')
      .map((h) => h.record.step ?? -1);
    return continueRun(repo, options.run, Math.max(-1, ...done) + 1);
  });
}
