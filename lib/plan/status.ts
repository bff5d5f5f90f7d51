import type { PlanState } from './fsm.js';
import type { LoadedPlan, Stage } from './plan.js';
import { planName, type PlanEntry, type PlanId, type PlanRecord } from './plan-state.js';

// A plan attempt's status, folded from its history: where it is, what each pack did, what each
// check found, which baselines it signed, and what it waits for. Pure: the same history always
// gives the same status.

export interface BaselineMark {
  readonly name: string;
  readonly commit: string;
  readonly sequence: number;
  readonly tree: string;
}

export interface MissionResult {
  readonly mission: string;
  readonly run: string;
  readonly from: string;
  readonly commit: string;
  readonly tree: string;
  readonly changes: number;
}

export interface AcceptanceResult {
  readonly id: string;
  readonly run: string;
  readonly repeat: number;
  readonly passed: number;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly changedTree: boolean;
  readonly output: string | null;
}

export interface DeterminismResult {
  readonly mission: string;
  readonly verdict: string;
  readonly runs: number;
  readonly commit: string;
  readonly tree: string | null;
  readonly matchesRun: boolean;
}

/** One check of coo's own operations on the pack's result (lib/determinism/operations.ts). */
export interface OperationCheck {
  readonly id: string;
  readonly status: 'pass' | 'fail';
  readonly summary: string;
}

export interface RollbackCheck {
  readonly baseline: { readonly commit: string; readonly tree: string; readonly manifest: string };
  readonly restored: { readonly tree: string; readonly manifest: string };
  readonly result: { readonly commit: string; readonly tree: string; readonly manifest: string };
  readonly returned: { readonly tree: string; readonly manifest: string };
  readonly ok: boolean;
}

export interface PackFailure {
  readonly check: 'start' | 'mission' | 'apply' | 'acceptance' | 'determinism' | 'rollback' | 'promote';
  readonly reason: string;
  readonly code: string | null;
  readonly detail: unknown;
  /** What the working tree was put back to, and the safety snapshot that keeps what the pack left. */
  readonly restored: { readonly baseline: string; readonly tree: string; readonly safety: string } | null;
}

export interface PackStatus {
  readonly id: string;
  readonly title: string;
  readonly state: 'pending' | 'running' | 'checked' | 'passed' | 'failed';
  readonly start: string | null;
  readonly missions: readonly MissionResult[];
  readonly acceptance: readonly AcceptanceResult[];
  readonly determinism: readonly DeterminismResult[];
  readonly operations: readonly OperationCheck[];
  readonly rollback: RollbackCheck | null;
  readonly baseline: BaselineMark | null;
  readonly failure: PackFailure | null;
}

export interface StageReport {
  readonly path: string;
  readonly blob: string;
  readonly write: string | null;
  readonly baseline: BaselineMark;
}

export interface StageStatus {
  readonly id: string;
  readonly title: string;
  readonly order: 'exact' | 'any';
  readonly humanGate: boolean;
  readonly state: 'pending' | 'running' | 'done' | 'failed' | 'awaiting_readiness' | 'approved' | 'vetoed';
  readonly packs: readonly PackStatus[];
  readonly report: StageReport | null;
  readonly gate: {
    readonly request: string;
    readonly decision: 'approve' | 'veto' | null;
    readonly commit: string | null;
  } | null;
}

