import { join } from 'node:path';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { cooDirName } from '../store/layout.js';
import { captureWorktree, statCachePath, type CaptureResult } from '../worktree/capture.js';
import { compareUtf8 } from '../core/compare-utf8.js';
import type { Repo } from '../store/repo.js';

// Comparing the working tree with a state: with the stat cache (quick: is it still the tree we
// think?) or without it (every file read and hashed again: the byte-for-byte judgement of a
// rollback check). Neither writes an object unless asked to store the blobs.

export async function captureNow(repo: Repo, options: { fresh: boolean; expected?: string; store?: boolean }): Promise<CaptureResult> {
  const { root, gitdir, privateDir, tmpDir } = repo.layout;
  // A cache path that never exists: every file is read and hashed again.
  const cachePath = options.fresh ? join(tmpDir, `no-stat-cache-${process.pid}`) : statCachePath(privateDir);
  const expected = options.expected;
  return captureWorktree({
    root,
    gitdir,
    cachePath,
    store: options.store === true,
    maxNewFileBytes: repo.config.capture.maxNewFileBytes,
    ...(expected ? { previousPaths: async () => new Set((await readFlatTree(gitdir, expected)).files.map((f) => f.path)) } : {}),
  });
}

const outsideCoo = (f: FileRecord): boolean => f.path !== cooDirName && !f.path.startsWith(`${cooDirName}/`);

/** Paths whose content or mode differ between two lists of files (`.coo/` left out when asked). */
export function differingPaths(a: readonly FileRecord[], b: readonly FileRecord[], options: { withCoo: boolean }): string[] {
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
