import { CooError } from '../core/coo-error.js';
import { compareUtf8 } from '../core/compare-utf8.js';
import type { ObjectType } from './git-object.js';
import { readObjectOfType } from './objects.js';
import { formatTree, parseTree, type EntryMode, type FileMode, type TreeEntry } from './tree.js';

// A whole tree as one flat, path-sorted list of files, and back. Everything above the store
// thinks in flat lists; only this module knows trees nest.

export interface FileRecord {
  readonly path: string;
  readonly mode: FileMode;
  readonly oid: string;
}

export type StoreObject = (type: ObjectType, content: Buffer) => string;

interface Dir {
  readonly entries: TreeEntry[];
  readonly dirs: Map<string, Dir>;
}

/** Builds (and stores, through `store`) the trees for a set of files; returns the root tree id. */
export function writeTreeFromFiles(files: Iterable<FileRecord>, store: StoreObject): string {
  const root: Dir = { entries: [], dirs: new Map() };
  for (const file of files) {
    const parts = file.path.split('/');
    const name = parts.pop() as string;
    let dir = root;
    for (const part of parts) {
      let next = dir.dirs.get(part);
      if (!next) {
        next = { entries: [], dirs: new Map() };
        dir.dirs.set(part, next);
      }
      dir = next;
    }
    dir.entries.push({ name, mode: file.mode, oid: file.oid });
  }
  return writeDir(root, store);
}

function writeDir(dir: Dir, store: StoreObject): string {
  const entries = [...dir.entries];
  for (const entry of dir.entries) {
    if (dir.dirs.has(entry.name)) {
      throw new CooError('E_INTERNAL', `${JSON.stringify(entry.name)} is both a file and a directory`, {
        name: entry.name,
      });
    }
  }
  for (const [name, sub] of dir.dirs) entries.push({ name, mode: '40000', oid: writeDir(sub, store) });
  return store('tree', formatTree(entries));
}

export interface FlatTree {
  readonly files: FileRecord[];
  /** Entries the working tree cannot hold (gitlinks), kept so callers can refuse them by name. */
  readonly unsupported: { path: string; mode: EntryMode }[];
  /** Directories not read because `known` named the same tree id for them (see readFlatTree). */
  readonly reused: string[];
}

/**
 * Reads a tree recursively into a path-sorted file list. A subtree whose id `known` gives for its
 * directory is not read: it is listed in `reused`, and its files are the caller's to supply.
 */
export async function readFlatTree(
  gitdir: string,
  treeOid: string,
  known?: (dir: string) => string | undefined,
): Promise<FlatTree> {
  const files: FileRecord[] = [];
  const unsupported: FlatTree['unsupported'] = [];
  const reused: string[] = [];
  const walk = async (oid: string, prefix: string, depth: number): Promise<void> => {
    if (depth > 4096) throw new CooError('E_STATE_CORRUPT', `tree ${oid} nests too deep`, { oid });
    for (const entry of parseTree(await readObjectOfType(gitdir, oid, 'tree'), oid)) {
      const path = prefix + entry.name;
      if (entry.mode === '40000') {
        if (known !== undefined && known(path) === entry.oid) reused.push(path);
        else await walk(entry.oid, `${path}/`, depth + 1);
      } else if (entry.mode === '160000') unsupported.push({ path, mode: entry.mode });
      else files.push({ path, mode: entry.mode, oid: entry.oid });
    }
  };
  if (known !== undefined && known('') === treeOid) reused.push('');
  else await walk(treeOid, '', 0);
  files.sort((a, b) => compareUtf8(a.path, b.path));
  return { files, unsupported, reused };
}
