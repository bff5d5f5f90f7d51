import { readFileSync } from 'node:fs';
import { CooError } from '../core/coo-error.js';
import { schemaProblems } from '../core/schemas.js';
import type { Ceilings, MissionScope, ScopeRule } from '../governance/scope.js';

// A mission document (schemas/mission.schema.json): read, checked against its schema (an error
// points into the document), and turned into the scope the gateway enforces.

export interface CommandStep {
  readonly kind: 'command';
  readonly id?: string;
  readonly title?: string;
  readonly run: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutSeconds?: number;
}

export interface HumanStep {
  readonly kind: 'human';
  readonly id?: string;
  readonly title?: string;
  readonly action: string;
  readonly prompt: string;
}

export type Step = CommandStep | HumanStep;

export interface Mission {
  readonly version: 1;
  readonly id: string;
  readonly title?: string;
  readonly baseline?: string;
  readonly seed?: number;
  readonly sourceDateEpoch?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutSeconds?: number;
  readonly scope: { readonly rules: readonly ScopeRule[]; readonly ceilings?: Ceilings; readonly stepKinds?: readonly ('command' | 'human')[] };
  readonly steps: readonly Step[];
}

/** Checks a parsed document against the mission schema; throws E_MISSION_INVALID pointing into it. */
export async function ensureMission(doc: unknown, source: string): Promise<Mission> {
  const problems = await schemaProblems('mission', doc);
  const first = problems[0];
  if (first) {
    throw new CooError('E_MISSION_INVALID', `${source}: at ${first.pointer || '/'}: expected ${first.expected}, found ${JSON.stringify(first.found)}`, {
      path: source,
      pointer: first.pointer,
      expected: first.expected,
      found: first.found ?? null,
      problems,
    });
  }
  return doc as Mission;
}

export async function loadMission(path: string): Promise<Mission> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new CooError('E_MISSION_INVALID', `${path} is not a readable JSON document`, { path, pointer: '', reason: (cause as Error).message }, { cause });
  }
  return ensureMission(doc, path);
}

export function missionScope(mission: Mission): MissionScope {
  return { mission: mission.id, rules: mission.scope.rules, ceilings: mission.scope.ceilings ?? {} };
}
