import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CooError } from './coo-error.js';

// The settings coo takes from the user's git configuration (identity, signing key, hooks path),
// read by git itself: `git config --list -z`. Reading only; coo never writes git configuration.
//
// Why git and not a parser of our own: the key coo must sign with is the one the user's git signs
// with, and git's configuration has semantics a reader has to match exactly and that grow with git
// versions: `include.path` relative to the file that includes it, `includeIf` (gitdir, gitdir/i,
// onbranch, hasconfig), `config.worktree` under `extensions.worktreeConfig`, GIT_CONFIG_GLOBAL,
// GIT_CONFIG_SYSTEM, GIT_CONFIG_NOSYSTEM, GIT_CONFIG_COUNT/KEY_n/VALUE_n, `git -c` (passed down as
// GIT_CONFIG_PARAMETERS), quoting and continuation lines. git is the one reader that cannot disagree
// with git, and coo already needs it (hooks, the user's repository). The cost is one process
// (~2 ms, against ~0.04 ms for the file parser it replaces); `Repo` pays it on first use only.

export type Env = Readonly<Record<string, string | undefined>>;

// Variables that would make git read another repository, or (GIT_CONFIG, honoured by `git config`
// alone among git commands) only one file: the repository is the one at `root`, set below.
const repositoryVariables = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_CONFIG'];

/** Where no repository is: git treats a GIT_DIR that is not a repository as "outside any". */
const noRepository = '/dev/null';

/**
 * The merged configuration git sees for the repository whose work tree top is `root` (its `.git`,
 * a directory or a linked worktree's gitfile), or, when `root` has no `.git` or is null, outside any
 * repository: never a repository around `root`. Keys as git prints them (section and name
 * lower-cased, subsection as written); the last value wins; a key written with no `=` reads `true`.
 */
export function readGitConfig(root: string | null, env: Env): ReadonlyMap<string, string> {
  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && !repositoryVariables.includes(name)) childEnv[name] = value;
  // An explicit GIT_DIR, not discovery: discovery from a folder with no `.git` (or a broken one)
  // climbs to an enclosing repository, and GIT_CEILING_DIRECTORIES cannot name a path with a `:`.
  // As with any explicit GIT_DIR, git skips its safe.directory ownership check: the repository's
  // own config is read whoever owns it, as the file reader before this did.
  const top = root === null ? null : resolve(root);
  childEnv['GIT_DIR'] = top === null ? noRepository : join(top, '.git');
  const run = spawnSync('git', ['config', '--list', '--includes', '-z'], {
    cwd: top ?? '/',
    env: childEnv,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) {
    const errno = (run.error as NodeJS.ErrnoException).code ?? null;
    // A missing working directory fails the spawn with the same ENOENT as a missing git.
    if (errno === 'ENOENT' && top !== null && !existsSync(top))
      throw new CooError('E_IO', `no directory ${top}`, { syscall: 'chdir', path: top, errno }, { cause: run.error });
    if (errno === 'ENOENT')
      throw new CooError(
        'E_GIT_NOT_FOUND',
        'git was not found on PATH',
        { path: env['PATH'] ?? null },
        { cause: run.error },
      );
    throw new CooError(
      'E_GIT_CONFIG',
      `git config could not run: ${errno ?? run.error.message}`,
      { root: top, errno },
      { cause: run.error },
    );
  }
  if (run.status !== 0) {
    const stderr = run.stderr.trim();
    throw new CooError('E_GIT_CONFIG', `git could not read its configuration: ${stderr.split('\n')[0] ?? ''}`, {
      root: top,
      status: run.status,
      signal: run.signal,
      stderr,
    });
  }
  return parseConfigList(run.stdout);
}

/** `git config --list -z`: entries end in NUL, a key ends at the first newline, no newline means no value. */
function parseConfigList(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const entry of text.split('\0')) {
    if (entry === '') continue;
    const newline = entry.indexOf('\n');
    if (newline < 0) values.set(entry, 'true');
    else values.set(entry.slice(0, newline), entry.slice(newline + 1));
  }
  return values;
}

/** Expands a leading `~/` as git does for path-valued settings. */
export function expandHome(path: string, env: Env): string {
  return path.startsWith('~/') && env['HOME'] ? join(env['HOME'], path.slice(2)) : path;
}
