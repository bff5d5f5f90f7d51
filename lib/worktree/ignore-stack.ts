import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

// gitignore semantics across nested directories, in two voices. git's: each `.gitignore` speaks
// for paths below its directory, the deepest file with an opinion wins, and below the root's files
// sit `info/exclude`, then the global excludes file, as in git. coo's: a `.cooignore` is read after
// the `.gitignore` of its directory (so `!build/` undoes git's `build/`), and what it excludes stays
// out of every capture, even where git tracks it; what git alone excludes is captured if git tracks
// it. Pattern matching itself is the `ignore` package's, which implements the gitignore spec.

export const gitIgnoreFile = '.gitignore';
export const cooIgnoreFile = '.cooignore';

export interface Level {
  /** Directory the rules belong to, relative to the root, with a trailing `/` ('' for the root). */
  readonly base: string;
  /** The `.gitignore` (or info/exclude, global excludes) patterns. */
  readonly git: Ignore | null;
  /** The `.cooignore` patterns alone, and read after git's (so that `!build/` undoes git's `build/`). */
  readonly coo: Ignore | null;
  readonly both: Ignore | null;
}

/**
 * What the rules say of a path, and whose word it is: git's (a tracked path stays captured
 * whatever git's rules say) or coo's (the last word), or nothing.
 */
export type Verdict = 'git-ignored' | 'git-included' | 'coo-ignored' | 'coo-included' | null;

function rulesOf(text: string): Ignore | null {
  return text.trim() === '' ? null : ignore({ ignorecase: false }).add(text);
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // unreadable or absent: it contributes no rules (the file itself is captured or skipped as any other)
  }
}

function testOf(rules: Ignore | null, path: string): ignore.TestResult | null {
  if (!rules) return null;
  try {
    return rules.test(path);
  } catch {
    return null; // a name `ignore` cannot parse; the path checks judge it instead
  }
}

export class IgnoreStack {
  private readonly levels: Level[] = [];

  /** git rules from outside the tree (the global excludes file, then `info/exclude`), lowest first. */
  addRoot(patterns: string): void {
    const git = rulesOf(patterns);
    if (git) this.levels.push({ base: '', git, coo: null, both: null });
  }

  /** Reads the ignore files present in `dir` (given its entries); returns how many levels it pushed. */
  enter(absDir: string, relDir: string, entries: readonly { readonly name: string }[]): number {
    let hasGit = false;
    let hasCoo = false;
    for (const entry of entries) {
      if (entry.name === gitIgnoreFile) hasGit = true;
      else if (entry.name === cooIgnoreFile) hasCoo = true;
    }
    if (!hasGit && !hasCoo) return 0;
    const gitText = hasGit ? readOr(join(absDir, gitIgnoreFile)) : '';
    const cooText = hasCoo ? readOr(join(absDir, cooIgnoreFile)) : '';
    const git = rulesOf(gitText);
    const coo = rulesOf(cooText);
    if (!git && !coo) return 0;
    const both = coo ? rulesOf(`${gitText}\n${cooText}`) : null;
    this.levels.push({ base: relDir === '' ? '' : `${relDir}/`, git, coo, both });
    return 1;
  }

  leave(count: number): void {
    this.levels.length -= count;
  }

  /** The levels that speak for entries of directory `relDir`, deepest first (computed once per directory). */
  activeFor(relDir: string): readonly Level[] {
    const prefix = relDir === '' ? '' : `${relDir}/`;
    return this.levels.filter((level) => prefix.startsWith(level.base)).reverse();
  }

  /** The deepest level with an opinion decides; at one level, `.cooignore` speaks after `.gitignore`. */
  verdict(active: readonly Level[], relPath: string, isDir: boolean): Verdict {
    for (const level of active) {
      const local = relPath.slice(level.base.length) + (isDir ? '/' : '');
      const coo = testOf(level.coo, local);
      if (coo?.ignored) return 'coo-ignored';
      const git = testOf(level.git, local);
      if (git?.ignored) return testOf(level.both, local)?.ignored === false ? 'coo-included' : 'git-ignored';
      if (git?.unignored) return 'git-included';
      if (coo?.unignored) return 'coo-included';
    }
    return null;
  }
}
