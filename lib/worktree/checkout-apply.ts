import {
  chmodSync,
  lstatSync,
  mkdirSync,
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
import { basename, dirname, join } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { tempPathFor } from '../store/atomic-file.js';
import { writeBlobToFile } from '../store/blob-file.js';
import { readObjectOfType } from '../store/objects.js';
import { crashPoint } from '../store/crash-point.js';
import type { FileRecord } from '../store/flat-tree.js';
import { parentsOf, type CheckoutPlan } from './checkout-plan.js';
import { lstatOrAbsent } from '../core/lstat.js';

// Performs a checkout plan on the working tree, once the preflight (checkout-preflight.ts) found
// nothing that could stop it half-way. Writing never follows a symlink at any component: each
// parent is checked with lstat, new content goes to a temp file under .coo/tmp and is renamed into
// place, and the parent chain is checked again just before the rename; checkout-verify.ts reads
// everything back afterwards.

const lstat = lstatOrAbsent;

/** What one checkout's writes share. */
interface Writing {
  readonly root: string;
  /** realpath(3) of the root, taken once: were the root itself swapped, a per-file call would follow the swap too. */
  readonly realRoot: string;
  readonly gitdir: string;
  readonly tmpDir: string;
  readonly hooks: ApplyHooks;
  readonly contents: ReadonlyMap<string, Uint8Array> | undefined;
  /**
   * Directories this checkout has made or found to be real directories. Each later file in one
   * is not walked again: the checks made around every rename (no link on the way before it, the
   * file landed where it should after it) still catch a directory that changes meanwhile.
   */
  readonly dirs: Set<string>;
}

function ensureDir(w: Writing, dir: string): void {
  if (w.dirs.has(dir)) return;
  let at = w.root;
  let rel = '';
  for (const part of dir.split('/')) {
    at = join(at, part);
    rel = rel === '' ? part : `${rel}/${part}`;
    if (w.dirs.has(rel)) continue;
    const stat = lstat(at);
    if (!stat) mkdirSync(at);
    else if (stat.isSymbolicLink()) throw new CooError('E_SYMLINK_IN_PATH', `${at} is a symbolic link`, { path: at });
    else if (!stat.isDirectory())
      throw new CooError('E_WORKTREE_CONFLICT', `${at} is not a directory`, { paths: [at] });
    w.dirs.add(rel);
  }
}

function ensureNoLinkOnTheWay(root: string, path: string): void {
  for (const parent of parentsOf(path)) {
    const stat = lstat(join(root, parent));
    if (stat?.isSymbolicLink())
      throw new CooError('E_SYMLINK_IN_PATH', `${parent} became a symbolic link during the write`, { path: parent });
  }
}

function pruneEmptyParents(root: string, path: string): void {
  for (const parent of parentsOf(path).reverse()) {
    try {
      rmdirSync(join(root, parent));
    } catch {
      return; // not empty (or already gone): stop climbing
    }
  }
}

/** Removes a directory that holds only (empty) directories; fails, changing nothing more, at the first file. */
function removeEmptyTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory())
      throw new CooError('E_WORKTREE_CONFLICT', `${join(dir, entry.name)} appeared during the write`, {
        paths: [join(dir, entry.name)],
      });
    removeEmptyTree(join(dir, entry.name));
  }
  rmdirSync(dir);
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
 * After a rename, the file must be where it was meant to go. If a parent was swapped for a symlink
 * since the last check, the rename followed it: remove what landed there (if it is ours) and fail.
 */
function ensureLanded(w: Writing, path: string, ino: number): void {
  const dest = join(w.root, path);
  // realpath(3) itself, not Node's JavaScript walk of every component (an lstat each, per file).
  const expectedDir = join(w.realRoot, dirname(path));
  const actualDir = realpathSync.native(dirname(dest));
  if (actualDir === expectedDir && lstat(dest)?.ino === ino) return;
  const landed = join(actualDir, basename(path));
  if (lstat(landed)?.ino === ino) rmSync(landed, { force: true });
  throw new CooError('E_SYMLINK_RACE', `${path}: a directory on the way became a symbolic link during the write`, {
    path,
    landed: actualDir,
  });
}

async function writeOne(w: Writing, file: FileRecord): Promise<void> {
  const { root, gitdir, tmpDir, hooks } = w;
  const held = w.contents?.get(file.oid);
  const dest = join(root, file.path);
  const dir = dirname(file.path);
  if (dir !== '.') ensureDir(w, dir);
  const old = lstat(dest);
  const temp = tempPathFor(join(tmpDir, 'checkout'));
  try {
    if (file.mode === '120000')
      symlinkSync(held ? Buffer.from(held) : await readObjectOfType(gitdir, file.oid, 'blob'), temp);
    else {
      const mode = modeFor(file, old);
      // A new file gets umask's say, as with git.
      if (held) writeFileSync(temp, held, { mode, flag: 'wx' });
      else await writeBlobToFile(gitdir, file.oid, temp, mode);
      if (old?.isFile()) chmodSync(temp, mode); // a replaced file keeps its own bits
    }
    ensureNoLinkOnTheWay(root, file.path);
    if (old?.isDirectory()) removeEmptyTree(dest);
    crashPoint('checkout-before-rename');
    const ino = lstatSync(temp).ino;
    hooks.beforeRename?.(file.path);
    renameSync(temp, dest);
    ensureLanded(w, file.path, ino);
    hooks.afterLanded?.(file.path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
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
  const hooks = options.hooks ?? {};
  mkdirSync(tmpDir, { recursive: true });
  const total = plan.remove.length + plan.write.length + plan.chmod.length;
  let done = 0;
  const tick = (): void => {
    done += 1;
    if (onProgress && (done % 100 === 0 || done === total)) onProgress({ done, total });
  };
  for (const path of plan.remove) {
    ensureNoLinkOnTheWay(root, path);
    const stat = lstat(join(root, path));
    if (stat && !stat.isDirectory()) unlinkSync(join(root, path));
    pruneEmptyParents(root, path);
    crashPoint('checkout-removed');
    tick();
  }
  const writing: Writing = {
    root,
    realRoot: plan.write.length > 0 ? realpathSync.native(root) : root,
    gitdir,
    tmpDir,
    hooks,
    contents: options.contents,
    dirs: new Set(),
  };
  for (const file of plan.write) {
    await writeOne(writing, file);
    crashPoint('checkout-written');
    tick();
  }
  for (const file of plan.chmod) {
    ensureNoLinkOnTheWay(root, file.path);
    const dest = join(root, file.path);
    chmodSync(dest, modeFor(file, lstat(dest)));
    tick();
  }
}
