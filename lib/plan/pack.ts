import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { readRef } from '../store/refs.js';
import { readCommit } from '../store/rev-parse.js';
import { messageBody } from '../store/trailers.js';
import { crashPoint } from '../store/crash-point.js';
import { claimedManifest } from '../store/tree-manifest.js';
import type { Repo } from '../store/repo.js';
import { ensureNoJournal } from '../state/journal.js';
import { restoreBaselineLocked } from '../baseline/baseline.js';
import { amu0Ref, sequenceOf } from '../baseline/sequence.js';
import { baselineTag, untrustedRefusal, writeBaseline } from '../baseline/write-baseline.js';
import { requireTrustedKey } from '../governance/trusted-signers.js';
import { restoreCommit } from '../state/restore-commit.js';
import { takeSnapshot } from '../state/take-snapshot.js';
import { stepsTree } from '../mission/quarantine.js';
import { startRunLocked } from '../mission/runner.js';
import { parseRunName, readRun } from '../mission/run-state.js';
import type { RunReport } from '../mission/report.js';
import { runCommand } from '../mission/step-exec.js';
import { checkDeterminismLocked } from '../determinism/check.js';
import type { Env } from '../core/git-config.js';
import type { Acceptance, FixPack, LoadedPlan } from './plan.js';
import type {
  AcceptanceResult,
  BaselineMark,
  DeterminismResult,
  MissionResult,
  OperationCheck,
  PackFailure,
  RollbackCheck,
} from './status.js';
import { operationItems } from '../determinism/operations.js';
import { differingPaths, filesOf } from './tree-check.js';
import { captureNow } from '../worktree/capture-now.js';

// One fix pack of a plan, from the baseline it starts on to the baseline it ends as:
//   1. its missions, in order, each from the state the one before left (the first from amu0),
//      each applied to the working tree through the gateway;
//   2. its acceptance commands, at the repository root, each as many times as it asks, none
//      allowed to change the captured tree;
//   3. the determinism suite on each mission, from the state it started from: reproducible, and
//      the same tree as the run that was applied;
//      then coo's own operations on the result, run in two scratch roots: the same ids in both;
//   4. the AMU0 rollback check: restore amu0, compare byte for byte, return to the pack's result,
//      compare byte for byte;
//   5. the result signed as the next baseline.
// The first failure stops the pack: the working tree goes back to amu0 (the safety snapshot keeps
// what the pack left) and the failure says which check, why, and what was restored.

export interface PackOutcome {
  missions: MissionResult[];
  acceptance: AcceptanceResult[];
  determinism: DeterminismResult[];
  operations: OperationCheck[];
  rollback: RollbackCheck | null;
  failure: PackFailure | null;
}

export interface PackContext {
  readonly repo: Repo;
  readonly loaded: LoadedPlan;
  readonly pack: FixPack;
  readonly planName: string;
  /** Recorded when the checks pass, before the result is signed. */
  readonly onChecked: (outcome: PackOutcome) => Promise<void>;
}

class CheckFailed extends Error {
  constructor(
    readonly check: PackFailure['check'],
    message: string,
    readonly code: string | null,
    readonly detail: unknown,
  ) {
    super(message);
  }
}

const keepOutput = 4096;

/** The environment of an acceptance command: the caller's, with the plan named and no mission marker. */
export function acceptanceEnv(
  host: Env,
  input: { plan: string; pack: string; acceptance: Acceptance },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(host)) {
    if (value !== undefined && !/^COO_(MISSION_ID|RUN|STEP|SEED|PERTURB_|ISOLATION_)/u.test(key)) env[key] = value;
  }
  return {
    ...env,
    ...input.acceptance.env,
    COO_PLAN: input.plan,
    COO_PACK: input.pack,
    COO_ACCEPTANCE: input.acceptance.id,
  };
}

