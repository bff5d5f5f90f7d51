import { globMatcher } from './glob.js';

// A mission's scope, modelled on in-toto's artifact rules with their implicit allow-all turned
// into a default deny: rules are read in order, the first whose pattern matches a changed path and
// whose kind fits the change decides (create/modify/delete allow only that kind of change, allow
// allows any, disallow refuses any), and a change no rule decides is denied. Numeric ceilings bound
// the whole write set.

export type ChangeKind = 'create' | 'modify' | 'delete';

export interface ScopeRule {
  readonly rule: ChangeKind | 'allow' | 'disallow';
  readonly pattern: string;
}

export interface Ceilings {
  readonly maxFiles?: number;
  readonly maxBytes?: number;
  readonly maxFileBytes?: number;
  readonly maxDepth?: number;
}

export interface MissionScope {
  readonly mission: string;
  readonly rules: readonly ScopeRule[];
  readonly ceilings: Ceilings;
}

export interface ScopedChange {
  readonly path: string;
  readonly kind: ChangeKind;
  /** Bytes written (0 for a deletion). */
  readonly bytes: number;
}

export interface ScopeViolation {
  readonly path: string;
  readonly code: 'E_SCOPE_DENIED' | 'E_CEILING_FILES' | 'E_CEILING_BYTES' | 'E_CEILING_FILE_SIZE' | 'E_CEILING_DEPTH';
  readonly reason: string;
  readonly data: Record<string, unknown>;
}

/** Which rule decides a change: its index, or -1 when none does (denied by default). */
export function decidingRule(
  rules: readonly ScopeRule[],
  change: { path: string; kind: ChangeKind },
): { index: number; allowed: boolean } {
  for (const [index, rule] of rules.entries()) {
    if (!globMatcher([rule.pattern])(change.path)) continue;
    if (rule.rule === 'allow') return { index, allowed: true };
    if (rule.rule === 'disallow') return { index, allowed: false };
    if (rule.rule === change.kind) return { index, allowed: true };
  }
  return { index: -1, allowed: false };
}

export function checkScope(scope: MissionScope, changes: readonly ScopedChange[]): ScopeViolation[] {
  const violations: ScopeViolation[] = [];
  const { ceilings } = scope;
  for (const change of changes) {
    const decided = decidingRule(scope.rules, change);
    if (!decided.allowed) {
      violations.push({
        path: change.path,
        code: 'E_SCOPE_DENIED',
        reason:
          decided.index < 0
            ? `no rule of mission ${scope.mission} allows to ${change.kind} it`
            : `rule ${decided.index + 1} (${scope.rules[decided.index]?.rule} ${scope.rules[decided.index]?.pattern}) refuses it`,
        data: { kind: change.kind, rule: decided.index < 0 ? null : decided.index + 1 },
      });
      continue;
    }
    if (ceilings.maxFileBytes !== undefined && change.bytes > ceilings.maxFileBytes) {
      violations.push({
        path: change.path,
        code: 'E_CEILING_FILE_SIZE',
        reason: `${change.bytes} bytes > ${ceilings.maxFileBytes}`,
        data: { bytes: change.bytes, limit: ceilings.maxFileBytes },
      });
    }
    const depth = change.path.split('/').length;
    if (ceilings.maxDepth !== undefined && depth > ceilings.maxDepth) {
      violations.push({
        path: change.path,
        code: 'E_CEILING_DEPTH',
        reason: `depth ${depth} > ${ceilings.maxDepth}`,
        data: { depth, limit: ceilings.maxDepth },
      });
    }
  }
  if (ceilings.maxFiles !== undefined && changes.length > ceilings.maxFiles) {
    violations.push({
      path: '',
      code: 'E_CEILING_FILES',
      reason: `${changes.length} files > ${ceilings.maxFiles}`,
      data: { files: changes.length, limit: ceilings.maxFiles },
    });
  }
  const bytes = changes.reduce((n, c) => n + c.bytes, 0);
  if (ceilings.maxBytes !== undefined && bytes > ceilings.maxBytes) {
    violations.push({
      path: '',
      code: 'E_CEILING_BYTES',
      reason: `${bytes} bytes > ${ceilings.maxBytes}`,
      data: { bytes, limit: ceilings.maxBytes },
    });
  }
  return violations;
}
