import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Where everything coo keeps lives, all under `<root>/.coo/` (the single-root rule: coo writes
// nothing outside the repository, temporary files included).

export interface Layout {
  readonly root: string;
  readonly cooDir: string;
  readonly configPath: string;
  /**
   * The policy in force: the bytes of `.coo/config.json` as last approved, kept in the state
   * repository. A config on disk that differs is tampering and changes nothing.
   */
  readonly policyPath: string;
  readonly allowedSignersPath: string;
  /** The bare state repository. */
  readonly gitdir: string;
  /** coo's private files inside the state repository (stat cache, journal, high-water marks). */
  readonly privateDir: string;
  readonly lockPath: string;
  readonly workDir: string;
  readonly keysDir: string;
  /** Temporary files for writes into the working tree (same filesystem, so rename is atomic). */
  readonly tmpDir: string;
}

export const cooDirName = '.coo';

export function layoutFor(root: string): Layout {
  const cooDir = join(root, cooDirName);
  const gitdir = join(cooDir, 'state.git');
  return {
    root,
    cooDir,
    configPath: join(cooDir, 'config.json'),
    policyPath: join(gitdir, 'coo', 'policy-config.json'),
    allowedSignersPath: join(cooDir, 'allowed_signers'),
    gitdir,
    privateDir: join(gitdir, 'coo'),
    lockPath: join(gitdir, 'coo.lock'),
    workDir: join(cooDir, 'work'),
    keysDir: join(cooDir, 'keys'),
    tmpDir: join(cooDir, 'tmp'),
  };
}

/** Paths under `.coo/` that are never captured, never rolled back and never written by the gateway. */
export const privateCooEntries = ['state.git', 'work', 'keys', 'tmp'] as const;

/** The nearest directory at or above `cwd` that holds `.coo/state.git`. */
export function findRoot(cwd: string): string | null {
  let dir = realpathSync(cwd);
  for (;;) {
    if (existsSync(join(dir, cooDirName, 'state.git', 'HEAD'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The nearest directory at or above `cwd` that holds `.git` (the user's repository), or null. */
export function findGitTop(cwd: string): string | null {
  let dir = realpathSync(cwd);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
