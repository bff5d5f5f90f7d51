import { CooError } from '../core/coo-error.js';
import { formatTree, type TreeEntry } from '../store/tree.js';
import type { StatCache } from './stat-cache.js';
import type { WalkEntry } from './walk.js';

// git's cache-tree, for a capture: the stat cache keeps the tree id of every directory of the
// last capture, and a directory under which no path was added, removed or changed ("dirty") is
// that tree again, so only dirty directories are formatted and hashed.

/** Adds `path`'s directories, up to the root (''), to `dirty`. */
export function markDirty(dirty: Set<string>, path: string): void {
  for (let at = path.lastIndexOf('/'); ; at = path.lastIndexOf('/', at - 1)) {
    const dir = at < 0 ? '' : path.slice(0, at);
    if (dirty.has(dir)) return;
    dirty.add(dir);
    if (at < 0) return;
  }
}

/**
 * The trees of the captured entries (those with an id in `oids`), rebuilding (like git's cache-tree)
 * only the `dirty` directories: those under which a path was added, removed or changed. A clean
 * directory is the cache's tree and its entries are not looked at: the walk says where each
 * directory's entries end (`dirEnds`), so the build jumps over them.
 */
export function buildTrees(
  entries: readonly WalkEntry[],
  oids: readonly (string | undefined)[],
  dirEnds: ReadonlyMap<string, number>,
  dirty: ReadonlySet<string>,
  cache: StatCache,
  store: (content: Buffer) => string,
): { tree: string; treeIds: Map<string, string> } {
  const treeIds = new Map<string, string>();
  const build = (dir: string, start: number, end: number): string | null => {
    const known = dirty.has(dir) ? undefined : cache.trees.get(dir);
    if (known !== undefined) {
      treeIds.set(dir, known);
      return known;
    }
    const base = dir === '' ? 0 : dir.length + 1;
    const items: TreeEntry[] = [];
    for (let i = start; i < end; ) {
      const entry = entries[i] as WalkEntry;
      const slash = entry.path.indexOf('/', base);
      if (slash === -1) {
        const oid = oids[i];
        if (oid !== undefined) items.push({ name: entry.path.slice(base), mode: entry.mode, oid });
        i += 1;
        continue;
      }
      const sub = entry.path.slice(0, slash);
      const subEnd = dirEnds.get(sub);
      if (subEnd === undefined || subEnd <= i)
        throw new CooError('E_INTERNAL', `the walk did not record where ${JSON.stringify(sub)} ends`, { dir: sub });
      const oid = build(sub, i, subEnd);
      if (oid !== null) items.push({ name: sub.slice(base), mode: '40000', oid });
      i = subEnd;
    }
    if (items.length === 0 && dir !== '') return null; // git records no empty directory
    const oid = store(formatTree(items));
    treeIds.set(dir, oid);
    return oid;
  };
  const tree = build('', 0, entries.length) as string;
  // Directories below a reused one were not visited; nothing under them changed, so their ids stand.
  for (const [dir, oid] of cache.trees) if (!dirty.has(dir) && !treeIds.has(dir)) treeIds.set(dir, oid);
  return { tree, treeIds };
}
