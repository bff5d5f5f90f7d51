import { lstatSync, type Stats } from 'node:fs';

/** lstat, with "absent" for a missing path and for one whose parent is not a directory. */
export function lstatOrAbsent(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}