async function runMissions(ctx: PackContext, out: MissionResult[]): Promise<void> {
  const { repo, pack } = ctx;
  let from = 'amu0';
  for (const mission of ctx.loaded.missions.get(pack.id) ?? []) {
    let report: RunReport;
    try {
      report = await startRunLocked(repo, mission, {
        from,
        file: `${ctx.planName}:${pack.id}:${ctx.loaded.sources.missions[mission.id] ?? mission.id}`,
      });
    } catch (err) {
      const e = err as CooError;
      throw new CheckFailed('mission', `mission ${mission.id}: ${e.message}`, e.code ?? null, {
        run: e.data?.['run'] ?? null,
        report: e.data?.['report'] ?? null,
      });
    }
    const run = await readRun(repo, parseRunName(report.run) as NonNullable<ReturnType<typeof parseRunName>>);
    out.push({
      mission: mission.id,
      run: report.run,
      from,
      commit: run.commit,
      tree: run.tree,
      changes: report.changes.length,
    });
    from = run.commit;
  }
  const last = out[out.length - 1];
  if (last) {
    // The working tree, outside .coo/, must now be exactly what the last run produced.
    const now = await captureNow(repo, { asSnapshot: true });
    const differ = differingPaths(now.files, await filesOf(repo, last.tree), { withCoo: false });
    if (differ.length > 0) {
      throw new CheckFailed(
        'apply',
        `after the missions, the working tree differs from ${last.run} at ${differ.length} path(s), first ${JSON.stringify(differ[0])}`,
        'E_PLAN_DIVERGED',
        { paths: differ.slice(0, 50) },
      );
    }
  }
}

async function runAcceptance(ctx: PackContext, out: AcceptanceResult[]): Promise<void> {
  const { repo, pack } = ctx;
  for (const acceptance of pack.acceptance) {
    const repeat = acceptance.repeat ?? 1;
    const env = acceptanceEnv(repo.env, { plan: ctx.planName, pack: pack.id, acceptance });
    let passed = 0;
    for (let i = 0; i < repeat; i++) {
      const before = await captureNow(repo, { asSnapshot: true });
      const outcome = await runCommand(acceptance.run, {
        cwd: repo.layout.root,
        env,
        timeoutMs: 1000 * (acceptance.timeoutSeconds ?? 600),
      });
      const after = await captureNow(repo, { asSnapshot: true });
      const changed = after.tree !== before.tree;
      const ok = outcome.exitCode === 0 && !outcome.timedOut && !changed;
      if (ok) passed += 1;
      const result: AcceptanceResult = {
        id: acceptance.id,
        run: acceptance.run,
        repeat,
        passed,
        exitCode: outcome.exitCode,
        timedOut: outcome.timedOut,
        changedTree: changed,
        output: ok ? null : outcome.output.slice(-keepOutput),
      };
      if (!ok) {
        out.push(result);
        const why = outcome.timedOut
          ? `timed out after ${acceptance.timeoutSeconds ?? 600} s`
          : outcome.exitCode !== 0
            ? `exited with ${outcome.exitCode ?? `signal ${outcome.signal}`}`
            : `changed the working tree (${differingPaths(before.files, after.files, { withCoo: true }).slice(0, 5).join(', ')}); an acceptance command only checks`;
        throw new CheckFailed(
          'acceptance',
          `acceptance ${acceptance.id}${repeat > 1 ? ` (run ${i + 1} of ${repeat})` : ''} ${why}`,
          null,
          { acceptance: acceptance.id },
        );
      }
      if (i === repeat - 1) out.push(result);
    }
  }
}

