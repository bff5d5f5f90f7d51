import {
  closeSync,
  constants,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, relative, sep } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { lstatOrAbsent } from '../core/lstat.js';
import { tempPathFor } from '../store/atomic-file.js';
import { writeBlobToFile } from '../store/blob-file.js';
import { crashPoint } from '../store/crash-point.js';
import type { FileRecord } from '../store/flat-tree.js';
import { readObjectOfType } from '../store/objects.js';
import { parentsOf, type CheckoutPlan } from './checkout-plan.js';
import { DirHandles } from './dir-handles.js';

// Performs a checkout plan on the working tree, once the preflight (checkout-preflight.ts) found
// nothing that could stop it half-way. Every directory it writes in is held by a handle opened
// without following a link at any component (dir-handles.ts): new content goes to a temp file and
// is renamed into place through the handle of its directory, removals and mode changes name their
// file the same way, and after each rename the file must be there, in a directory still inside
// the root. A directory swapped for a symbolic link is refused; a write that still went astray is
// taken back, and only what coo itself wrote is ever removed. checkout-verify.ts reads everything
// back afterwards.

const lstat = lstatOrAbsent;

/** What one checkout's writes share. */
interface Writing {
  readonly dirs: DirHandles;
  /** Where temp files go, named through a handle when it lies inside the root. */
  readonly tmp: string;
  readonly gitdir: string;
  readonly hooks: ApplyHooks;
  readonly contents: ReadonlyMap<string, Uint8Array> | undefined;
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The directory of `path`, made if missing; refused if a component is a symbolic link or a file. */
function directoryFor(w: Writing, path: string): string {
  const dir = w.dirs.dir(dirOf(path), true) as string;
  if (!w.dirs.byHandle) ensureNoLinkOnTheWay(w.dirs.root, path);
  return dir;
}

function ensureNoLinkOnTheWay(root: string, path: string): void {
  for (const parent of parentsOf(path)) {
    const stat = lstat(`${root}/${parent}`);
    if (stat?.isSymbolicLink())
      throw new CooError('E_SYMLINK_IN_PATH', `${parent} became a symbolic link during the write`, { path: parent });
  }
}

function pruneEmptyParents(dirs: DirHandles, path: string): void {
  for (const parent of parentsOf(path).reverse()) {
    const named = dirs.at(parent);
    if (named === null) return;
    try {
      rmdirSync(named);
    } catch {
      return; // not empty (or already gone): stop climbing
    }
    dirs.forget(parent);
  }
}

/** Removes a directory that holds only (empty) directories; fails, changing nothing more, at the first file. */
function removeEmptyTree(dirs: DirHandles, rel: string): void {
  const here = dirs.dir(rel, false);
  if (here === null) return;
  for (const entry of readdirSync(here, { withFileTypes: true })) {
    if (!entry.isDirectory())
      throw new CooError('E_WORKTREE_CONFLICT', `${rel}/${entry.name} appeared during the write`, {
        paths: [`${rel}/${entry.name}`],
      });
    removeEmptyTree(dirs, `${rel}/${entry.name}`);
  }
  dirs.forget(rel);
  rmdirSync(dirs.at(rel) as string);
}

/** Permission bits for the new file: the old file's, if one is replaced, with the exec bits set as the tree says. */
function modeFor(file: FileRecord, old: Stats | undefined): number {
  const base = old?.isFile() ? old.mode & 0o666 : 0o666;
  return file.mode === '100755' ? base | ((base & 0o444) >> 2) : base;
}

export interface ApplyHooks {
  /** Called between the last check of a path and its rename (tests use it to race the write). */
  readonly beforeRename?: (path: string) => void;
  /** Called once a file is in place (tests use it to change the tree before the next write). */
  readonly afterLanded?: (path: string) => void;
}

/**
 * After a rename, the file must be where it was meant to go: in its directory, which must still
 * lie inside the root. If not, what landed is taken back, and only if it is the file coo wrote.
 */
function ensureLanded(w: Writing, path: string, dest: string, ino: number): void {
  const here = lstat(dest);
  let inside = true;
  if (w.dirs.byHandle) inside = w.dirs.stillInside(dirOf(path));
  else {
    const actualDir = realpathSync.native(dirname(dest));
    const rel = relative(w.dirs.realRoot, actualDir);
    inside = rel === dirOf(path).split('/').join(sep) || (rel === '' && dirOf(path) === '');
  }
  if (inside && here?.ino === ino) return;
  if (here?.ino === ino) rmSync(dest, { force: true });
  throw new CooError('E_SYMLINK_RACE', `${path}: a directory on the way was swapped during the write`, { path });
}

async function writeOne(w: Writing, file: FileRecord): Promise<void> {
  const { gitdir, hooks } = w;
  const held = w.contents?.get(file.oid);
  const dir = directoryFor(w, file.path);
  const dest = `${dir}/${basename(file.path)}`;
  const old = lstat(dest);
  const temp = tempPathFor(`${w.tmp}/checkout`);
  try {
    if (file.mode === '120000')
      symlinkSync(held ? Buffer.from(held) : await readObjectOfType(gitdir, file.oid, 'blob'), temp);
    else {
      const mode = modeFor(file, old);
      // A new file gets umask's say, as with git.
      if (held) writeFileSync(temp, held, { mode, flag: 'wx' });
      else await writeBlobToFile(gitdir, file.oid, temp, mode);
      if (old?.isFile()) fchmodOf(temp, mode); // a replaced file keeps its own bits
    }
    if (old?.isDirectory()) removeEmptyTree(w.dirs, file.path);
    crashPoint('checkout-before-rename');
    const ino = lstatSync(temp).ino;
    if (!w.dirs.byHandle) ensureNoLinkOnTheWay(w.dirs.root, file.path);
    else if (!w.dirs.stillInside(dirOf(file.path))) {
      throw new CooError('E_SYMLINK_IN_PATH', `${dirOf(file.path)} was moved out of the tree during the write`, {
        path: dirOf(file.path),
      });
    }
    hooks.beforeRename?.(file.path);
    renameSync(temp, dest);
    ensureLanded(w, file.path, dest, ino);
    hooks.afterLanded?.(file.path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** chmod of the file itself, never of what a symbolic link swapped in at its place points to. */
function fchmodOf(path: string, mode: number): void {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

export interface ApplyProgress {
  readonly done: number;
  readonly total: number;
}

export async function applyCheckout(options: {
  root: string;
  gitdir: string;
  tmpDir: string;
  plan: CheckoutPlan;
  onProgress?: (progress: ApplyProgress) => void;
  hooks?: ApplyHooks;
  /** Blob contents the caller holds already, by id: written as they are, not read back from the store. */
  contents?: ReadonlyMap<string, Uint8Array>;
}): Promise<void> {
  const { root, gitdir, tmpDir, plan, onProgress } = options;
  mkdirSync(tmpDir, { recursive: true });
  // realpath(3) of the root, taken once: were the root itself swapped, a later call would follow the swap.
  const realRoot = realpathSync.native(root);
  const dirs = new DirHandles(root, realRoot);
  try {
    // The temp directory, when it lies in the tree (`.coo/tmp`), is held like any directory of it.
    const tmpRel = relative(root, tmpDir);
    const tmp =
      !tmpRel.startsWith('..') && tmpRel !== '' ? (dirs.dir(tmpRel.split(sep).join('/'), true) as string) : tmpDir;
    const writing: Writing = { dirs, tmp, gitdir, hooks: options.hooks ?? {}, contents: options.contents };
    const total = plan.remove.length + plan.write.length + plan.chmod.length;
    let done = 0;
    const tick = (): void => {
      done += 1;
      if (onProgress && (done % 100 === 0 || done === total)) onProgress({ done, total });
    };
    for (const path of plan.remove) {
      if (!dirs.byHandle) ensureNoLinkOnTheWay(root, path);
      const named = dirs.at(path);
      const stat = named === null ? undefined : lstat(named);
      if (named !== null && stat && !stat.isDirectory()) unlinkSync(named);
      pruneEmptyParents(dirs, path);
      crashPoint('checkout-removed');
      tick();
    }
    for (const file of plan.write) {
      await writeOne(writing, file);
      crashPoint('checkout-written');
      tick();
    }
    for (const file of plan.chmod) {
      const named = directoryFor(writing, file.path);
      const dest = `${named}/${basename(file.path)}`;
      fchmodOf(dest, modeFor(file, lstat(dest)));
      tick();
    }
  } catch (err) {
    throw raced(err);
  } finally {
    dirs.close();
  }
}

const raceCodes = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'ELOOP', 'EEXIST', 'ENOTEMPTY']);

/** A file system error that only a change made meanwhile explains (a path gone, a file become a directory) is one. */
function raced(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || !raceCodes.has(code)) return err;
  return new CooError(
    'E_WORKTREE_CHANGED',
    `the working tree changed while coo wrote it (${code})`,
    { errno: code },
    { cause: err },
  );
}
