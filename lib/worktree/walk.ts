import { lstatSync, readdirSync, readFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { checkRepoPath } from '../paths/repo-path.js';
import { isDotGitComponent } from '../paths/dotgit.js';
import { cooDirName, privateCooEntries } from '../store/layout.js';
import { tempNamePattern } from '../store/atomic-file.js';
import { compareUtf8 } from '../util/compare-utf8.js';
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
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly ino: bigint;
}

export interface Skipped {
  readonly path: string;
  readonly reason: string;
}

export interface WalkResult {
  readonly entries: WalkEntry[];
  readonly skipped: Skipped[];
}

export type ScanProgress = (scanned: number) => void;

export function fileModeOf(stat: BigIntStats): FileMode | null {
  if (stat.isSymbolicLink()) return '120000';
  if (stat.isFile()) return (stat.mode & 0o100n) !== 0n ? '100755' : '100644';
  return null;
}

function gitInfoExclude(root: string): string {
  try {
    return readFileSync(join(root, '.git', 'info', 'exclude'), 'utf8');
  } catch {
    return '';
  }
}

export function walkWorktree(root: string, onProgress?: ScanProgress): WalkResult {
  const entries: WalkEntry[] = [];
  const skipped: Skipped[] = [];
  const rules = new IgnoreStack();
  rules.addRoot(gitInfoExclude(root));
  let scanned = 0;

  const visit = (absDir: string, relDir: string): void => {
    let dirents;
    try {
      dirents = readdirSync(absDir, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: relDir, reason: `unreadable directory (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    const pushed = rules.enter(absDir, relDir, new Set(dirents.map((d) => d.name)));
    for (const dirent of dirents) {
      const name = dirent.name;
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      if (relDir === '' && name === '.git') continue; // the user's own repository
      if (relDir === cooDirName && (privateCooEntries as readonly string[]).includes(name)) continue;
      const isDir = dirent.isDirectory();
      if (!rules.empty && rules.isIgnored(rel, isDir)) continue;
      if (isDotGitComponent(name)) {
        skipped.push({ path: rel, reason: 'git metadata of a nested repository' });
        continue;
      }
      const problem = checkRepoPath(rel);
      if (problem) {
        skipped.push({ path: rel, reason: `unsafe name: ${problem.reason}` });
        continue;
      }
      if (tempNamePattern.test(name)) {
        skipped.push({ path: rel, reason: 'coo temporary file left by an interrupted write' });
        continue;
      }
      if (isDir) {
        visit(join(absDir, name), rel);
        continue;
      }
      let stat: BigIntStats;
      try {
        stat = lstatSync(join(absDir, name), { bigint: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') skipped.push({ path: rel, reason: `cannot stat (${code ?? 'error'})` });
        continue;
      }
      const mode = fileModeOf(stat);
      if (!mode) {
        if (stat.isDirectory()) visit(join(absDir, name), rel); // was replaced by a directory meanwhile
        else skipped.push({ path: rel, reason: 'not a regular file or symbolic link' });
        continue;
      }
      entries.push({ path: rel, mode, size: Number(stat.size), mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, ino: stat.ino });
      scanned += 1;
      if (onProgress && scanned % 1000 === 0) onProgress(scanned);
    }
    rules.leave(pushed);
  };

  visit(root, '');
  entries.sort((a, b) => compareUtf8(a.path, b.path));
  skipped.sort((a, b) => compareUtf8(a.path, b.path));
  return { entries, skipped };
}