async function runDeterminism(
  ctx: PackContext,
  missions: readonly MissionResult[],
  out: DeterminismResult[],
): Promise<void> {
  const { repo, pack } = ctx;
  const runs = pack.determinismRuns ?? 3;
  for (const [i, mission] of (ctx.loaded.missions.get(pack.id) ?? []).entries()) {
    const applied = missions[i] as MissionResult;
    const result = await checkDeterminismLocked(repo, mission, { runs, from: applied.from });
    const control = result.report.runs[0];
    const tree = control?.steps[control.steps.length - 1]?.tree ?? null;
    const entry: DeterminismResult = {
      mission: mission.id,
      verdict: result.report.verdict,
      runs,
      commit: result.commit,
      tree,
      // The run's tree carries the baseline's governance files, which no step sees; the suite's does not.
      matchesRun: tree === (await stepsTree(repo, applied.tree)),
    };
    out.push(entry);
    if (entry.verdict !== 'reproducible')
      throw new CheckFailed('determinism', `mission ${mission.id} is ${result.report.summary}`, null, {
        mission: mission.id,
        commit: result.commit,
      });
    if (!entry.matchesRun) {
      throw new CheckFailed(
        'determinism',
        `mission ${mission.id} is reproducible, but its tree (${tree?.slice(0, 12)}) is not the tree of the run that was applied (${applied.tree.slice(0, 12)})`,
        null,
        { mission: mission.id, commit: result.commit },
      );
    }
  }
}

