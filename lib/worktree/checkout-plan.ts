import type { Stats } from 'node:fs';
import { compareUtf8 } from '../core/compare-utf8.js';
import type { FileRecord } from '../store/flat-tree.js';

// What turning the captured working tree `current` into `target` takes: files to write (new,
// changed, or changed in kind between file and symlink), files whose exec bit alone flips, and
// files to remove. Pure; the preflight checks it against the disk, checkout-apply performs it and
// checkout-verify reads the result back.

export interface CheckoutPlan {
  readonly write: readonly FileRecord[];
  readonly chmod: readonly FileRecord[];
  readonly remove: readonly string[];
  readonly unchanged: number;
}

export function planCheckout(current: readonly FileRecord[], target: readonly FileRecord[]): CheckoutPlan {
  const now = new Map(current.map((f) => [f.path, f]));
  const write: FileRecord[] = [];
  const chmod: FileRecord[] = [];
  let unchanged = 0;
  for (const file of target) {
    const had = now.get(file.path);
    now.delete(file.path);
    if (!had || had.oid !== file.oid || (had.mode === '120000') !== (file.mode === '120000')) write.push(file);
    else if (had.mode !== file.mode) chmod.push(file);
    else unchanged += 1;
  }
  const byPath = (a: { path: string }, b: { path: string }): number => compareUtf8(a.path, b.path);
  return {
    write: write.sort(byPath),
    chmod: chmod.sort(byPath),
    remove: [...now.keys()].sort(compareUtf8),
    unchanged,
  };
}

/** The parent directories of a path, outermost first. */
export function parentsOf(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Whether what is on disk (its lstat) is the kind of entry a file record says: a symlink, or a file with the right exec bit. */
export function holdsKind(stat: Stats | undefined, file: FileRecord): boolean {
  if (!stat) return false;
  return file.mode === '120000'
    ? stat.isSymbolicLink()
    : stat.isFile() && ((stat.mode & 0o100) !== 0) === (file.mode === '100755');
}
