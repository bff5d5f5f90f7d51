import { closeSync, constants, existsSync, mkdirSync, openSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { CooError } from '../core/coo-error.js';

// The directories a checkout writes in, held open while it writes. Each is opened from its
// parent's handle, `/proc/self/fd/<parent>/<name>` with O_DIRECTORY | O_NOFOLLOW, so a component
// swapped for a symbolic link is refused when it is opened, and every later write, rename, removal
// and mode change names its directory by that handle: the kernel resolves `/proc/self/fd/<n>` to
// the directory that was opened, whatever has been swapped in at its path since. Node has no
// openat(2) or renameat(2); the /proc links give the same guarantee. Where /proc is not mounted,
// paths are used, with the checks before and after each rename as the only defence.

const linkFlags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

export class DirHandles {
  private readonly fds = new Map<string, number>();
  /** Whether directories are held by handle (Linux with /proc), or named by path. */
  readonly byHandle: boolean;

  constructor(
    readonly root: string,
    readonly realRoot: string,
  ) {
    this.byHandle = existsSync('/proc/self/fd');
    if (this.byHandle) this.fds.set('', openSync(realRoot, constants.O_RDONLY | constants.O_DIRECTORY));
  }

  private handle(fd: number): string {
    return `/proc/self/fd/${fd}`;
  }

  /**
   * How to name directory `rel` ('' is the root) so that no swapped component is followed:
   * opened (and with `create`, made) component by component. Null when it does not exist.
   */
  dir(rel: string, create: boolean): string | null {
    if (!this.byHandle) return rel === '' ? this.root : join(this.root, rel);
    const known = this.fds.get(rel);
    if (known !== undefined) return this.handle(known);
    const slash = rel.lastIndexOf('/');
    const parentRel = slash < 0 ? '' : rel.slice(0, slash);
    const parent = this.dir(parentRel, create);
    if (parent === null) return null;
    const name = rel.slice(slash + 1);
    const path = `${parent}/${name}`;
    let fd: number;
    try {
      fd = openSync(path, linkFlags);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && create) {
        try {
          mkdirSync(path);
        } catch (made) {
          if ((made as NodeJS.ErrnoException).code !== 'EEXIST') throw made;
        }
        return this.dir(rel, false);
      }
      if (code === 'ENOENT') return null;
      if (code === 'ELOOP' || code === 'ENOTDIR') {
        throw new CooError(
          code === 'ELOOP' ? 'E_SYMLINK_IN_PATH' : 'E_WORKTREE_CONFLICT',
          `${rel} is ${code === 'ELOOP' ? 'a symbolic link' : 'not a directory'}`,
          code === 'ELOOP' ? { path: rel } : { paths: [rel] },
        );
      }
      throw err;
    }
    this.fds.set(rel, fd);
    return this.handle(fd);
  }

  /** How to name `path` (a file of the tree) through its directory's handle; null when its directory does not exist. */
  at(path: string, create = false): string | null {
    const slash = path.lastIndexOf('/');
    const dir = this.dir(slash < 0 ? '' : path.slice(0, slash), create);
    return dir === null ? null : `${dir}/${path.slice(slash + 1)}`;
  }

  /** Whether the directory held for `rel` still lies inside the root (it may have been moved away whole). */
  stillInside(rel: string): boolean {
    const dir = this.dir(rel, false);
    if (dir === null) return false;
    const real = realpathSync.native(dir);
    return real === this.realRoot || real.startsWith(this.realRoot.endsWith(sep) ? this.realRoot : this.realRoot + sep);
  }

  /** Forgets a directory coo removed (and everything below it). */
  forget(rel: string): void {
    for (const [key, fd] of this.fds) {
      if (key !== '' && (key === rel || key.startsWith(`${rel}/`))) {
        closeSync(fd);
        this.fds.delete(key);
      }
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
