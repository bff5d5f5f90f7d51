import { formatIndex, indexRows } from '../governance/index-file.js';
import { governedDirOf } from '../governance/naming.js';
import type { GovernedDir } from '../core/config.js';
import { ensureValidGatewayPath } from '../core/gateway-path.js';

// INDEX reconciliation: after a write set, every governed directory it touched gets the INDEX its
// files call for, in the same commit. Pure: the caller supplies the tree after the writes.

export interface IndexedFile {
  readonly bytes: number;
  readonly sha256: string;
  readonly oid: string;
}

export interface IndexWrite {
  readonly path: string;
  readonly content: Buffer;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The INDEX content a governed directory's files call for. */
export function expectedIndex(rule: GovernedDir, after: ReadonlyMap<string, IndexedFile>): Buffer {
  const files = [...after]
    .filter(([path]) => governedDirOf([rule], path) === rule)
    .map(([path, f]) => ({ name: baseName(path), bytes: f.bytes, sha256: f.sha256 }));
  return Buffer.from(formatIndex(rule, indexRows(rule, files)));
}

/** INDEX files to (re)write for the governed directories among `dirs`, given the tree after the writes. */
export function reconcileIndexes(
  governed: readonly GovernedDir[],
  dirs: Iterable<string>,
  after: ReadonlyMap<string, IndexedFile>,
  hashBlob: (content: Buffer) => string,
): IndexWrite[] {
  const out: IndexWrite[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    const rule = governed.find((g) => g.dir === dir);
    if (!rule || seen.has(dir)) continue;
    seen.add(dir);
    const path = `${rule.dir}/${rule.index}`;
    ensureValidGatewayPath(path); // checked where the config is read; an INDEX never bypasses the rules
    const content = expectedIndex(rule, after);
    if (after.get(path)?.oid !== hashBlob(content)) out.push({ path, content });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
