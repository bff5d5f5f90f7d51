import { realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { ErrorCode } from '../core/catalogue.js';
import { lstatOrAbsent } from '../core/lstat.js';

// The last check before a write: what is on disk along the path. A parent must be a real
// directory (never a symlink), the deepest existing one must lie inside the root (compared with a
// separator, so `/repo-evil` is not inside `/repo`), and the target itself must not be a FIFO,
// socket, device or a file with other hard links.

export interface BoundaryProblem {
  readonly code: ErrorCode;
  readonly reason: string;
}

const lstat = lstatOrAbsent;

export function isInside(rootReal: string, path: string): boolean {
  return path === rootReal || path.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}

export function probeBoundary(root: string, rootReal: string, path: string): BoundaryProblem | null {
  const parts = path.split('/');
  let deepest = root;
  for (let i = 1; i < parts.length; i++) {
    const dir = join(root, ...parts.slice(0, i));
    const stat = lstat(dir);
    if (!stat) break;
    if (stat.isSymbolicLink())
      return { code: 'E_SYMLINK_IN_PATH', reason: `${parts.slice(0, i).join('/')} is a symbolic link` };
    if (!stat.isDirectory()) break; // a file in the way: the collision check names it
    deepest = dir;
  }
  let real: string;
  try {
    real = realpathSync(deepest);
  } catch {
    return { code: 'E_WORKTREE_CHANGED', reason: `${path}: a directory on the way changed while it was checked` };
  }
  if (!isInside(rootReal, real)) return { code: 'E_PATH_OUTSIDE_ROOT', reason: `${path} resolves outside ${rootReal}` };
  const target = lstat(join(root, path));
  if (target) {
    if (target.isFIFO() || target.isSocket() || target.isBlockDevice() || target.isCharacterDevice()) {
      return { code: 'E_PATH_SPECIAL_FILE', reason: 'a FIFO, socket or device' };
    }
    if (target.isFile() && target.nlink > 1)
      return { code: 'E_PATH_HARDLINK', reason: `the file has ${target.nlink} hard links` };
  }
  return null;
}

/** What is on disk at a path no capture holds (an ignored file, an empty directory, a FIFO…). */
export function existsOnDisk(root: string, path: string): 'file' | 'dir' | 'special' | null {
  const stat = lstat(join(root, path));
  if (!stat) return null;
  if (stat.isDirectory()) return 'dir';
  return stat.isFile() || stat.isSymbolicLink() ? 'file' : 'special';
}
