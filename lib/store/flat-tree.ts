import { CooError } from '../errors/coo-error.js';
import { compareUtf8 } from '../util/compare-utf8.js';
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
  /** The id of a directory reused as it was: its files are not listed. */
  readonly known: string | undefined;
}

export interface TreeReuse {
  /** A known tree id for directory `dir` ('' is the root) whose contents did not change, if any. */
  readonly known?: (dir: string) => string | undefined;
  /** Told the id of every directory built or reused. */
  readonly record?: (dir: string, oid: string) => void;
}

/**
 * Builds (and stores, through `store`) the trees for a set of files; returns the root tree id.
 * Like git's cache-tree, a directory whose id is `known` is not rebuilt, and the files under it
 * are not even sorted into place (in a path-sorted list, one prefix test skips each of them).
 */
export function writeTreeFromFiles(files: Iterable<FileRecord>, store: StoreObject, reuse: TreeReuse = {}): string {
  const root: Dir = { entries: [], dirs: new Map(), known: reuse.known?.('') };
  if (root.known) {
    reuse.record?.('', root.known);
    return root.known;
  }
  let skip: string | null = null; // the last known directory met, with a trailing '/'
  for (const file of files) {
    if (skip !== null && file.path.startsWith(skip)) continue;
    const parts = file.path.split('/');
    const name = parts.pop() as string;
    let dir: Dir | null = root;
    let prefix = '';
    for (const part of parts) {
      prefix = prefix === '' ? part : `${prefix}/${part}`;
      let next: Dir | undefined = dir.dirs.get(part);
      if (!next) {
        next = { entries: [], dirs: new Map(), known: reuse.known?.(prefix) };
        dir.dirs.set(part, next);
      }
      if (next.known) {
        skip = `${prefix}/`;
        dir = null;
        break;
      }
      dir = next;
    }
    dir?.entries.push({ name, mode: file.mode, oid: file.oid });
  }
  return writeDir(root, '', store, reuse);
}

function writeDir(dir: Dir, path: string, store: StoreObject, reuse: TreeReuse): string {
  if (dir.known) {
    reuse.record?.(path, dir.known);
    return dir.known;
  }
  const entries = [...dir.entries];
  for (const entry of dir.entries) {
    if (dir.dirs.has(entry.name)) {
      throw new CooError('E_INTERNAL', `${JSON.stringify(entry.name)} is both a file and a directory`, { name: entry.name });
    }
  }
  for (const [name, sub] of dir.dirs) entries.push({ name, mode: '40000', oid: writeDir(sub, path === '' ? name : `${path}/${name}`, store, reuse) });
  const oid = store('tree', formatTree(entries));
  reuse.record?.(path, oid);
  return oid;
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
export async function readFlatTree(gitdir: string, treeOid: string, known?: (dir: string) => string | undefined): Promise<FlatTree> {
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
