import type { Repo } from '../store/repo.js';
import type { MissionState } from './fsm.js';
import type { Mission } from './mission.js';
import { runName, runRecords, type RunId, type RunRecord } from './run-state.js';
import type { Confinement } from './sandbox.js';
import type { WorkflowReport } from './workflow.js';

// A run's report, read back from its history in the state repository (so a run that paused for a
// person, crashed or finished long ago reports the same way as one that just ran).

export interface StepReport {
  readonly index: number;
  readonly id: string | null;
  readonly kind: 'command' | 'human';
  readonly title: string | null;
  readonly status: 'done' | 'failed' | 'awaiting' | 'approved' | 'vetoed' | 'not-run';
  readonly exitCode: number | null;
  readonly tree: string | null;
  readonly output: string | null;
  readonly request: string | null;
}

export interface RunReport {
  readonly version: 1;
  readonly mission: string;
  readonly run: string;
  readonly state: MissionState;
  readonly baseline: { readonly rev: string; readonly commit: string };
  /** How the command steps were confined (absent for runs recorded before coo confined them). */
  readonly confinement?: Confinement;
  readonly workflow: WorkflowReport | null;
  readonly steps: readonly StepReport[];
  readonly changes: readonly { path: string; kind: string }[];
  readonly failure: {
    readonly step: number | null;
    readonly reason: string;
    readonly code: string | null;
    readonly violations: readonly unknown[];
  } | null;
  readonly awaiting: { readonly request: string; readonly step: number } | null;
  readonly applied: { readonly write: string | null } | null;
}

interface HistoryEntry {
  readonly record: RunRecord;
  readonly tree: string;
}

/** A run's records, oldest first, each with the quarantine tree it recorded. */
export async function runHistory(repo: Repo, id: RunId): Promise<HistoryEntry[]> {
  return (await runRecords(repo, id)).reverse().map((e) => ({ record: e.record, tree: e.tree }));
}

export function missionOf(history: readonly HistoryEntry[]): {
  mission: Mission;
  baseline: { rev: string; commit: string; tree: string };
  confinement: Confinement | null;
} {
  const data = history[0]?.record.data as {
    mission: Mission;
    baseline: { rev: string; commit: string; tree: string };
    confinement?: Confinement;
  };
  return { mission: data.mission, baseline: data.baseline, confinement: data.confinement ?? null };
}

export async function runReport(repo: Repo, id: RunId): Promise<RunReport> {
  const history = await runHistory(repo, id);
  const { mission, baseline, confinement } = missionOf(history);
  const last = history[history.length - 1]?.record as RunRecord;
  const steps: StepReport[] = mission.steps.map((s, index) => ({
    index,
    id: s.id ?? null,
    kind: s.kind,
    title: s.title ?? null,
    status: 'not-run',
    exitCode: null,
    tree: null,
    output: null,
    request: null,
  }));
  const set = (i: number, patch: Partial<StepReport>): void => {
    const step = steps[i];
    if (step) steps[i] = { ...step, ...patch };
  };
  let workflow: WorkflowReport | null = null;
  let changes: RunReport['changes'] = [];
  let failure: RunReport['failure'] = null;
  let awaiting: RunReport['awaiting'] = null;
  let applied: RunReport['applied'] = null;
  for (const { record, tree } of history) {
    const data = record.data as Record<string, unknown>;
    if (record.event === 'validate' || record.event === 'reject') workflow = data['workflow'] as WorkflowReport;
    if (record.event === 'step' && record.step !== null)
      set(record.step, {
        status: 'done',
        exitCode: (data['exitCode'] as number) ?? 0,
        tree,
        output: (data['output'] as string) ?? null,
      });
    if (record.event === 'pause' && record.step !== null) {
      set(record.step, { status: 'awaiting', request: data['request'] as string });
      awaiting = { request: data['request'] as string, step: record.step };
    }
    if (record.event === 'approve' && record.step !== null) {
      set(record.step, { status: 'approved', tree });
      awaiting = null;
    }
    if (record.event === 'veto' && record.step !== null) {
      set(record.step, { status: 'vetoed' });
      awaiting = null;
    }
    if (record.event === 'stage') changes = (data['changes'] as RunReport['changes']) ?? [];
    if (record.event === 'apply') applied = { write: (data['write'] as string | null) ?? null };
    if (record.event === 'fail') {
      failure = {
        step: record.step,
        reason: String(data['reason']),
        code: (data['code'] as string | null) ?? null,
        violations: (data['violations'] as unknown[]) ?? [],
      };
      if (record.step !== null)
        set(record.step, {
          status: 'failed',
          exitCode: (data['exitCode'] as number | null) ?? null,
          output: (data['output'] as string | null) ?? null,
        });
    }
  }
  return {
    version: 1,
    mission: mission.id,
    run: runName(id),
    state: last.state,
    baseline: { rev: baseline.rev, commit: baseline.commit },
    ...(confinement ? { confinement } : {}),
    workflow,
    steps,
    changes,
    failure,
    awaiting,
    applied,
  };
}
