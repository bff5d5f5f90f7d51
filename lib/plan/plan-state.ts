import { CooError } from '../core/coo-error.js';
import { manifestCid } from '../store/manifest.js';
import { listRefs, readRef, updateRef } from '../store/refs.js';
import { readCommit } from '../store/rev-parse.js';
import { messageBody } from '../store/trailers.js';
import { canonicalJson } from '../core/canonical-json.js';
import { ensureStored } from '../core/schemas.js';
import { crashPoint } from '../store/crash-point.js';
import type { Repo } from '../store/repo.js';
import { writeStateCommit } from '../store/state-commit.js';
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

async function entryAt(repo: Repo, commit: string): Promise<PlanEntry & { parent: string | null }> {
  const parsed = await readCommit(repo.layout.gitdir, commit);
  let doc: unknown;
  try {
    doc = JSON.parse(messageBody(parsed.message));
  } catch (cause) {
    throw new CooError('E_STATE_CORRUPT', `commit ${commit} does not carry a plan record`, { commit }, { cause });
  }
  const record = await ensureStored<PlanRecord>('plan-record', doc, `plan record ${commit}`);
  return { commit, tree: parsed.tree, record, parent: parsed.parents[0] ?? null };
}

/** Every event of an attempt, oldest first. */
export async function planHistory(repo: Repo, id: PlanId): Promise<PlanEntry[]> {
  let oid = readRef(repo.layout.gitdir, planRef(id));
  if (!oid) throw new CooError('E_PLAN_NOT_FOUND', `no plan attempt ${planName(id)}`, { plan: planName(id) });
  const out: PlanEntry[] = [];
  while (oid) {
    const entry = await entryAt(repo, oid);
    out.push({ commit: entry.commit, tree: entry.tree, record: entry.record });
    oid = entry.record.event === 'create' ? null : entry.parent;
  }
  return out.reverse();
}

/** Attempts of one plan (or of every plan), oldest first. */
export function listAttempts(repo: Repo, plan?: string): PlanId[] {
  return [...listRefs(repo.layout.gitdir, plan ? `${plansPrefix}${plan}/` : plansPrefix).keys()]
    .map(parsePlanName)
    .filter((id): id is PlanId => id !== null)
    .sort((a, b) => (a.plan < b.plan ? -1 : a.plan > b.plan ? 1 : a.attempt - b.attempt));
}

function writeRecord(repo: Repo, parent: string | null, tree: string, record: PlanRecord): string {
  const where = [record.stage, record.pack].filter((x) => x !== null).join(' ');
  return writeStateCommit(repo, {
    tree,
    parents: parent ? [parent] : [],
    subject: `${planName(record)}: ${record.event}${where ? ` ${where}` : ''}${record.from === record.state ? '' : ` (${record.from ?? 'new'} -> ${record.state})`}`,
    body: canonicalJson(record),
    manifest: manifestCid([]),
    trailers: [
      ['Coo-Op', 'plan'],
      ['Coo-Plan', record.plan],
      ['Coo-Attempt', String(record.attempt)],
      ['Coo-State', record.state],
    ],
  });
}

/** Opens the next attempt of a plan, in state draft, with its documents' tree (the caller holds the lock). */
export function createAttempt(repo: Repo, plan: string, tree: string, data: Record<string, unknown>): PlanId {
  const attempt = Math.max(0, ...listAttempts(repo, plan).map((a) => a.attempt)) + 1;
  const id = { plan, attempt };
  const record: PlanRecord = { version: 1, plan, attempt, state: 'draft', event: 'create', from: null, stage: null, pack: null, data };
  updateRef(repo.layout.gitdir, planRef(id), writeRecord(repo, null, tree, record), null);
  return id;
}

/** Records one event; an event the lifecycle does not allow fails with E_PLAN_TRANSITION and changes nothing. */
export async function recordPlanEvent(repo: Repo, id: PlanId, event: PlanEvent, input: { stage?: string | null; pack?: string | null; data?: Record<string, unknown> } = {}): Promise<PlanEntry> {
  const tip = readRef(repo.layout.gitdir, planRef(id));
  if (!tip) throw new CooError('E_PLAN_NOT_FOUND', `no plan attempt ${planName(id)}`, { plan: planName(id) });
  const current = await entryAt(repo, tip);
  const to = nextPlanState(current.record.state, event);
  if (to === null) {
    throw new CooError('E_PLAN_TRANSITION', `${planName(id)} is ${current.record.state}: it cannot ${event}`, { plan: planName(id), state: current.record.state, event });
  }
  const record: PlanRecord = { version: 1, plan: id.plan, attempt: id.attempt, state: to, event, from: current.record.state, stage: input.stage ?? null, pack: input.pack ?? null, data: input.data ?? {} };
  const commit = writeRecord(repo, tip, current.tree, record);
  updateRef(repo.layout.gitdir, planRef(id), commit, tip);
  crashPoint(`plan-${event}`);
  return { commit, tree: current.tree, record };
}
