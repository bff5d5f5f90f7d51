import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256HexOfCid } from '../store/manifest.js';
import { captureNow } from '../worktree/capture-now.js';
import { openRepo, type Repo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { parseIndex, indexRows, type IndexRow } from '../governance/index-file.js';
import { governedDirOf, parseArtefact } from '../governance/naming.js';
import type { GovernedDir } from '../core/config.js';
import { ensureNotTampered, pinsOfCapture, registryOf } from '../governance/governance.js';
import { gatewayWriteLocked, type GatewayResult } from './gateway.js';

// INDEX coherence: `coo index check` compares every governed directory's INDEX with its files and
// names each drift; `coo index fix` rewrites the INDEX files through the gateway.

export type DriftKind = 'index-missing' | 'index-unreadable' | 'unlisted' | 'listed-missing' | 'changed' | 'misnamed';

export interface Drift {
  readonly kind: DriftKind;
  readonly file: string;
  readonly expected?: Partial<IndexRow>;
  readonly found?: Partial<IndexRow>;
}

export interface DirReport {
  readonly dir: string;
  readonly index: string;
  readonly drift: readonly Drift[];
}

export interface IndexReport {
  readonly clean: boolean;
  readonly dirs: readonly DirReport[];
}

function checkDir(
  repo: Repo,
  rule: GovernedDir,
  files: readonly { path: string; size: number; cid: string }[],
): DirReport {
  const inDir = files.filter((f) => governedDirOf([rule], f.path) === rule);
  const name = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
  const drift: Drift[] = [];
  for (const f of inDir)
    if (name(f.path) !== rule.index && !parseArtefact(rule, name(f.path)))
      drift.push({ kind: 'misnamed', file: name(f.path) });
  const expected = indexRows(
    rule,
    inDir.map((f) => ({ name: name(f.path), bytes: f.size, sha256: sha256HexOfCid(f.cid) })),
  );
  let text: string | null = null;
  try {
    text = readFileSync(join(repo.layout.root, rule.dir, rule.index), 'utf8');
  } catch {
    drift.push({ kind: 'index-missing', file: rule.index });
  }
  const listed = text === null ? null : parseIndex(text);
  if (text !== null && listed === null) drift.push({ kind: 'index-unreadable', file: rule.index });
  if (listed) {
    const byFile = new Map(listed.map((r) => [r.file, r]));
    for (const row of expected) {
      const found = byFile.get(row.file);
      if (!found) drift.push({ kind: 'unlisted', file: row.file, expected: row });
      else if (
        found.sha256 !== row.sha256 ||
        found.bytes !== row.bytes ||
        found.version !== row.version ||
        found.artefact !== row.artefact
      ) {
        drift.push({ kind: 'changed', file: row.file, expected: row, found });
      }
      byFile.delete(row.file);
    }
    for (const found of byFile.values()) drift.push({ kind: 'listed-missing', file: found.file, found });
  }
  return {
    dir: rule.dir,
    index: rule.index,
    drift: drift.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.kind < b.kind ? -1 : 1)),
  };
}

/** INDEX drift of every governed directory, for captured files (no tripwire: `coo check` reports that apart). */
export function indexDrift(repo: Repo, files: readonly { path: string; size: number; cid: string }[]): IndexReport {
  const dirs = repo.config.governed.map((rule) => checkDir(repo, rule, files));
  return { clean: dirs.every((d) => d.drift.length === 0), dirs };
}

async function report(repo: Repo): Promise<IndexReport> {
  const capture = await captureNow(repo);
  ensureNotTampered(await registryOf(repo), pinsOfCapture(capture.files));
  return indexDrift(repo, capture.files);
}

/** `coo index check`. */
export async function indexCheck(options: RepoOptions = {}): Promise<IndexReport> {
  return report(await openRepo(options));
}

/** `coo index fix`: reconciles every drifting INDEX through the gateway; misnamed files stay reported. */
export async function indexFix(
  options: RepoOptions = {},
): Promise<{ before: IndexReport; write: GatewayResult | null; after: IndexReport }> {
  const repo = await openRepo(options);
  return withLock(repo, 'index fix', async () => {
    const before = await report(repo);
    const dirs = before.dirs.filter((d) => d.drift.some((x) => x.kind !== 'misnamed')).map((d) => d.dir);
    const write =
      dirs.length === 0
        ? null
        : await gatewayWriteLocked(repo, { ops: [], reconcile: dirs, message: `index fix: ${dirs.join(', ')}` });
    return { before, write, after: await report(repo) };
  });
}
