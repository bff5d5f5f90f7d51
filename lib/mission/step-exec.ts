import { spawn } from 'node:child_process';
import type { Env } from '../core/git-config.js';

// Runs one command: /bin/sh -c in the quarantine tree (a mission's step, inside its sandbox when
// `program` says how: sandbox.ts) or in the working tree (a plan's acceptance command), with exactly
// the environment it is given, a time limit that kills the whole process group, and the tail of its
// output kept for the report.

export interface StepOutcome {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** The last bytes of stdout and stderr, interleaved as they came. */
  readonly output: string;
  readonly durationMs: number;
}

const keep = 16 * 1024;

export function runCommand(
  command: string,
  options: { cwd: string; env: Env; timeoutMs: number; program?: { program: string; args: string[] } },
): Promise<StepOutcome> {
  const started = Date.now();
  const { program, args } = options.program ?? { program: '/bin/sh', args: ['-c', command] };
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let timedOut = false;
    const take = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 2 * keep) output = output.slice(-keep);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, output: output.slice(-keep), durationMs: Date.now() - started });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({
        exitCode: null,
        signal: null,
        timedOut: false,
        output: `${output}${err.message}`,
        durationMs: Date.now() - started,
      });
    });
  });
}
