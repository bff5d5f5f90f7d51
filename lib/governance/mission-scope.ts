import { readFileSync } from 'node:fs';
import { CooError } from '../errors/coo-error.js';
import { schemaProblems } from '../schemas/validate.js';
import type { MissionScope, ScopeRule, Ceilings } from './scope.js';

// A mission document's scope and ceilings, read and checked against schemas/mission.schema.json.

export async function loadMissionScope(path: string): Promise<MissionScope> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new CooError('E_MISSION_INVALID', `${path} is not a readable JSON document`, { path, pointer: '', reason: (cause as Error).message }, { cause });
  }
  const problems = await schemaProblems('mission', doc);
  const first = problems[0];
  if (first) throw new CooError('E_MISSION_INVALID', `${path}: at ${first.pointer || '/'}: expected ${first.expected}`, { path, pointer: first.pointer, problems });
  const mission = doc as { id: string; scope: { rules: ScopeRule[]; ceilings?: Ceilings } };
  return { mission: mission.id, rules: mission.scope.rules, ceilings: mission.scope.ceilings ?? {} };
}
