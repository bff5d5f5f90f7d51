import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { cooDirName } from '../store/layout.js';
import { compareUtf8 } from '../core/compare-utf8.js';
import type { Repo } from '../store/repo.js';

// Comparing the working tree (as `captureNow` sees it) with a state: which paths differ.

const outsideCoo = (f: FileRecord): boolean => f.path !== cooDirName && !f.path.startsWith(`${cooDirName}/`);

/** Paths whose content or mode differ between two lists of files (`.coo/` left out when asked). */
export function differingPaths(
  a: readonly FileRecord[],
  b: readonly FileRecord[],
  options: { withCoo: boolean },
): string[] {
  const keep = options.withCoo ? () => true : outsideCoo;
  const left = new Map(a.filter(keep).map((f) => [f.path, f]));
  const out = new Set<string>();
  for (const f of b.filter(keep)) {
    const was = left.get(f.path);
    left.delete(f.path);
    if (!was || was.oid !== f.oid || was.mode !== f.mode) out.add(f.path);
  }
  for (const path of left.keys()) out.add(path);
  return [...out].sort(compareUtf8);
}

export async function filesOf(repo: Repo, tree: string): Promise<FileRecord[]> {
  return (await readFlatTree(repo.layout.gitdir, tree)).files;
}
