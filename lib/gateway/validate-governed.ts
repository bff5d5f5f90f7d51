import {
  type Artefact,
  compareVersions,
  formatVersion,
  governedDirOf,
  parseArtefact,
  underGovernedDir,
} from '../governance/naming.js';
import type { GovernedDir } from '../core/config.js';
import type { CurrentFile, Violation } from './violation.js';
import type { WriteOp } from './write-set.js';

// Deterministic naming in governed directories: artefacts live directly in the directory, are named
// by its rule, come in ever higher versions, and never change once written. The INDEX is coo's.
// Without the tree (`current` null) only what the names alone decide is judged.

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function checkGoverned(
  governed: readonly GovernedDir[],
  ops: readonly WriteOp[],
  current: ReadonlyMap<string, CurrentFile> | null,
): Violation[] {
  if (governed.length === 0) return [];
  const out: Violation[] = [];
  const fail = (path: string, code: Violation['code'], reason: string, data?: Record<string, unknown>): void => {
    out.push({ path, check: 'protected', code, reason, ...(data ? { data } : {}) });
  };
  for (const op of ops) {
    const rule = governedDirOf(governed, op.path);
    if (!rule) {
      const outer = underGovernedDir(governed, op.path);
      if (outer)
        fail(op.path, 'E_NAMING', `governed directory ${outer.dir} holds artefacts directly, not subdirectories`);
      continue;
    }
    const name = baseName(op.path);
    if (name === rule.index) {
      fail(op.path, 'E_INDEX_MANAGED', `${rule.index} is written by coo alone`);
      continue;
    }
    const artefact = parseArtefact(rule, name);
    if (op.kind === 'delete') {
      if (artefact && current?.has(op.path))
        fail(op.path, 'E_VERSION_IMMUTABLE', 'a released version cannot be deleted');
      continue;
    }
    if (!artefact) {
      fail(op.path, 'E_NAMING', `does not match the naming rule of ${rule.dir}`, { rule: rule.naming });
      continue;
    }
    if (!current) continue;
    if (current.has(op.path)) {
      fail(
        op.path,
        'E_VERSION_IMMUTABLE',
        `version ${formatVersion(artefact.version)} of ${artefact.name} is released; write a higher version`,
      );
      continue;
    }
    const latest = [...current.keys()]
      .filter((p) => governedDirOf(governed, p) === rule)
      .map((p) => parseArtefact(rule, baseName(p)))
      .filter((a): a is Artefact => a !== null && a.name === artefact.name)
      .sort((a, b) => compareVersions(b.version, a.version))[0];
    if (latest && compareVersions(artefact.version, latest.version) <= 0) {
      fail(
        op.path,
        'E_VERSION_NOT_NEWER',
        `version ${formatVersion(artefact.version)} is not above ${formatVersion(latest.version)}`,
        { latest: formatVersion(latest.version) },
      );
    }
  }
  return out;
}
