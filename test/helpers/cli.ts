import { spawnSync } from 'node:child_process';
import { main } from '../../lib/cli/main.js';
import type { Env } from '../../lib/core/git-config.js';
import { cooBin } from './sandbox.js';

// Running coo as a user does: in-process through `main` (fast, same code path as bin/coo), or as
// a real child process when the test needs a process boundary (signals, TMPDIR, exit status).

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
}

function result(code: number, stdout: string, stderr: string): CliRun {
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}

export async function coo(
  args: readonly string[],
  options: { cwd: string; env: Env; input?: string | Buffer },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const input = options.input;
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: options.env,
    cwd: options.cwd,
    ...(input === undefined ? {} : { stdin: async () => Buffer.from(input) }),
  });
  return result(code, stdout, stderr);
}

export function cooProcess(
  args: readonly string[],
  options: { cwd: string; env: Env; input?: string; timeoutMs?: number },
): CliRun {
  const run = spawnSync(process.execPath, [cooBin, ...args], {
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const }),
  });
  return result(run.status ?? -1, run.stdout, run.stderr);
}
