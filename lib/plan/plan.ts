import { dirname, relative, resolve, sep } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { hashObject, type ObjectType } from '../store/git-object.js';
import { writeObject } from '../store/loose-objects.js';
import { readFlatTree, writeTreeFromFiles } from '../store/flat-tree.js';
import { readObjectOfType } from '../store/objects.js';
import { canonicalJson } from '../core/canonical-json.js';
import { compareUtf8 } from '../core/compare-utf8.js';
import { ensureDocumentPath } from '../core/document-paths.js';
import { canonicalKey } from '../core/gateway-path.js';
import { ensureJsonDocument, readDocumentBytes } from '../core/json-document.js';
import { parseMission, type Mission } from '../mission/mission.js';
import { validateWorkflow } from '../mission/workflow.js';

// A work plan (schemas/work-plan.schema.json) and everything it names: its fix packs (relative to
// the plan) and their missions (relative to each pack), read and checked as a whole before anything
// runs. A plan's missions run unattended, so none may have a human step: the plan's own gates are
// its human touchpoints. The loaded documents are kept, byte for byte, as a tree in the state
// repository; that tree's id pins the plan, so a resumed plan is the plan that was approved.

export const defaultBaselineName = 'PRE_HARDENING_AMU0';

export interface Acceptance {
  readonly id: string;
  readonly title?: string;
  readonly run: string;
  readonly repeat?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutSeconds?: number;
}

export interface FixPack {
  readonly version: 1;
  readonly id: string;
  readonly title: string;
  readonly owner?: string;
  readonly contributor?: string;
  readonly deliverables?: readonly string[];
  readonly criteria?: readonly string[];
  readonly missions: readonly string[];
  readonly determinismRuns?: number;
  readonly acceptance: readonly Acceptance[];
}

export interface StageDoc {
  readonly id: string;
  readonly title?: string;
  readonly goal?: string;
  readonly order?: 'exact' | 'any';
  readonly packs: readonly string[];
  readonly report?: string;
  readonly humanGate?: boolean;
  readonly completion?: readonly string[];
}

export interface WorkPlan {
  readonly version: 1;
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly baselineName?: string;
  readonly stages: readonly StageDoc[];
  readonly humanTouchpoints?: readonly string[];
}

/** A stage with its packs named by id, as the runner walks it. */
export interface Stage {
  readonly id: string;
  readonly title: string;
  readonly goal: string | null;
  readonly order: 'exact' | 'any';
  readonly packs: readonly string[];
  readonly report: string | null;
  readonly humanGate: boolean;
  readonly completion: readonly string[];
}

export interface LoadedPlan {
  readonly plan: WorkPlan;
  readonly stages: readonly Stage[];
  readonly packs: ReadonlyMap<string, FixPack>;
  /** Each pack's missions, in order. */
  readonly missions: ReadonlyMap<string, readonly Mission[]>;
  /** Where each document came from (repository-relative where it lies inside the repository). */
  readonly sources: {
    readonly plan: string;
    readonly packs: Readonly<Record<string, string>>;
    readonly missions: Readonly<Record<string, string>>;
  };
  /** The documents as stored: plan.json, packs/<id>.json, missions/<id>.json, layout.json. */
  readonly documents: readonly { readonly path: string; readonly bytes: Buffer }[];
}

function invalid(message: string, data: Record<string, unknown>): CooError {
  return new CooError('E_PLAN_INVALID', message, data);
}

/** A plan, pack or mission is a small document; this bounds each. */
export const planDocumentBytes = 1024 * 1024;

function read(path: string, shownAs: string): Buffer {
  return readDocumentBytes(path, { code: 'E_PLAN_INVALID', source: shownAs, maxBytes: planDocumentBytes });
}

