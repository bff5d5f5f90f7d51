import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

// gitignore semantics across nested directories: each `.gitignore` (and `.cooignore`, read after
// it so its `!pattern` can re-include what git ignores) speaks for paths below its directory, the
// deepest file with an opinion wins, and `.git/info/exclude` sits below the root's files. Pattern
// matching itself is the `ignore` package's, which implements the gitignore spec.

export const ignoreFileNames = ['.gitignore', '.cooignore'] as const;

export interface Level {
  /** Directory the rules belong to, relative to the root, with a trailing `/` ('' for the root). */
  readonly base: string;
  readonly rules: Ignore;
}

export class IgnoreStack {
  private readonly levels: Level[] = [];

  /** Rules from files that are not in the tree itself (`.git/info/exclude`). */
  addRoot(patterns: string): void {
    if (patterns.trim() === '') return;
    this.levels.push({ base: '', rules: ignore({ ignorecase: false }).add(patterns) });
  }

  /** Reads the ignore files present in `dir` (given its entries); returns how many levels it pushed. */
  enter(absDir: string, relDir: string, entries: readonly { readonly name: string }[]): number {
    let text = '';
    let present = 0; // which ignore files the directory has, found in one pass over its entries
    for (const entry of entries) {
      if (entry.name === ignoreFileNames[0]) present |= 1;
      else if (entry.name === ignoreFileNames[1]) present |= 2;
    }
    if (present === 0) return 0;
    for (const [i, file] of ignoreFileNames.entries()) {
      if ((present & (1 << i)) === 0) continue;
      try {
        text += `${readFileSync(join(absDir, file), 'utf8')}\n`;
      } catch {
        // unreadable ignore file: it contributes no rules (the file itself is captured or skipped as any other)
      }
    }
    if (text.trim() === '') return 0;
    this.levels.push({ base: relDir === '' ? '' : `${relDir}/`, rules: ignore({ ignorecase: false }).add(text) });
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

  isIgnored(active: readonly Level[], relPath: string, isDir: boolean): boolean {
    for (const level of active) {
      const local = relPath.slice(level.base.length) + (isDir ? '/' : '');
      let result: ignore.TestResult;
      try {
        result = level.rules.test(local);
      } catch {
        continue; // a name `ignore` cannot parse; the path checks judge it instead
      }
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  }
}
