import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '../../lib/core/git-config.js';

// A hermetic place for one test: a repository folder and an empty HOME in a fresh temp dir,
// an environment that reads no machine-wide git configuration, and helpers to write files
// and to run native git (the interoperability judge, never coo's engine).

export const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixtures = join(projectRoot, 'test', 'fixtures');
export const cooBin = join(projectRoot, 'bin', 'coo');

export interface Sandbox {
  readonly dir: string;
  readonly repo: string;
  readonly home: string;
  readonly env: Env;
  write(path: string, content: string | Buffer, mode?: number): void;
  read(path: string): string;
  link(path: string, target: string): void;
  git(args: readonly string[], options?: { cwd?: string; input?: string; env?: Env }): GitRun;
  /** Makes a bare git repository inside the sandbox (a state repository without coo) and returns its path. */
  bare(name?: string): string;
  /** Points the user's git config at a fixture signing key (gpg.format=ssh). */
  useFixtureKey(name?: string): string;
  cleanup(): void;
}

export interface GitRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function baseEnv(home: string, extra: Env = {}): Env {
  return {
    PATH: process.env['PATH'],
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    TZ: 'UTC',
    LC_ALL: 'C',
    ...extra,
  };
}

export function sandbox(options: { gitInit?: boolean; env?: Env } = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'coo-test-'));
  const repo = join(dir, 'repo');
  const home = join(dir, 'home');
  mkdirSync(repo);
  mkdirSync(home);
  const env = baseEnv(home, options.env);
  const git = (args: readonly string[], o: { cwd?: string; input?: string; env?: Env } = {}): GitRun => {
    const run = spawnSync('git', args, {
      cwd: o.cwd ?? repo,
      env: {
        ...env,
        GIT_AUTHOR_NAME: 'T',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 'T',
        GIT_COMMITTER_EMAIL: 't@example.com',
        ...o.env,
      } as NodeJS.ProcessEnv,
      encoding: 'utf8',
      ...(o.input === undefined ? {} : { input: o.input }),
    });
    return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
  };
  if (options.gitInit !== false) git(['init', '-q']);
  const box: Sandbox = {
    dir,
    repo,
    home,
    env,
    write(path, content, mode) {
      const abs = join(repo, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
      if (mode !== undefined) chmodSync(abs, mode);
    },
    read(path) {
      return readFileSync(join(repo, path), 'utf8');
    },
    link(path, target) {
      const abs = join(repo, path);
      mkdirSync(dirname(abs), { recursive: true });
      symlinkSync(target, abs);
    },
    git,
    bare(name = 'state.git') {
      const gitdir = join(dir, name);
      git(['init', '-q', '--bare', gitdir]);
      return gitdir;
    },
    useFixtureKey(name = 'ed25519') {
      const keyPath = join(home, `.ssh-${name}`);
      copyFileSync(join(fixtures, 'keys', name), keyPath);
      chmodSync(keyPath, 0o600);
      writeFileSync(
        join(home, '.gitconfig'),
        `[user]\n\tname = Fixture\n\temail = fixture@coo.test\n\tsigningkey = ${keyPath}\n[gpg]\n\tformat = ssh\n`,
      );
      return keyPath;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return box;
}