/** A mission fit for a plan: valid workflow, command steps only. */
function ensureUnattended(mission: Mission, source: string): void {
  const workflow = validateWorkflow(mission);
  if (!workflow.valid) {
    const first = workflow.violations[0];
    throw invalid(
      `${source}: mission ${mission.id} breaks ${workflow.violations.length} workflow rule(s), first: ${first?.why}`,
      { path: source, mission: mission.id, workflow },
    );
  }
  const human = mission.steps.findIndex((s) => s.kind === 'human');
  if (human >= 0) {
    throw invalid(
      `${source}: step ${human + 1} of mission ${mission.id} is a human step; a plan's missions run unattended (a person acts only at the plan's gates)`,
      { path: source, mission: mission.id, step: human },
    );
  }
}

interface RawDocuments {
  readonly plan: Buffer;
  readonly packs: readonly {
    readonly source: string;
    readonly bytes: Buffer;
    readonly missions: readonly { readonly source: string; readonly bytes: Buffer }[];
  }[][];
}

/** Checks raw documents and assembles the loaded plan (shared by files on disk and the stored tree). */
async function assemble(raw: RawDocuments, planSource: string): Promise<LoadedPlan> {
  const plan = await ensureJsonDocument<WorkPlan>(raw.plan, {
    schema: 'work-plan',
    code: 'E_PLAN_INVALID',
    source: planSource,
  });
  const packs = new Map<string, FixPack>();
  const missions = new Map<string, Mission[]>();
  const packSources: Record<string, string> = {};
  const missionSources: Record<string, string> = {};
  const packBytes = new Map<string, Buffer>();
  const missionBytes = new Map<string, Buffer>();
  const stageIds = new Set<string>();
  const stages: Stage[] = [];
  for (const [s, doc] of plan.stages.entries()) {
    if (doc.report !== undefined)
      ensureDocumentPath(doc.report, { source: planSource, pointer: `/stages/${s}/report` });
    if (stageIds.has(doc.id))
      throw invalid(`${planSource}: stage ${doc.id} appears twice`, { path: planSource, stage: doc.id });
    stageIds.add(doc.id);
    const ids: string[] = [];
    for (const entry of raw.packs[s] ?? []) {
      const pack = await ensureJsonDocument<FixPack>(entry.bytes, {
        schema: 'fix-pack',
        code: 'E_PLAN_INVALID',
        source: entry.source,
      });
      if (packs.has(pack.id))
        throw invalid(`${entry.source}: pack ${pack.id} appears twice in the plan`, {
          path: entry.source,
          pack: pack.id,
        });
      if (pack.missions.length === 0 && pack.acceptance.length === 0)
        throw invalid(
          `${entry.source}: pack ${pack.id} has neither missions nor acceptance commands, so nothing would check it`,
          { path: entry.source, pack: pack.id },
        );
      const list: Mission[] = [];
      for (const m of entry.missions) {
        const mission = await parseMission(m.bytes, m.source);
        if (missionSources[mission.id] !== undefined)
          throw invalid(`${m.source}: mission ${mission.id} appears twice in the plan (runs are named by mission)`, {
            path: m.source,
            mission: mission.id,
          });
        ensureUnattended(mission, m.source);
        list.push(mission);
        missionSources[mission.id] = m.source;
        missionBytes.set(mission.id, m.bytes);
      }
      packs.set(pack.id, pack);
      missions.set(pack.id, list);
      packSources[pack.id] = entry.source;
      packBytes.set(pack.id, entry.bytes);
      ids.push(pack.id);
    }
    stages.push({
      id: doc.id,
      title: doc.title ?? doc.id,
      goal: doc.goal ?? null,
      order: doc.order ?? 'exact',
      packs: ids,
      report: doc.report ?? null,
      humanGate: doc.humanGate === true,
      completion: doc.completion ?? [],
    });
  }
  const reports = stages.flatMap((s) => (s.report ? [s.report] : []));
  const keys = reports.map(canonicalKey); // one file on a case-insensitive filesystem is one report
  const twice = reports.find((_, i) => keys.indexOf(keys[i] as string) !== i);
  if (twice)
    throw invalid(`${planSource}: two stages write the same report ${twice}`, { path: planSource, report: twice });
  const sources = { plan: planSource, packs: packSources, missions: missionSources };
  const layout = {
    version: 1,
    sources,
    stages: stages.map((s) => ({ id: s.id, packs: s.packs })),
    missions: Object.fromEntries([...missions].map(([pack, list]) => [pack, list.map((m) => m.id)])),
  };
  const documents = [
    { path: 'layout.json', bytes: Buffer.from(`${canonicalJson(layout)}\n`) },
    { path: 'plan.json', bytes: raw.plan },
    ...[...packBytes].map(([id, bytes]) => ({ path: `packs/${id}.json`, bytes })),
    ...[...missionBytes].map(([id, bytes]) => ({ path: `missions/${id}.json`, bytes })),
  ].sort((a, b) => compareUtf8(a.path, b.path));
  return { plan, stages, packs, missions, sources, documents };
}

