import { lstatSync, readdirSync, readFileSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import { checkPathComponent, isPlainComponent, maxPathBytes } from '../core/repo-path.js';
import { isDotGitComponent } from '../core/dotgit.js';
import { cooDirName, privateCooEntries } from '../store/layout.js';
import { tempNamePattern } from '../store/atomic-file.js';
import { compareUtf8, utf8Rank } from '../core/compare-utf8.js';
import type { FileMode } from '../store/tree.js';
import { noTrackedPaths, readTrackedPaths, type TrackedPaths } from './git-index.js';
import { noGitSources, type GitSources } from './git-sources.js';
import { IgnoreStack } from './ignore-stack.js';

// Lists what a snapshot captures, by git's rules (walkWorktree says which), with its stat data,
// never following a link and never entering a `.git` or coo's own private directories. Whatever it
// cannot capture is returned as skipped with the reason, so that nothing is dropped silently.

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
  /** Directories below the root that hold a `.git` of their own: nested repositories and submodules. */
  readonly nested: readonly string[];
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

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
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

export interface WalkOptions {
  /** git's sources for this root (its index, `info/exclude`, the global excludes); none for a tree git does not know. */
  readonly sources?: GitSources;
  /** Paths coo itself wrote there, captured whatever the ignore rules say (as git keeps what it tracks). */
  readonly written?: ReadonlySet<string>;
  readonly onProgress?: ScanProgress;
}

/** What git tracks (its index) and what coo wrote, together. */
function trackedOrWritten(sources: GitSources, written: ReadonlySet<string>): TrackedPaths {
  const index = sources.dirs ? readTrackedPaths(sources.dirs.gitdir, sources.objectFormat) : noTrackedPaths;
  if (written.size === 0) return index;
  const writtenDirs = new Set<string>();
  for (const path of written) {
    for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) writtenDirs.add(path.slice(0, at));
  }
  return {
    has: (path) => index.has(path) || written.has(path),
    hasUnder: (dir) => index.hasUnder(dir) || writtenDirs.has(dir),
    size: index.size + written.size,
  };
}

/**
 * Lists what a capture takes, by git's rules: a path git tracks (or coo wrote) is captured whatever
 * git's ignore rules say; an untracked one unless they exclude it; what `.cooignore` excludes stays
 * out in both cases. As in git, nothing untracked inside an ignored directory is captured, and an
 * ignored directory is entered only for what is tracked below it.
 */
export function walkWorktree(root: string, options: WalkOptions = {}): WalkResult {
  const { onProgress } = options;
  const sources = options.sources ?? noGitSources;
  // Read once, when an ignore rule first matches: most paths never need it.
  let trackedPaths: TrackedPaths | undefined;
  const tracked = (): TrackedPaths => {
    trackedPaths ??= trackedOrWritten(sources, options.written ?? new Set());
    return trackedPaths;
  };
  const entries: WalkEntry[] = [];
  const skipped: Skipped[] = [];
  const nested: string[] = [];
  const dirEnds = new Map<string, number>();
  const rules = new IgnoreStack();
  if (sources.excludesFile) rules.addRoot(readOrEmpty(sources.excludesFile));
  if (sources.dirs) rules.addRoot(readOrEmpty(join(sources.dirs.commondir, 'info', 'exclude')));
  let scanned = 0;

  /** `ignored`: the directory is ignored by git, so only what is tracked below it is captured. */
  const visit = (absDir: string, relDir: string, ignored: boolean): void => {
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
      if (name === '.git') {
        if (relDir === '') continue; // the user's own repository
        nested.push(relDir);
      }
      if (relDir === cooDirName && (privateCooEntries as readonly string[]).includes(name)) continue;
      const isDir = dirent.isDirectory();
      let inIgnored = ignored;
      if (active.length > 0 || ignored) {
        const verdict = active.length > 0 ? rules.verdict(active, rel, isDir) : null;
        if (verdict === 'coo-ignored') continue;
        if (verdict === 'coo-included') inIgnored = false;
        else if (ignored || verdict === 'git-ignored') {
          if (isDir ? !tracked().hasUnder(rel) : !tracked().has(rel)) continue;
          inIgnored = true;
        }
      }
      const unsafe = unsafeReason(name, rel);
      if (unsafe) {
        skipped.push({ path: rel, reason: unsafe });
        continue;
      }
      const abs = `${absDir}/${name}`;
      if (isDir) {
        visit(abs, rel, inIgnored);
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
          visit(abs, rel, inIgnored); // was replaced by a directory meanwhile
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

  visit(root, '', false);
  skipped.sort((a, b) => compareUtf8(a.path, b.path));
  return { entries, skipped, dirEnds, nested };
}

/**
 * Whether the ignore rules (git's, then `.cooignore`) leave `path` out of a capture, whatever git
 * tracks: each directory on the way is judged as the walk would judge it.
 */
export function isIgnoredPath(root: string, path: string, sources: GitSources = noGitSources): boolean {
  const rules = new IgnoreStack();
  if (sources.excludesFile) rules.addRoot(readOrEmpty(sources.excludesFile));
  if (sources.dirs) rules.addRoot(readOrEmpty(join(sources.dirs.commondir, 'info', 'exclude')));
  const parts = path.split('/');
  let ignored = false;
  for (let i = 0; i < parts.length; i++) {
    const relDir = parts.slice(0, i).join('/');
    const absDir = relDir === '' ? root : join(root, relDir);
    let names: { name: string }[] = [];
    try {
      names = readdirSync(absDir, { withFileTypes: true });
    } catch {
      // a directory not there yet has no ignore files
    }
    rules.enter(absDir, relDir, names);
    const verdict = rules.verdict(rules.activeFor(relDir), parts.slice(0, i + 1).join('/'), i < parts.length - 1);
    if (verdict === 'coo-ignored') return true;
    if (verdict === 'coo-included') ignored = false;
    else if (verdict === 'git-ignored') ignored = true;
  }
  return ignored;
}
