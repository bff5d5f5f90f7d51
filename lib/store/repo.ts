import { existsSync } from 'node:fs';
import { CooError } from '../core/coo-error.js';
import { loadConfig, type CooConfig } from '../core/config.js';
import type { Identity } from './commit.js';
import { findRoot, layoutFor, type Layout } from './layout.js';
import { commitTimestamp } from '../core/clock.js';
import { readGitConfig, type Env } from '../core/git-config.js';

// An opened coo repository: where things are, its configuration, and the effects every operation
// draws on (environment, clock) in one object, so that library callers and tests can pin them.

export interface RepoOptions {
  /** Directory to start looking for `.coo/` from (default: process.cwd()). */
  readonly cwd?: string;
  /** Environment to read (default: process.env). */
  readonly env?: Env;
  /** Wall clock in milliseconds (default: Date.now); SOURCE_DATE_EPOCH in `env` overrides it for commits. */
  readonly now?: () => number;
}

export interface Repo {
  readonly layout: Layout;
  /** The policy in force: the config as last approved (recorded in the state repository), not the file on disk. */
  readonly config: CooConfig;
  readonly env: Env;
  /** The user's git configuration, read on first use (it costs a git process). */
  readonly gitConfig: ReadonlyMap<string, string>;
  /** Author/committer for a commit written now. */
  identity(): Identity;
}

export const defaultName = 'coo';
export const defaultEmail = 'coo@localhost';

function identityFrom(gitConfig: ReadonlyMap<string, string>, env: Env, now?: () => number): Identity {
  return {
    name: gitConfig.get('user.name') ?? defaultName,
    email: gitConfig.get('user.email') ?? defaultEmail,
    timestamp: commitTimestamp(env, now),
    tzOffsetMinutes: 0,
  };
}

export async function openRepo(options: RepoOptions = {}): Promise<Repo> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const root = findRoot(cwd);
  if (!root) throw new CooError('E_NOT_INITIALISED', `no .coo/state.git in ${cwd} or any parent`, { cwd });
  const layout = layoutFor(root);
  // The policy recorded at the last approval, once there is one; before it, the file on disk.
  const config = await loadConfig(existsSync(layout.policyPath) ? layout.policyPath : layout.configPath);
  let gitConfig: ReadonlyMap<string, string> | undefined;
  const readOnce = (): ReadonlyMap<string, string> => {
    gitConfig ??= readGitConfig(root, env);
    return gitConfig;
  };
  return {
    layout,
    config,
    env,
    get gitConfig() {
      return readOnce();
    },
    identity: () => identityFrom(readOnce(), env, options.now),
  };
}