export interface PlanStatus {
  readonly version: 1;
  readonly plan: string;
  readonly title: string;
  readonly attempt: number;
  readonly name: string;
  readonly commit: string;
  /** The tree of the plan's documents: its pin. */
  readonly documents: string;
  readonly state: PlanState;
  readonly approval: {
    readonly request: string;
    readonly decision: 'approve' | 'veto' | null;
    readonly commit: string | null;
  } | null;
  readonly g1: BaselineMark | null;
  /** The last baseline this attempt signed: where amu0 must be for it to go on. */
  readonly amu0: string | null;
  readonly stages: readonly StageStatus[];
  readonly awaiting: { readonly request: string; readonly gate: string } | null;
  readonly failure: { readonly stage: string | null; readonly pack: string | null; readonly reason: string } | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What the events of an attempt add up to, folded one record at a time. */
interface Folded {
  readonly packs: Map<string, Mutable<PackStatus>>;
  readonly reports: Map<string, StageReport>;
  readonly gates: Map<string, Mutable<NonNullable<StageStatus['gate']>>>;
  approval: Mutable<NonNullable<PlanStatus['approval']>> | null;
  g1: BaselineMark | null;
  amu0: string | null;
  awaiting: PlanStatus['awaiting'];
  failure: PlanStatus['failure'];
}

/** The results a pack's checked or failed event carries. */
function packResults(data: Record<string, unknown>): Partial<PackStatus> {
  return {
    missions: (data['missions'] as MissionResult[]) ?? [],
    acceptance: (data['acceptance'] as AcceptanceResult[]) ?? [],
    determinism: (data['determinism'] as DeterminismResult[]) ?? [],
    operations: (data['operations'] as OperationCheck[]) ?? [],
    rollback: (data['rollback'] as RollbackCheck | null) ?? null,
  };
}

function fold(acc: Folded, record: PlanRecord): void {
  const data = record.data as Record<string, unknown>;
  const pack = record.pack === null ? undefined : acc.packs.get(record.pack);
  switch (record.event) {
    case 'request': {
      const request = String(data['request']);
      if (record.stage === null) acc.approval = { request, decision: null, commit: null };
      else acc.gates.set(record.stage, { request, decision: null, commit: null });
      acc.awaiting = { request, gate: record.stage ?? 'plan' };
      break;
    }
    case 'approve':
    case 'veto': {
      const target = record.stage === null ? acc.approval : acc.gates.get(record.stage);
      if (target)
        Object.assign(target, { decision: record.event, commit: (data['decision'] as string | undefined) ?? null });
      acc.awaiting = null;
      break;
    }
    case 'baseline':
      acc.g1 = data['baseline'] as BaselineMark;
      acc.amu0 = acc.g1.commit;
      break;
    case 'pack-start':
      if (pack)
        Object.assign(pack, {
          state: 'running',
          start: data['start'] as string,
          missions: [],
          acceptance: [],
          determinism: [],
          operations: [],
          rollback: null,
          failure: null,
        });
      break;
    case 'pack-checked':
      if (pack) Object.assign(pack, { state: 'checked', ...packResults(data) });
      break;
    case 'pack-done':
      if (pack) Object.assign(pack, { state: 'passed', baseline: data['baseline'] as BaselineMark });
      acc.amu0 = (data['baseline'] as BaselineMark).commit;
      break;
    case 'pack-failed':
      if (pack) Object.assign(pack, { state: 'failed', ...packResults(data), failure: data['failure'] as PackFailure });
      break;
    case 'report':
      if (record.stage !== null) acc.reports.set(record.stage, data['report'] as StageReport);
      acc.amu0 = (data['report'] as StageReport).baseline.commit;
      break;
    case 'fail':
      acc.failure = { stage: record.stage, pack: record.pack, reason: String(data['reason']) };
      break;
    default:
      break;
  }
}

function stageState(
  stage: Stage,
  packs: readonly PackStatus[],
  gate: StageStatus['gate'],
  report: StageReport | null,
): StageStatus['state'] {
  if (gate?.decision === 'veto') return 'vetoed';
  if (gate?.decision === 'approve') return 'approved';
  if (gate) return 'awaiting_readiness';
  if (stage.order === 'exact' && packs.some((p) => p.state === 'failed')) return 'failed';
  const allRan = packs.every((p) => p.state === 'passed' || p.state === 'failed');
  if (allRan && (report !== null || stage.report === null)) return 'done';
  return packs.some((p) => p.state !== 'pending') ? 'running' : 'pending';
}

export function planStatus(id: PlanId, loaded: LoadedPlan, history: readonly PlanEntry[]): PlanStatus {
  const acc: Folded = {
    packs: new Map(),
    reports: new Map(),
    gates: new Map(),
    approval: null,
    g1: null,
    amu0: null,
    awaiting: null,
    failure: null,
  };
  for (const [packId, pack] of loaded.packs) {
    acc.packs.set(packId, {
      id: packId,
      title: pack.title,
      state: 'pending',
      start: null,
      missions: [],
      acceptance: [],
      determinism: [],
      operations: [],
      rollback: null,
      baseline: null,
      failure: null,
    });
  }
  for (const { record } of history) fold(acc, record);
  const last = history[history.length - 1] as PlanEntry;
  const state = last.record.state;
  const stages: StageStatus[] = loaded.stages.map((s) => {
    const list = s.packs.map((p) => acc.packs.get(p) as PackStatus);
    const gate = acc.gates.get(s.id) ?? null;
    const report = acc.reports.get(s.id) ?? null;
    return {
      id: s.id,
      title: s.title,
      order: s.order,
      humanGate: s.humanGate,
      state: stageState(s, list, gate, report),
      packs: list,
      report,
      gate,
    };
  });
  return {
    version: 1,
    plan: id.plan,
    title: loaded.plan.title,
    attempt: id.attempt,
    name: planName(id),
    commit: last.commit,
    documents: last.tree,
    state,
    approval: acc.approval,
    g1: acc.g1,
    amu0: acc.amu0,
    stages,
    awaiting: state === 'awaiting_approval' || state === 'awaiting_readiness' ? acc.awaiting : null,
    failure: acc.failure,
  };
}

export type NextStep =
  | { readonly kind: 'baseline' }
  | { readonly kind: 'pack'; readonly stage: string; readonly pack: string; readonly restart: boolean }
  | { readonly kind: 'report'; readonly stage: string }
  | { readonly kind: 'gate'; readonly stage: string }
  | { readonly kind: 'fail'; readonly stage: string; readonly pack: string }
  | { readonly kind: 'complete' }
  | { readonly kind: 'wait' };

/** What a running attempt does next, from its status alone (pure: the runner's only decision). */
export function nextStep(status: PlanStatus, loaded: LoadedPlan): NextStep {
  if (status.state !== 'running') return { kind: 'wait' };
  if (status.g1 === null) return { kind: 'baseline' };
  for (const stage of status.stages) {
    const doc = loaded.stages.find((s) => s.id === stage.id);
    if (stage.state === 'vetoed') return { kind: 'wait' };
    for (const pack of stage.packs) {
      if (pack.state === 'failed') {
        if (stage.order === 'exact') return { kind: 'fail', stage: stage.id, pack: pack.id };
        continue;
      }
      if (pack.state !== 'passed')
        return { kind: 'pack', stage: stage.id, pack: pack.id, restart: pack.state !== 'pending' };
    }
    if (doc?.report && stage.report === null) return { kind: 'report', stage: stage.id };
    if (stage.humanGate && stage.gate === null) return { kind: 'gate', stage: stage.id };
  }
  return { kind: 'complete' };
}
