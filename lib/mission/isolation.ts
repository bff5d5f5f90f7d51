import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import type { Env } from '../core/git-config.js';

// Isolation turns a mission's sources of nondeterminism into declared inputs, in every step of
// every run (`coo run` and the determinism suite alike): node processes get the preload (clock
// frozen at SOURCE_DATE_EPOCH, Math.random and crypto seeded from COO_SEED); every other program
// gets libfaketime, frozen at the same epoch, when the machine has it. What could not be applied is
// said, never pretended.

const faketimeCandidates = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
  '/usr/local/lib/faketime/libfaketime.so.1',
];

export function findFaketime(env: Env): string | null {
  const given = env['COO_FAKETIME_LIB'];
  if (given !== undefined) return given !== '' && existsSync(given) ? given : null;
  return faketimeCandidates.find((path) => existsSync(path)) ?? null;
}

export function preloadPath(): string {
  return join(packageRoot(), 'dist', 'lib', 'mission', 'preload.js');
}

export interface IsolationApplied {
  readonly node: string;
  readonly otherPrograms: string;
}

export interface Isolation {
  readonly env: Record<string, string>;
  readonly applied: IsolationApplied;
}

export function isolation(options: {
  epoch: number;
  seed: number;
  env: Env;
  nodeOptions?: string;
  ldPreload?: string;
}): Isolation {
  const faketime = findFaketime(options.env);
  const nodeOptions = [options.nodeOptions, `--import=${JSON.stringify(preloadPath())}`].filter(Boolean).join(' ');
  const env: Record<string, string> = { NODE_OPTIONS: nodeOptions };
  if (faketime) {
    env['LD_PRELOAD'] = [options.ldPreload, faketime].filter(Boolean).join(':');
    // Epoch seconds, parsed as such: the plain date form is read in the local time zone, which the
    // determinism suite varies.
    env['FAKETIME'] = String(options.epoch);
    env['FAKETIME_FMT'] = '%s';
    env['FAKETIME_DONT_FAKE_MONOTONIC'] = '1';
  }
  return {
    env,
    applied: {
      node: 'applied: Date frozen at SOURCE_DATE_EPOCH, Math.random and crypto random functions seeded from COO_SEED (monotonic clocks are not frozen)',
      otherPrograms: faketime
        ? 'applied: libfaketime, clock frozen at SOURCE_DATE_EPOCH'
        : 'not applied: libfaketime is not installed (Debian package faketime)',
    },
  };
}
