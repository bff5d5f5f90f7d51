import { CooError } from '../core/coo-error.js';
import { appendRecord, readRecord, walkRecords, type RecordEntry, type RecordInput } from '../store/record-branch.js';
import { listRefs, readRef } from '../store/refs.js';
import type { Repo } from '../store/repo.js';
import { parseTrailers } from '../store/trailers.js';
import { initialState, next, type MissionEvent, type MissionState } from './fsm.js';

// A mission run lives in the state repository as `runs/<mission>/<n>`: its first commit's parent is
// the baseline it starts from, and every transition of its lifecycle is one more commit, whose tree
// is the quarantine tree at that moment and whose message holds the run's state. Reading the ref
// is reading the state, so a run survives any crash of the process that drives it.

export const runsPrefix = 'refs/heads/runs/';

export interface RunId {
  readonly mission: string;
  readonly n: number;
}

export interface RunRecord {
  readonly version: 1;
  readonly mission: string;
  readonly run: number;
  readonly state: MissionState;
  readonly event: MissionEvent | 'create';
  readonly from: MissionState | null;
  readonly step: number | null;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface RunStatus {
  readonly id: RunId;
  readonly name: string;
  readonly commit: string;
  readonly tree: string;
  readonly manifest: string;
  readonly record: RunRecord;
}

export function runName(id: RunId): string {
  return `runs/${id.mission}/${id.n}`;
}

export function runRef(id: RunId): string {
  return `refs/heads/${runName(id)}`;
}

export function parseRunName(name: string): RunId | null {
  const match = /^(?:refs\/heads\/)?runs\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/([1-9][0-9]*)$/u.exec(name);
  return match ? { mission: match[1] as string, n: Number(match[2]) } : null;
}

/** The records of a run, newest first, back to the one that created it. */
export async function runRecords(repo: Repo, id: RunId, tip: string | null = null): Promise<RecordEntry<RunRecord>[]> {
  return walkRecords<RunRecord>(repo.layout.gitdir, tip ?? (await readRun(repo, id)).commit, {
    schema: 'run-record',
    what: 'run record',
    isFirst: (r) => r.event === 'create',
  });
}

async function statusAt(repo: Repo, id: RunId, commit: string): Promise<RunStatus> {
  const entry = await readRecord<RunRecord>(repo.layout.gitdir, commit, 'run-record', 'run record');
  return {
    id,
    name: runName(id),
    commit,
    tree: entry.tree,
    manifest: parseTrailers(entry.message).get('Coo-Manifest') ?? '',
    record: entry.record,
  };
}

export async function readRun(repo: Repo, id: RunId): Promise<RunStatus> {
  const commit = readRef(repo.layout.gitdir, runRef(id));
  if (!commit) throw new CooError('E_RUN_NOT_FOUND', `no run ${runName(id)}`, { run: runName(id) });
  return statusAt(repo, id, commit);
}

export async function listRuns(repo: Repo, mission?: string): Promise<RunStatus[]> {
  const refs = listRefs(repo.layout.gitdir, mission ? `${runsPrefix}${mission}/` : runsPrefix);
  const out: RunStatus[] = [];
  for (const [ref, commit] of refs) {
    const id = parseRunName(ref);
    if (id) out.push(await statusAt(repo, id, commit));
  }
  return out.sort((a, b) => (a.id.mission < b.id.mission ? -1 : a.id.mission > b.id.mission ? 1 : a.id.n - b.id.n));
}

function recordInput(
  id: RunId,
  record: RunRecord,
  at: { tip: string | null; base?: string; tree: string; manifest: string },
): RecordInput {
  return {
    ref: runRef(id),
    ...at,
    subject: `${record.mission}/${record.run}: ${record.from ?? 'new'} -> ${record.state} (${record.event}${record.step === null ? '' : `, step ${record.step + 1}`})`,
    record,
    trailers: [
      ['Coo-Op', 'mission'],
      ['Coo-Mission', record.mission],
      ['Coo-Run', String(record.run)],
      ['Coo-State', record.state],
    ],
  };
}

/** Opens run n+1 of a mission, in state draft, on top of the baseline commit (the caller holds the lock). */
export async function createRun(
  repo: Repo,
  mission: string,
  baseline: { commit: string; tree: string; manifest: string },
  data: Record<string, unknown>,
): Promise<RunStatus> {
  const n = Math.max(0, ...(await listRuns(repo, mission)).map((r) => r.id.n)) + 1;
  const id = { mission, n };
  const record: RunRecord = {
    version: 1,
    mission,
    run: n,
    state: initialState,
    event: 'create',
    from: null,
    step: null,
    data,
  };
  const commit = appendRecord(
    repo,
    recordInput(id, record, { tip: null, base: baseline.commit, tree: baseline.tree, manifest: baseline.manifest }),
  );
  return statusAt(repo, id, commit);
}

export interface TransitionInput {
  readonly tree?: string;
  readonly manifest?: string;
  readonly step?: number | null;
  readonly data?: Record<string, unknown>;
}

/**
 * Moves a run along its lifecycle, reading its state from the store first. An event the table does
 * not allow in that state fails with E_MISSION_TRANSITION and changes nothing.
 */
export async function transition(
  repo: Repo,
  id: RunId,
  event: MissionEvent,
  input: TransitionInput = {},
): Promise<RunStatus> {
  const current = await readRun(repo, id);
  const to = next(current.record.state, event);
  if (to === null) {
    throw new CooError('E_MISSION_TRANSITION', `${runName(id)} is ${current.record.state}: it cannot ${event}`, {
      run: runName(id),
      state: current.record.state,
      event,
    });
  }
  const record: RunRecord = {
    version: 1,
    mission: id.mission,
    run: id.n,
    state: to,
    event,
    from: current.record.state,
    step: input.step ?? null,
    data: input.data ?? {},
  };
  const commit = appendRecord(
    repo,
    recordInput(id, record, {
      tip: current.commit,
      tree: input.tree ?? current.tree,
      manifest: input.manifest ?? current.manifest,
    }),
  );
  return statusAt(repo, id, commit);
}