function shown(root: string, path: string): string {
  const rel = relative(root, path);
  return rel.startsWith('..') || rel === '' ? path : rel.split(sep).join('/');
}

/** Reads a plan file and everything it names; `root` only shortens the paths shown. */
export async function loadPlan(file: string, root: string = dirname(file)): Promise<LoadedPlan> {
  const planPath = resolve(file);
  const planShown = shown(root, planPath);
  const planBytes = read(planPath, planShown);
  const plan = await ensureJsonDocument<WorkPlan>(planBytes, {
    schema: 'work-plan',
    code: 'E_PLAN_INVALID',
    source: planShown,
  });
  const packs: RawDocuments['packs'][number][] = [];
  for (const stage of plan.stages) {
    const list: RawDocuments['packs'][number][number][] = [];
    for (const p of stage.packs) {
      const packPath = resolve(dirname(planPath), p);
      const source = shown(root, packPath);
      const bytes = read(packPath, source);
      const pack = await ensureJsonDocument<FixPack>(bytes, { schema: 'fix-pack', code: 'E_PLAN_INVALID', source });
      list.push({
        source,
        bytes,
        missions: pack.missions.map((m) => {
          const missionPath = resolve(dirname(packPath), m);
          return { source: shown(root, missionPath), bytes: read(missionPath, shown(root, missionPath)) };
        }),
      });
    }
    packs.push(list);
  }
  return assemble({ plan: planBytes, packs }, planShown);
}

/** The tree that stores a loaded plan's documents, and its id (the plan's pin). */
export function planTree(plan: LoadedPlan, gitdir: string | null): string {
  const write = (type: ObjectType, content: Buffer): string =>
    gitdir === null ? hashObject(type, content) : writeObject(gitdir, type, content);
  return writeTreeFromFiles(
    plan.documents.map((d) => ({ path: d.path, mode: '100644' as const, oid: write('blob', d.bytes) })),
    write,
  );
}

/** A plan read back from the tree it was stored as. */
export async function loadStoredPlan(gitdir: string, tree: string): Promise<LoadedPlan> {
  const files = new Map((await readFlatTree(gitdir, tree)).files.map((f) => [f.path, f.oid]));
  const blob = async (path: string): Promise<Buffer> => {
    const oid = files.get(path);
    if (!oid) throw new CooError('E_STATE_CORRUPT', `stored plan ${tree} has no ${path}`, { tree, path });
    return readObjectOfType(gitdir, oid, 'blob');
  };
  const layout = JSON.parse((await blob('layout.json')).toString('utf8')) as {
    sources: LoadedPlan['sources'];
    stages: { id: string; packs: string[] }[];
    missions: Record<string, string[]>;
  };
  const packs = await Promise.all(
    layout.stages.map((s) =>
      Promise.all(
        s.packs.map(async (id) => ({
          source: layout.sources.packs[id] ?? id,
          bytes: await blob(`packs/${id}.json`),
          missions: await Promise.all(
            (layout.missions[id] ?? []).map(async (m) => ({
              source: layout.sources.missions[m] ?? m,
              bytes: await blob(`missions/${m}.json`),
            })),
          ),
        })),
      ),
    ),
  );
  return assemble({ plan: await blob('plan.json'), packs }, layout.sources.plan);
}

/** G1's baseline name for an attempt: the plan's name, then NAME_<attempt> when a name is taken. */
export function baselineNameOf(plan: WorkPlan): string {
  return plan.baselineName ?? defaultBaselineName;
}
