import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { hashObject } from '../store/git-object.js';
import { readRef } from '../store/refs.js';
import { readCommit } from '../store/rev-parse.js';
import { messageBody } from '../store/trailers.js';
import { openRepo, type Repo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { baselineTag } from '../baseline/write-baseline.js';
import { sequenceOf } from '../baseline/sequence.js';
import { restoreBaselineLocked } from '../baseline/baseline.js';
import { gatewayWriteLocked } from '../gateway/gateway.js';
import { ensureNotInMission } from '../governance/human-only.js';
import { ensureNotTampered, pinsOfCapture, registryOf } from '../governance/governance.js';
import { createRequest, listRequests, type Request } from '../governance/requests.js';
import { isLive } from './fsm.js';
import { baselineNameOf, loadPlan, loadStoredPlan, planTree, type LoadedPlan } from './plan.js';
import { createAttempt, listAttempts, planHistory, planName, recordPlanEvent, type PlanId } from './plan-state.js';
import { currentAmu0, freezeBaseline, runPack } from './pack.js';
import { renderStageReport } from './report.js';
import { nextStep, planStatus, type BaselineMark, type PlanStatus } from './status.js';
import { differingPaths, filesOf } from './tree-check.js';
import { captureNow } from '../worktree/capture-now.js';

// `coo plan run FILE`: a work plan through its gates.
//   approval: the plan waits for a person's `coo approve` (the first of its human touchpoints);
//   G1: the working tree is frozen as the signed baseline PRE_HARDENING_AMU0;
//   G2: each stage's packs run (pack.ts), in their exact order or each on its own;
//   G3: a stage's report is written through the gateway and signed into the baseline lineage; a
//       gated stage then waits for `coo approve` / `coo veto`;
//   G4: the next stages run the same way, their report (the enhancement log) written at the end.
// Every step is recorded on plans/<plan>/<attempt> before the next begins, and the next step is
// decided from that record alone (status.ts), so a plan that paused or whose process died goes on
// with `coo plan run FILE` (or the approval it waits for) from where the record says it is.

export interface RunPlanOptions extends RepoOptions {
  readonly file: string;
}

interface Read {
  readonly status: PlanStatus;
  readonly loaded: LoadedPlan;
}

export async function readPlan(repo: Repo, id: PlanId): Promise<Read> {
  const history = await planHistory(repo, id);
  const loaded = await loadStoredPlan(repo.layout.gitdir, (history[0] as { tree: string }).tree);
  return { status: planStatus(id, loaded, history), loaded };
}

const marker = (id: PlanId, what: string): string => `coo ${planName(id)} ${what}`;

/** A pending request this attempt already made for the same gate (a run that died before recording it), or a new one. */
async function ensureRequest(
  repo: Repo,
  kind: 'plan.approve' | 'plan.gate',
  summary: string,
  payload: { plan: string; attempt: number; stage: string | null } & Record<string, unknown>,
): Promise<Request> {
  const pending = (await listRequests(repo)).find(
    (r) =>
      r.status === 'pending' &&
      r.kind === kind &&
      r.payload['plan'] === payload.plan &&
      r.payload['attempt'] === payload.attempt &&
      (r.payload['stage'] ?? null) === payload.stage,
  );
  return pending ?? createRequest(repo, kind, summary, payload);
}

/** A baseline a died run already signed for this step, if any (never signs one). */
async function adoptable(repo: Repo, name: string, mark: string): Promise<BaselineMark | null> {
  const oid = readRef(repo.layout.gitdir, baselineTag(name));
  if (!oid) return null;
  const commit = await readCommit(repo.layout.gitdir, oid);
  return messageBody(commit.message).trim() === mark
    ? { name, commit: oid, sequence: sequenceOf(commit) ?? 0, tree: commit.tree }
    : null;
}

async function fail(
  repo: Repo,
  id: PlanId,
  input: { stage?: string; pack?: string; reason: string; code?: string; data?: Record<string, unknown> },
): Promise<void> {
  await recordPlanEvent(repo, id, 'fail', {
    stage: input.stage ?? null,
    pack: input.pack ?? null,
    data: { reason: input.reason, code: input.code ?? null, ...input.data },
  });
}

/** The tripwire, before anything is signed: a plan never starts on governance files changed outside coo. */
async function ensureGovernanceIntact(repo: Repo): Promise<void> {
  const now = await captureNow(repo, { asSnapshot: true });
  ensureNotTampered(await registryOf(repo), pinsOfCapture(now.files));
}

/** Refuses to go on from a baseline the plan did not sign, or from a working tree that is not it. */
async function divergence(
  repo: Repo,
  status: PlanStatus,
  options: { tree: boolean },
): Promise<{ reason: string; paths: string[] } | null> {
  const amu0 = currentAmu0(repo);
  if (amu0 !== status.amu0)
    return {
      reason: `amu0 moved outside the plan: the plan's last baseline is ${status.amu0?.slice(0, 12)}, amu0 is ${amu0?.slice(0, 12) ?? 'missing'}`,
      paths: [],
    };
  if (!options.tree || amu0 === null) return null;
  const now = await captureNow(repo, { asSnapshot: true });
  const paths = differingPaths(now.files, await filesOf(repo, (await readCommit(repo.layout.gitdir, amu0)).tree), {
    withCoo: true,
  });
  return paths.length === 0
    ? null
    : {
        reason: `the working tree differs from amu0 at ${paths.length} path(s), first ${JSON.stringify(paths[0])}`,
        paths: paths.slice(0, 50),
      };
}

async function doBaseline(repo: Repo, id: PlanId, loaded: LoadedPlan): Promise<void> {
  const name = baselineNameOf(loaded.plan);
  const g1 = await freezeBaseline(repo, {
    names: [name, `${name}_${id.attempt}`],
    marker: marker(id, 'G1'),
    subject: `${planName(id)}: G1, the repository before the plan`,
    promoted: null,
    op: 'baseline-create',
  });
  await recordPlanEvent(repo, id, 'baseline', { data: { baseline: g1 } });
}

async function doPack(
  repo: Repo,
  id: PlanId,
  read: Read,
  step: { stage: string; pack: string; restart: boolean },
): Promise<void> {
  const { status, loaded } = read;
  const pack = loaded.packs.get(step.pack);
  if (!pack)
    throw new CooError('E_STATE_CORRUPT', `${planName(id)} names a pack ${step.pack} its documents do not hold`, {
      plan: planName(id),
      pack: step.pack,
    });
  const name = `${id.plan}-${id.attempt}-${pack.id}`;
  const mark = marker(id, `pack ${pack.id}`);
  if (step.restart) {
    // The process died inside this pack. If it had already signed the result, record it; if not,
    // the pack starts again from amu0 (the safety snapshot keeps what the half-run left).
    const adopted = await adoptable(repo, name, mark);
    if (adopted) {
      await recordPlanEvent(repo, id, 'pack-done', { stage: step.stage, pack: pack.id, data: { baseline: adopted } });
      return;
    }
  }
  const diverged = await divergence(repo, status, { tree: !step.restart });
  if (diverged) {
    await fail(repo, id, {
      stage: step.stage,
      pack: pack.id,
      reason: `${pack.id} cannot start: ${diverged.reason}`,
      code: 'E_PLAN_DIVERGED',
      data: { paths: diverged.paths },
    });
    return;
  }
  if (step.restart) await restoreBaselineLocked(repo, {});
  await recordPlanEvent(repo, id, 'pack-start', { stage: step.stage, pack: pack.id, data: { start: status.amu0 } });
  const outcome = await runPack(
    {
      repo,
      loaded,
      pack,
      planName: planName(id),
      onChecked: async (checked) => {
        await recordPlanEvent(repo, id, 'pack-checked', {
          stage: step.stage,
          pack: pack.id,
          data: {
            missions: checked.missions,
            acceptance: checked.acceptance,
            determinism: checked.determinism,
            operations: checked.operations,
            rollback: checked.rollback,
          },
        });
      },
    },
    { name, marker: mark },
  );
  if (outcome.failure || !outcome.baseline) {
    const { missions, acceptance, determinism, operations, rollback, failure } = outcome;
    await recordPlanEvent(repo, id, 'pack-failed', {
      stage: step.stage,
      pack: pack.id,
      data: { missions, acceptance, determinism, operations, rollback, failure },
    });
    return;
  }
  await recordPlanEvent(repo, id, 'pack-done', {
    stage: step.stage,
    pack: pack.id,
    data: { baseline: outcome.baseline },
  });
}

async function doReport(repo: Repo, id: PlanId, read: Read, stageId: string): Promise<void> {
  const { status, loaded } = read;
  const stage = status.stages.find((s) => s.id === stageId);
  const path = loaded.stages.find((s) => s.id === stageId)?.report;
  if (!stage || !path) return;
  const name = `${id.plan}-${id.attempt}-${stage.id}`;
  const mark = marker(id, `report ${stage.id}`);
  const content = Buffer.from(await renderStageReport(repo, loaded, status, stage));
  const blob = hashObject('blob', content);
  let baseline = await adoptable(repo, name, mark);
  let write: string | null = null;
  if (!baseline) {
    const diverged = await divergence(repo, status, { tree: false });
    if (diverged) {
      await fail(repo, id, {
        stage: stage.id,
        reason: `the report of ${stage.id} cannot be written: ${diverged.reason}`,
        code: 'E_PLAN_DIVERGED',
      });
      return;
    }
    const onDisk = join(repo.layout.root, path);
    // Written already by a run that died before recording it: the same bytes, so nothing to do.
    const already = existsSync(onDisk) && readFileSync(onDisk).equals(content);
    try {
      if (!already)
        write = (
          await gatewayWriteLocked(repo, {
            ops: [{ kind: 'write', path, content, expect: null }],
            message: `${planName(id)}: the report of ${stage.id}`,
          })
        ).commit;
      baseline = await freezeBaseline(repo, {
        names: [name],
        marker: mark,
        subject: `${planName(id)}: ${stage.id} report`,
        promoted: write,
        op: 'baseline-promote',
      });
    } catch (err) {
      const e = err as CooError;
      await fail(repo, id, {
        stage: stage.id,
        reason: `the report of ${stage.id} could not be written to ${path}: ${e.message}`,
        code: e.code ?? 'E_INTERNAL',
        data: { error: e.data ?? null },
      });
      return;
    }
  }
  await recordPlanEvent(repo, id, 'report', { stage: stage.id, data: { report: { path, blob, write, baseline } } });
}

async function doGate(repo: Repo, id: PlanId, read: Read, stageId: string): Promise<void> {
  const stage = read.status.stages.find((s) => s.id === stageId);
  const report = stage?.report;
  const summary = `${planName(id)}: ${stage?.title ?? stageId} is done${report ? `, report ${report.path}` : ''}; approve to go on, veto to end the plan`;
  const request = await ensureRequest(repo, 'plan.gate', summary, {
    plan: id.plan,
    attempt: id.attempt,
    stage: stageId,
    report: report?.path ?? null,
    blob: report?.blob ?? null,
  });
  await recordPlanEvent(repo, id, 'request', { stage: stageId, data: { request: request.id } });
}

/** Takes a plan attempt as far as it goes: to a person's decision, its end, or a failure (the caller holds the lock). */
export async function advancePlanLocked(repo: Repo, id: PlanId): Promise<PlanStatus> {
  for (;;) {
    const read = await readPlan(repo, id);
    const { status, loaded } = read;
    if (status.state === 'draft') {
      const packs = loaded.stages.reduce((n, s) => n + s.packs.length, 0);
      const summary = `approve work plan ${loaded.plan.id} ("${loaded.plan.title}"), attempt ${id.attempt}: ${loaded.stages.length} stage(s), ${packs} pack(s)`;
      const request = await ensureRequest(repo, 'plan.approve', summary, {
        plan: id.plan,
        attempt: id.attempt,
        stage: null,
        documents: status.documents,
      });
      await recordPlanEvent(repo, id, 'request', { data: { request: request.id } });
      continue;
    }
    const step = nextStep(status, loaded);
    switch (step.kind) {
      case 'wait':
        return status;
      case 'baseline':
        await doBaseline(repo, id, loaded);
        break;
      case 'pack':
        await doPack(repo, id, read, step);
        break;
      case 'report':
        await doReport(repo, id, read, step.stage);
        break;
      case 'gate':
        await doGate(repo, id, read, step.stage);
        break;
      case 'fail': {
        const failure = status.stages.flatMap((s) => s.packs).find((p) => p.id === step.pack)?.failure;
        await fail(repo, id, {
          stage: step.stage,
          pack: step.pack,
          reason: `${step.pack} failed at ${failure?.check ?? '?'}: ${failure?.reason ?? 'unknown'}`,
          ...(failure?.code ? { code: failure.code } : {}),
        });
        break;
      }
      case 'complete':
        await recordPlanEvent(repo, id, 'complete');
        break;
    }
  }
}

/** `coo plan run FILE`: starts an attempt (which waits for approval) or goes on with the live one. */
export async function runPlan(options: RunPlanOptions): Promise<PlanStatus> {
  const repo = await openRepo(options);
  ensureNotInMission(repo.env, 'running a work plan');
  const loaded = await loadPlan(resolve(options.file), repo.layout.root);
  return withLock(repo, 'plan run', async () => {
    await ensureGovernanceIntact(repo);
    const latest = listAttempts(repo, loaded.plan.id).at(-1);
    if (latest) {
      const history = await planHistory(repo, latest);
      if (isLive((history[history.length - 1] as { record: { state: Parameters<typeof isLive>[0] } }).record.state)) {
        const pinned = (history[0] as { tree: string }).tree;
        const pin = planTree(loaded, null);
        if (pin !== pinned) {
          throw new CooError(
            'E_PLAN_CHANGED',
            `${planName(latest)} is under way with other documents (tree ${pinned.slice(0, 12)}, the files now make ${pin.slice(0, 12)})`,
            { plan: planName(latest), pinned, now: pin },
          );
        }
        return advancePlanLocked(repo, latest);
      }
    }
    const id = createAttempt(repo, loaded.plan.id, planTree(loaded, repo.layout.gitdir), {
      source: loaded.sources.plan,
    });
    return advancePlanLocked(repo, id);
  });
}

/** `coo plan status [PLAN]`: the latest attempt of each plan, or of one. */
export async function planStatuses(options: RepoOptions & { plan?: string }): Promise<PlanStatus[]> {
  const repo = await openRepo(options);
  const named = options.plan ? /^(?:plans\/)?([^/]+)\/([1-9][0-9]*)$/u.exec(options.plan) : null;
  if (named) return [(await readPlan(repo, { plan: named[1] as string, attempt: Number(named[2]) })).status];
  const plan = options.plan?.replace(/^plans\//u, '');
  const latest = new Map<string, PlanId>();
  for (const id of listAttempts(repo, plan)) latest.set(id.plan, id);
  if (plan && latest.size === 0) throw new CooError('E_PLAN_NOT_FOUND', `no attempt of plan ${plan}`, { plan });
  const out: PlanStatus[] = [];
  for (const id of latest.values()) out.push((await readPlan(repo, id)).status);
  return out;
}

/** The attempt a request is about, checked to be waiting on exactly that request. */
export async function waitingPlan(
  repo: Repo,
  request: { id: string; payload: Record<string, unknown> },
  state: 'awaiting_approval' | 'awaiting_readiness',
): Promise<Read & { id: PlanId }> {
  const id = { plan: String(request.payload['plan']), attempt: Number(request.payload['attempt']) };
  const read = await readPlan(repo, id);
  if (read.status.state !== state || read.status.awaiting?.request !== request.id) {
    throw new CooError('E_PLAN_TRANSITION', `${planName(id)} is ${read.status.state}, not waiting on ${request.id}`, {
      plan: planName(id),
      state: read.status.state,
      event: 'decide',
    });
  }
  return { ...read, id };
}

/** Before an approval: governance files intact, and (at a stage's gate) the baseline and tree the report describes. */
export async function ensureGateHolds(repo: Repo, read: Read & { id: PlanId }): Promise<void> {
  await ensureGovernanceIntact(repo);
  if (read.status.state === 'awaiting_approval') return;
  const diverged = await divergence(repo, read.status, { tree: true });
  if (diverged) {
    throw new CooError(
      'E_PLAN_DIVERGED',
      `${planName(read.id)} cannot go on: ${diverged.reason}. Put it back with \`coo baseline restore\`, or veto the gate`,
      { plan: planName(read.id), paths: diverged.paths },
    );
  }
}
