import type { GovernedDir } from '../core/config.js';
import { compileNamingRule } from '../core/naming-rule.js';

// Deterministic naming and versions in governed directories. A directory's rule is a regular
// expression (RE2 syntax, matched in linear time: core/naming-rule.ts) with the named groups
// `name` and `version` (dotted numbers, e.g. 0.1 or 1.2.3), as the plan's artefacts are named:
// `Tier1_Hardening_Completion_Report_v0.1.md`. A new version must be higher than every version of
// the same name; a version that exists is released and immutable.

export interface Artefact {
  readonly file: string;
  readonly name: string;
  readonly version: readonly number[];
}

export function parseArtefact(rule: GovernedDir, file: string): Artefact | null {
  const naming = compileNamingRule(rule.naming);
  if ('problem' in naming) return null; // refused where the config is read; never reached from a loaded config
  const match = naming.exec(file);
  const name = match?.name;
  const version = match?.version;
  if (!name || !version || !/^[0-9]+(\.[0-9]+)*$/u.test(version)) return null;
  return { file, name, version: version.split('.').map(Number) };
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function formatVersion(version: readonly number[]): string {
  return version.join('.');
}

/** The governed directory a path is directly inside, if any. */
export function governedDirOf(governed: readonly GovernedDir[], path: string): GovernedDir | null {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash);
  return governed.find((g) => g.dir === dir) ?? null;
}

/** Whether a path lies anywhere below a governed directory (artefacts live directly in it). */
export function underGovernedDir(governed: readonly GovernedDir[], path: string): GovernedDir | null {
  return governed.find((g) => path.startsWith(`${g.dir}/`)) ?? null;
}