/** The determinism of coo's own operations (snapshot, signed baseline, rollback, undo) on the pack's result. */
async function runOperations(ctx: PackContext, out: OperationCheck[]): Promise<void> {
  const { repo } = ctx;
  const scratch = join(repo.layout.workDir, `plan-operations-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  try {
    const now = await captureNow(repo, { asSnapshot: true, store: true });
    const items = await operationItems(repo, scratch, now.files, `the result of ${ctx.pack.id}`);
    out.push(...items.map((i) => ({ id: i.id, status: i.status, summary: i.summary })));
    const failed = items.find((i) => i.status === 'fail');
    if (failed)
      throw new CheckFailed(
        'determinism',
        `coo's own operations on the result of ${ctx.pack.id}: ${failed.summary}`,
        null,
        { item: failed.id },
      );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Restore amu0, compare byte for byte, return to the pack's result, compare byte for byte. */
export async function rollbackCheck(repo: Repo, label: string): Promise<RollbackCheck> {
  const { gitdir } = repo.layout;
  const restored = await restoreBaselineLocked(repo, {});
  const baseline = await readCommit(gitdir, restored.target);
  const atBaseline = await captureNow(repo, { asSnapshot: true, fresh: true, expected: baseline.tree });
  const result = await readCommit(gitdir, restored.safety);
  await restoreCommit(repo, { target: result.oid, label, op: 'rollback' });
  const atResult = await captureNow(repo, { asSnapshot: true, fresh: true, expected: result.tree });
  const baselineManifest = restored.baseline.manifest;
  const resultManifest = claimedManifest(result) ?? '';
  return {
    baseline: { commit: baseline.oid, tree: baseline.tree, manifest: baselineManifest },
    restored: { tree: atBaseline.tree, manifest: atBaseline.manifest },
    result: { commit: result.oid, tree: result.tree, manifest: resultManifest },
    returned: { tree: atResult.tree, manifest: atResult.manifest },
    ok:
      atBaseline.tree === baseline.tree &&
      atBaseline.manifest === baselineManifest &&
      atResult.tree === result.tree &&
      atResult.manifest === resultManifest,
  };
}

/**
 * Signs the working tree as a named baseline, or adopts the baseline of that name if this same plan
 * step already signed it (a run that died between signing and recording it). `marker` says which.
 */
export async function freezeBaseline(
  repo: Repo,
  input: {
    names: readonly string[];
    marker: string;
    subject: string;
    promoted: string | null;
    op: 'baseline-create' | 'baseline-promote';
  },
): Promise<BaselineMark> {
  const { gitdir } = repo.layout;
  await ensureNoJournal(repo);
  for (const name of input.names) {
    const existing = readRef(gitdir, baselineTag(name));
    if (existing) {
      const commit = await readCommit(gitdir, existing);
      if (messageBody(commit.message).trim() === input.marker)
        return { name, commit: existing, sequence: sequenceOf(commit) ?? 0, tree: commit.tree };
      continue;
    }
    await requireTrustedKey(repo, untrustedRefusal);
    const taken = await takeSnapshot(repo, { subject: `snapshot for baseline ${name}`, kind: 'snapshot' });
    const written = await writeBaseline(repo, {
      tree: taken.tree,
      manifest: taken.manifest,
      name,
      subject: input.subject,
      body: input.marker,
      promoted: input.promoted,
      op: input.op,
    });
    crashPoint('plan-baseline-signed');
    return { name, commit: written.commit, sequence: written.sequence, tree: taken.tree };
  }
  throw new CooError(
    'E_BASELINE_EXISTS',
    `baselines ${input.names.join(', ')} already exist and were not made by this plan step`,
    { names: [...input.names] },
  );
}

/** Runs the pack; on a failure puts the working tree back to amu0 and says what failed. */
export async function runPack(
  ctx: PackContext,
  finish: { name: string; marker: string },
): Promise<PackOutcome & { baseline: BaselineMark | null }> {
  const { repo } = ctx;
  const out: PackOutcome = {
    missions: [],
    acceptance: [],
    determinism: [],
    operations: [],
    rollback: null,
    failure: null,
  };
  let phase: PackFailure['check'] = 'mission';
  try {
    await runMissions(ctx, out.missions);
    phase = 'acceptance';
    await runAcceptance(ctx, out.acceptance);
    phase = 'determinism';
    await runDeterminism(ctx, out.missions, out.determinism);
    await runOperations(ctx, out.operations);
    phase = 'rollback';
    const check = await rollbackCheck(repo, `${ctx.planName} ${ctx.pack.id}: back from the rollback check`);
    out.rollback = check;
    if (!check.ok)
      throw new CheckFailed(
        'rollback',
        `the AMU0 rollback check found a difference: restored ${check.restored.tree.slice(0, 12)} for baseline ${check.baseline.tree.slice(0, 12)}, returned ${check.returned.tree.slice(0, 12)} for ${check.result.tree.slice(0, 12)}`,
        null,
        null,
      );
    await ctx.onChecked(out);
    phase = 'promote';
    const last = out.missions[out.missions.length - 1];
    let baseline: BaselineMark;
    try {
      baseline = await freezeBaseline(repo, {
        names: [finish.name],
        marker: finish.marker,
        subject: `${ctx.planName}: ${ctx.pack.id} passed`,
        promoted: last?.commit ?? null,
        op: 'baseline-promote',
      });
    } catch (err) {
      throw new CheckFailed('promote', (err as Error).message, (err as CooError).code ?? null, null);
    }
    if (baseline.tree !== check.result.tree)
      throw new CheckFailed(
        'promote',
        `the signed baseline's tree ${baseline.tree.slice(0, 12)} is not the checked result ${check.result.tree.slice(0, 12)}`,
        'E_PLAN_DIVERGED',
        null,
      );
    return { ...out, baseline };
  } catch (err) {
    // Anything else that went wrong (a disk error, a lock) fails the step it happened in.
    const failed =
      err instanceof CheckFailed
        ? err
        : new CheckFailed(phase, (err as Error).message, (err as CooError).code ?? 'E_INTERNAL', null);
    let restored: PackFailure['restored'] = null;
    let reason = failed.message;
    try {
      const back = await restoreBaselineLocked(repo, {});
      restored = {
        baseline: back.target,
        tree: (await readCommit(repo.layout.gitdir, back.target)).tree,
        safety: back.safety,
      };
    } catch (restoreError) {
      reason = `${reason}; putting the working tree back to amu0 failed too: ${(restoreError as Error).message}`;
    }
    return {
      ...out,
      baseline: null,
      failure: { check: failed.check, reason, code: failed.code, detail: failed.detail, restored },
    };
  }
}

/** Where amu0 is now. */
export function currentAmu0(repo: Repo): string | null {
  return readRef(repo.layout.gitdir, amu0Ref);
}
