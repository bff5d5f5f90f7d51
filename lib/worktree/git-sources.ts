import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { expandHome, type Env } from '../core/git-config.js';

// Where git keeps what decides a capture for a work tree at `root`: its git directory (the index:
// what git tracks; HEAD), the common directory (`info/exclude`, shared by linked worktrees), and
// the global excludes file (`core.excludesFile`, by default `$XDG_CONFIG_HOME/git/ignore`). A
// mission's quarantine tree has none of them, so its captures depend on nothing of the machine's.

export interface GitDirs {
  /** The work tree's own git directory: its HEAD and its index. */
  readonly gitdir: string;
  /** The directory linked worktrees share: refs, `info/exclude`. */
  readonly commondir: string;
}

export interface GitSources {
  readonly dirs: GitDirs | null;
  /** The global excludes file, when one is configured or present at git's default place. */
  readonly excludesFile: string | null;
  readonly objectFormat: 'sha1' | 'sha256';
}

export const noGitSources: GitSources = { dirs: null, excludesFile: null, objectFormat: 'sha1' };

/** The git directories of the work tree at `root` (`.git` a directory, or a `gitdir:` file as in linked worktrees and submodules). */
export function findGitDirs(root: string): GitDirs | null {
  const dotGit = join(root, '.git');
  let gitdir: string;
  try {
    if (statSync(dotGit).isDirectory()) gitdir = dotGit;
    else {
      const line = /^gitdir: (.+)$/mu.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
      if (!line) return null;
      gitdir = resolve(root, line);
    }
  } catch {
    return null;
  }
  let commondir = gitdir;
  try {
    const common = readFileSync(join(gitdir, 'commondir'), 'utf8').trim();
    if (common !== '') commondir = resolve(gitdir, common);
  } catch {
    // not a linked worktree: the git directory is its own common directory
  }
  return { gitdir, commondir };
}

/** git's global excludes file: `core.excludesFile`, else `$XDG_CONFIG_HOME/git/ignore` (`~/.config/git/ignore`). */
export function globalExcludesFile(root: string, env: Env, gitConfig: ReadonlyMap<string, string>): string | null {
  const configured = gitConfig.get('core.excludesfile');
  if (configured !== undefined) {
    const path = expandHome(configured, env);
    return isAbsolute(path) ? path : resolve(root, path);
  }
  const home = env['HOME'];
  const xdg = env['XDG_CONFIG_HOME'] || (home ? join(home, '.config') : undefined);
  const fallback = xdg ? join(xdg, 'git', 'ignore') : null;
  return fallback && existsSync(fallback) ? fallback : null;
}

export function gitSourcesOf(root: string, env: Env, gitConfig: ReadonlyMap<string, string>): GitSources {
  return {
    dirs: findGitDirs(root),
    excludesFile: globalExcludesFile(root, env, gitConfig),
    objectFormat: gitConfig.get('extensions.objectformat') === 'sha256' ? 'sha256' : 'sha1',
  };
}
