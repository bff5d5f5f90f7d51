import { lstatSync, readdirSync, readFileSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import { checkPathComponent, isPlainComponent, maxPathBytes } from '../core/repo-path.js';
import { isDotGitComponent } from '../core/dotgit.js';
import { cooDirName, privateCooEntries } from '../store/layout.js';
import { tempNamePattern } from '../store/atomic-file.js';
import { compareUtf8, utf8Rank } from '../core/compare-utf8.js';
import type { FileMode } from '../store/tree.js';
import { IgnoreStack } from './ignore-stack.js';

// Lists what a snapshot captures: every regular file and symlink under the root that no ignore
// rule excludes, with its stat data, never following a link and never entering a `.git` or coo's
// own private directories. Whatever it cannot capture is returned as skipped with the reason, so
// that nothing is dropped silently.

export interface WalkEntry {
  readonly path: string;
  readonly mode: FileMode;
  readonly size: number;
  /** Milliseconds with a fraction (sub-microsecond resolution at today's dates). */
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

export interface Skipped {
  readonly path: string;
  readonly reason: string;
}

export interface WalkResult {
  /** In byte order of their paths (git's order); a directory's entries, at any depth, are contiguous. */
  readonly entries: WalkEntry[];
  readonly skipped: Skipped[];
  /** For every directory entered ('' is the root): the index in `entries` just past its last entry. */
  readonly dirEnds: ReadonlyMap<string, number>;
}

export type ScanProgress = (scanned: number) => void;

export function fileModeOf(stat: Stats): FileMode | null {
  if (stat.isSymbolicLink()) return '120000';
  if (stat.isFile()) return (stat.mode & 0o100) !== 0 ? '100755' : '100644';
  return null;
}

export function walkEntryOf(path: string, stat: Stats, mode: FileMode): WalkEntry {
  return { path, mode, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
}

function gitInfoExclude(root: string): string {
  try {
    return readFileSync(join(root, '.git', 'info', 'exclude'), 'utf8');
  } catch {
    return '';
  }
}

/** Orders entries as `compareUtf8` orders their names with a `/` after each directory's, without making those names. */
function byTreeOrder(a: Dirent, b: Dirent): number {
  const x = a.name;
  const y = b.name;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const u = x.charCodeAt(i);
    const v = y.charCodeAt(i);
    if (u !== v) return utf8Rank(u) - utf8Rank(v);
  }
  const next = (name: string, dirent: Dirent): number =>
    name.length > n ? name.charCodeAt(n) : dirent.isDirectory() ? 0x2f : -1;
  return next(x, a) - next(y, b);
}

/**
 * Why a name is not captured though nothing ignores it (recorded with the snapshot), or null. The
 * parents were checked on the way down; only this name and the total length are new.
 */
function unsafeReason(name: string, rel: string): string | null {
  if (!isPlainComponent(name)) {
    if (isDotGitComponent(name)) return 'git metadata of a nested repository';
    const problem = checkPathComponent(name);
    if (problem) return `unsafe name: ${problem.reason}`;
  }
  if (rel.length * 3 > maxPathBytes && Buffer.byteLength(rel) > maxPathBytes)
    return `unsafe name: longer than ${maxPathBytes} bytes`;
  if (name.includes('.coo-tmp-') && tempNamePattern.test(name))
    return 'coo temporary file left by an interrupted write';
  return null;
}

export function walkWorktree(root: string, onProgress?: ScanProgress): WalkResult {
  const entries: WalkEntry[] = [];
  const skipped: Skipped[] = [];
  const dirEnds = new Map<string, number>();
  const rules = new IgnoreStack();
  rules.addRoot(gitInfoExclude(root));
  let scanned = 0;

  const visit = (absDir: string, relDir: string): void => {
    let dirents: Dirent[];
    try {
      dirents = readdirSync(absDir, { withFileTypes: true });
    } catch (err) {
      skipped.push({
        path: relDir,
        reason: `unreadable directory (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      });
      return;
    }
    const pushed = rules.enter(absDir, relDir, dirents);
    const active = rules.activeFor(relDir);
    // Visiting names in this order (a directory as if named `name/`) lists every path of the
    // tree in byte order, as git sorts them, without sorting the whole list at the end.
    dirents.sort(byTreeOrder);
    for (const dirent of dirents) {
      const name = dirent.name;
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      if (relDir === '' && name === '.git') continue; // the user's own repository
      if (relDir === cooDirName && (privateCooEntries as readonly string[]).includes(name)) continue;
      const isDir = dirent.isDirectory();
      if (active.length > 0 && rules.isIgnored(active, rel, isDir)) continue;
      const unsafe = unsafeReason(name, rel);
      if (unsafe) {
        skipped.push({ path: rel, reason: unsafe });
        continue;
      }
      const abs = `${absDir}/${name}`;
      if (isDir) {
        visit(abs, rel);
        continue;
      }
      let stat: Stats;
      try {
        stat = lstatSync(abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') skipped.push({ path: rel, reason: `cannot stat (${code ?? 'error'})` });
        continue;
      }
      const mode = fileModeOf(stat);
      if (!mode) {
        if (stat.isDirectory())
          visit(abs, rel); // was replaced by a directory meanwhile
        else skipped.push({ path: rel, reason: 'not a regular file or symbolic link' });
        continue;
      }
      entries.push(walkEntryOf(rel, stat, mode));
      scanned += 1;
      if (onProgress && scanned % 1000 === 0) onProgress(scanned);
    }
    rules.leave(pushed);
    dirEnds.set(relDir, entries.length);
  };

  visit(root, '');
  skipped.sort((a, b) => compareUtf8(a.path, b.path));
  return { entries, skipped, dirEnds };
}
