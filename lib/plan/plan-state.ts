import { CooError } from '../core/coo-error.js';
import { manifestCid } from '../store/manifest.js';
import { crashPoint } from '../store/crash-point.js';
import { appendRecord, readRecord, walkRecords, type RecordInput } from '../store/record-branch.js';
import { listRefs, readRef } from '../store/refs.js';
import type { Repo } from '../store/repo.js';
import { nextPlanState, type PlanEvent, type PlanState } from './fsm.js';

// A plan attempt lives in the state repository as `plans/<plan>/<attempt>`: one commit per event,
// each with the plan's documents as its tree (so `git show plans/tier1/1:plan.json` reads the plan
// that was approved) and a canonical JSON record as its message. Its status is read back from that
// history, so an attempt that paused for a person or whose process died reports, and resumes, from
// what the store says.

export const plansPrefix = 'refs/heads/plans/';

export interface PlanId {
  readonly plan: string;
  readonly attempt: number;
}

export interface PlanRecord {
  readonly version: 1;
  readonly plan: string;
  readonly attempt: number;
  readonly state: PlanState;
  readonly event: PlanEvent;
  readonly from: PlanState | null;
  readonly stage: string | null;
  readonly pack: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface PlanEntry {
  readonly commit: string;
  readonly tree: string;
  readonly record: PlanRecord;
}

export function planName(id: PlanId): string {
  return `plans/${id.plan}/${id.attempt}`;
}

export function planRef(id: PlanId): string {
  return `refs/heads/${planName(id)}`;
}

export function parsePlanName(name: string): PlanId | null {
  const match = /^(?:refs\/heads\/)?plans\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/([1-9][0-9]*)$/u.exec(name);
  return match ? { plan: match[1] as string, attempt: Number(match[2]) } : null;
}

/** Every event of an attempt, oldest first. */
export async function planHistory(repo: Repo, id: PlanId): Promise<PlanEntry[]> {
  const tip = readRef(repo.layout.gitdir, planRef(id));
  if (!tip) throw new CooError('E_PLAN_NOT_FOUND', `no plan attempt ${planName(id)}`, { plan: planName(id) });
  const entries = await walkRecords<PlanRecord>(repo.layout.gitdir, tip, {
    schema: 'plan-record',
    what: 'plan record',
    isFirst: (r) => r.event === 'create',
  });
  return entries.reverse().map((e) => ({ commit: e.commit, tree: e.tree, record: e.record }));
}

/** Attempts of one plan (or of every plan), oldest first. */
export function listAttempts(repo: Repo, plan?: string): PlanId[] {
  return [...listRefs(repo.layout.gitdir, plan ? `${plansPrefix}${plan}/` : plansPrefix).keys()]
    .map(parsePlanName)
    .filter((id): id is PlanId => id !== null)
    .sort((a, b) => (a.plan < b.plan ? -1 : a.plan > b.plan ? 1 : a.attempt - b.attempt));
}

function recordInput(id: PlanId, tip: string | null, tree: string, record: PlanRecord): RecordInput {
  const where = [record.stage, record.pack].filter((x) => x !== null).join(' ');
  return {
    ref: planRef(id),
    tip,
    tree,
    manifest: manifestCid([]),
    subject: `${planName(record)}: ${record.event}${where ? ` ${where}` : ''}${record.from === record.state ? '' : ` (${record.from ?? 'new'} -> ${record.state})`}`,
    record,
    trailers: [
      ['Coo-Op', 'plan'],
      ['Coo-Plan', record.plan],
      ['Coo-Attempt', String(record.attempt)],
      ['Coo-State', record.state],
    ],
  };
}

/** Opens the next attempt of a plan, in state draft, with its documents' tree (the caller holds the lock). */
export function createAttempt(repo: Repo, plan: string, tree: string, data: Record<string, unknown>): PlanId {
  const attempt = Math.max(0, ...listAttempts(repo, plan).map((a) => a.attempt)) + 1;
  const id = { plan, attempt };
  const record: PlanRecord = {
    version: 1,
    plan,
    attempt,
    state: 'draft',
    event: 'create',
    from: null,
    stage: null,
    pack: null,
    data,
  };
  appendRecord(repo, recordInput(id, null, tree, record));
  return id;
}

/** Records one event; an event the lifecycle does not allow fails with E_PLAN_TRANSITION and changes nothing. */
export async function recordPlanEvent(
  repo: Repo,
  id: PlanId,
  event: PlanEvent,
  input: { stage?: string | null; pack?: string | null; data?: Record<string, unknown> } = {},
): Promise<PlanEntry> {
  const tip = readRef(repo.layout.gitdir, planRef(id));
  if (!tip) throw new CooError('E_PLAN_NOT_FOUND', `no plan attempt ${planName(id)}`, { plan: planName(id) });
  const current = await readRecord<PlanRecord>(repo.layout.gitdir, tip, 'plan-record', 'plan record');
  const to = nextPlanState(current.record.state, event);
  if (to === null) {
    throw new CooError('E_PLAN_TRANSITION', `${planName(id)} is ${current.record.state}: it cannot ${event}`, {
      plan: planName(id),
      state: current.record.state,
      event,
    });
  }
  const record: PlanRecord = {
    version: 1,
    plan: id.plan,
    attempt: id.attempt,
    state: to,
    event,
    from: current.record.state,
    stage: input.stage ?? null,
    pack: input.pack ?? null,
    data: input.data ?? {},
  };
  const commit = appendRecord(repo, recordInput(id, tip, current.tree, record));
  crashPoint(`plan-${event}`);
  return { commit, tree: current.tree, record };
}
