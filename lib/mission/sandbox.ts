import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, sep } from 'node:path';
import { CooError } from '../core/coo-error.js';
import type { Env } from '../core/git-config.js';
import { preloadPath } from './isolation.js';

// A mission step runs in a sandbox, so that the quarantine tree is a boundary and not a directory:
// bubblewrap (Debian's `bubblewrap`, user namespaces) gives the step a view of the machine in which
// everything is read-only, the repository (its files, `.coo/`, its state repository and its lock,
// coo's keys), the user's home (keys, agent sockets, git config) and /tmp and /run (agent sockets)
// are empty, the quarantine tree, its HOME and its TMPDIR are the only places it can write, and
// the network is gone unless the mission asks for it. coo's human-only commands find neither a
// state repository nor a key from inside. Where no sandbox can be made, a run refuses unless the
// mission or the person accepts an unconfined run, and the run's report says which it was.

export interface SandboxRequest {
  /** Steps may reach the network (default: no network). */
  readonly network?: boolean;
  /** Run without a sandbox where none can be made (default: refuse). */
  readonly unconfined?: boolean;
}

export interface Confinement {
  readonly kind: 'bubblewrap' | 'none';
  readonly network: boolean;
  /** Why, in a person's words (what the report shows). */
  readonly why: string;
}

/** Where one step runs: the places it may write, and what else it must see. */
export interface StepPlaces {
  readonly tree: string;
  readonly home: string;
  readonly tmp: string;
  /** Other places the step's processes write (the determinism suite's isolation log). */
  readonly also?: readonly string[];
}

function onPath(name: string, env: Env): string | null {
  for (const dir of (env['PATH'] ?? '/usr/bin:/bin').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const probed = new Map<string, string | null>();

/** Whether bubblewrap can make a sandbox on this machine: null if it can, else why not. */
function probe(bwrap: string): string | null {
  const known = probed.get(bwrap);
  if (known !== undefined) return known;
  const run = spawnSync(bwrap, ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', '/bin/true'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const why =
    run.status === 0
      ? null
      : `bubblewrap cannot make a sandbox here: ${(run.stderr || run.error?.message || `exit ${run.status}`).trim()}`;
  probed.set(bwrap, why);
  return why;
}

/**
 * How the steps of a run will be confined, decided once before the run starts. `COO_BWRAP` names
 * bubblewrap's executable (an empty value: none on this machine).
 */
export function chooseConfinement(request: SandboxRequest, env: Env, accepted: { byPerson: boolean }): Confinement {
  const network = request.network === true;
  const given = env['COO_BWRAP'];
  const bwrap = given === undefined ? onPath('bwrap', env) : given === '' ? null : given;
  const missing = bwrap === null ? 'bubblewrap (bwrap) is not installed (Debian package bubblewrap)' : probe(bwrap);
  if (missing === null)
    return {
      kind: 'bubblewrap',
      network,
      why: `bubblewrap: only the quarantine tree is writable; network ${network ? 'allowed by the mission' : 'off'}`,
    };
  if (accepted.byPerson || request.unconfined) {
    const who = accepted.byPerson ? 'the person who started it (--unconfined)' : 'the mission (sandbox.unconfined)';
    return { kind: 'none', network: true, why: `unconfined, accepted by ${who}: ${missing}` };
  }
  throw new CooError(
    'E_SANDBOX_UNAVAILABLE',
    `mission steps must run in a sandbox, and none can be made here: ${missing}`,
    {
      reason: missing,
      todo: [
        'install bubblewrap (apt-get install bubblewrap)',
        'or accept an unconfined run: coo run FILE --unconfined',
      ],
    },
  );
}

function isInside(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * bubblewrap's arguments for a step. Later mounts cover earlier ones: the machine read-only, then
 * the hidden places as empty tmpfs, then the step's own places and what it must read (coo's
 * package for the node preload, node itself and the PATH's directories when they live in a hidden
 * place) bound back in.
 */
export function sandboxArgs(input: {
  root: string;
  places: StepPlaces;
  env: Env;
  hostEnv: Env;
  network: boolean;
}): string[] {
  const hidden = [
    ...new Set(
      ['/tmp', '/run', '/var/tmp', input.hostEnv['HOME'], input.root].filter((p): p is string => !!p).map(real),
    ),
  ];
  const args = ['--die-with-parent', '--new-session', '--unshare-all', ...(input.network ? ['--share-net'] : [])];
  args.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc');
  for (const dir of hidden) if (existsSync(dir)) args.push('--tmpfs', dir);
  // coo's node preload is the one file of coo's a step reads (its package may sit inside the repository).
  const readable = [preloadPath(), dirname(dirname(process.execPath)), ...(input.env['PATH'] ?? '').split(delimiter)]
    .filter((p) => p !== '' && existsSync(p))
    .map(real)
    .filter((p) => hidden.some((h) => isInside(h, p)) && !isInside(real(input.places.tree), p));
  for (const dir of new Set(readable)) args.push('--ro-bind', dir, dir);
  for (const dir of [input.places.tree, input.places.home, input.places.tmp, ...(input.places.also ?? [])])
    args.push('--bind', dir, dir);
  // The hidden places are empty and read-only too: a write there fails instead of vanishing.
  for (const dir of hidden) if (existsSync(dir)) args.push('--remount-ro', dir);
  args.push('--chdir', input.places.tree);
  return args;
}

/** The program and arguments that run `command` by /bin/sh, confined as decided. */
export function confinedCommand(
  command: string,
  confinement: Confinement,
  input: { root: string; places: StepPlaces; env: Env; hostEnv: Env },
): { program: string; args: string[] } {
  if (confinement.kind === 'none') return { program: '/bin/sh', args: ['-c', command] };
  const given = input.hostEnv['COO_BWRAP'];
  const bwrap = given || onPath('bwrap', input.hostEnv) || 'bwrap';
  return {
    program: bwrap,
    args: [...sandboxArgs({ ...input, network: confinement.network }), '/bin/sh', '-c', command],
  };
}
