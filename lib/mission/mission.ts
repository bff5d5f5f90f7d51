import { ensureDocumentPattern } from '../core/document-paths.js';
import { ensureJsonDocument, readJsonFile } from '../core/json-document.js';
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
  /** How command steps are confined (sandbox.ts). */
  readonly sandbox?: { readonly network?: boolean; readonly unconfined?: boolean };
  readonly scope: {
    readonly rules: readonly ScopeRule[];
    readonly ceilings?: Ceilings;
    readonly stepKinds?: readonly ('command' | 'human')[];
  };
  readonly steps: readonly Step[];
}

/** A mission document from its bytes: JSON, checked against the mission schema (E_MISSION_INVALID points into it). */
export async function parseMission(text: string | Buffer, source: string): Promise<Mission> {
  return ensureScopePatterns(await ensureJsonDocument<Mission>(text, { ...asDocument, source }), source);
}

export async function loadMission(path: string): Promise<Mission> {
  return ensureScopePatterns(await readJsonFile<Mission>(path, asDocument), path);
}

/** Every scope pattern's literal part is a path the gateway would accept (its code, at the rule). */
function ensureScopePatterns(mission: Mission, source: string): Mission {
  for (const [i, rule] of mission.scope.rules.entries())
    ensureDocumentPattern(rule.pattern, { source, pointer: `/scope/rules/${i}/pattern` });
  return mission;
}

/** A mission is a small document: 1 MiB at most. */
const asDocument = { schema: 'mission', code: 'E_MISSION_INVALID', maxBytes: 1024 * 1024 } as const;

export function missionScope(mission: Mission): MissionScope {
  return { mission: mission.id, rules: mission.scope.rules, ceilings: mission.scope.ceilings ?? {} };
}
