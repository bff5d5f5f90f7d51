import { join } from 'node:path';
import type { Mission } from '../mission/mission.js';

// The runs of a determinism check. Run 1 is the control: the environment `coo run` gives. Every
// other run varies what the mission does not declare, the way reprotest varies a build: where the
// tree is (another depth, a non-ASCII segment), HOME/TMPDIR/USER, TZ, locale, umask, directory
// listing order. A perturbation the mission pins itself (TZ or LC_ALL in its env) is held fixed.

export const perturbationNames = ['root-path', 'home', 'tz', 'locale', 'umask', 'readdir-order'] as const;
export type PerturbationName = (typeof perturbationNames)[number];

export interface RunConfig {
  readonly label: string;
  /** Relative to the check's work directory. */
  readonly root: string;
  readonly home: string;
  readonly user: string;
  readonly tz: string;
  readonly locale: string;
  readonly umask: string;
  readonly readdir: 'natural' | 'reverse' | 'shuffle';
}

const control: RunConfig = {
  label: 'control',
  root: 'roots/control',
  home: 'homes/control',
  user: 'coo',
  tz: 'UTC',
  locale: 'C',
  umask: '022',
  readdir: 'natural',
};

const variants: readonly Omit<RunConfig, 'label'>[] = [
  {
    root: 'roots/p/deeper/and/deeper',
    home: 'homes/p-1/elsewhere',
    user: 'perturbed',
    tz: 'Pacific/Kiritimati',
    locale: 'tr_TR.UTF-8',
    umask: '077',
    readdir: 'reverse',
  },
  {
    root: 'roots/ünïcødé-路径',
    home: 'homes/p-ü',
    user: 'another',
    tz: 'America/St_Johns',
    locale: 'de_DE.UTF-8',
    umask: '002',
    readdir: 'shuffle',
  },
];

/** Which perturbations the mission leaves free (a declared TZ or locale is an input, held fixed). */
export function freePerturbations(mission: Mission): PerturbationName[] {
  const declared = new Set(Object.keys(mission.env ?? {}));
  for (const step of mission.steps)
    if (step.kind === 'command') for (const k of Object.keys(step.env ?? {})) declared.add(k);
  return perturbationNames.filter(
    (p) =>
      !(p === 'tz' && declared.has('TZ')) &&
      !(p === 'locale' && (declared.has('LC_ALL') || declared.has('LANG'))) &&
      !(p === 'home' && declared.has('HOME')),
  );
}

function withPerturbations(
  base: RunConfig,
  from: Omit<RunConfig, 'label'>,
  which: readonly PerturbationName[],
  label: string,
): RunConfig {
  const out: { -readonly [K in keyof RunConfig]: RunConfig[K] } = { ...base, label };
  for (const p of which) {
    if (p === 'root-path') out.root = from.root;
    if (p === 'home') Object.assign(out, { home: from.home, user: from.user });
    if (p === 'tz') out.tz = from.tz;
    if (p === 'locale') out.locale = from.locale;
    if (p === 'umask') out.umask = from.umask;
    if (p === 'readdir-order') out.readdir = from.readdir;
  }
  return out;
}

/** Run 1 is the control; runs 2..n carry every free perturbation, taking turns between two sets of values. */
export function runConfigs(mission: Mission, runs: number): RunConfig[] {
  const free = freePerturbations(mission);
  return Array.from({ length: runs }, (_, i) => {
    if (i === 0) return control;
    const from = variants[(i - 1) % variants.length] as Omit<RunConfig, 'label'>;
    const config = withPerturbations(control, from, free, `perturbed-${i}`);
    // Every run needs a tree of its own, even when the values repeat.
    return i > variants.length ? { ...config, root: `${config.root}-${i}`, home: `${config.home}-${i}` } : config;
  });
}

/** The control again, or the control with one perturbation taken from another run. */
export function controlAgain(): RunConfig {
  return { ...control, label: 'control-again' };
}

export function flipOne(from: RunConfig, which: PerturbationName): RunConfig {
  const flipped = withPerturbations(control, from, [which], `control+${which}`);
  // A flip that does not move the tree still needs its own place to run (the control's is reused).
  return flipped;
}

/** The perturbations in which a run differs from the control. */
export function differences(config: RunConfig): PerturbationName[] {
  return perturbationNames.filter((p) => {
    if (p === 'root-path') return config.root !== control.root;
    if (p === 'home') return config.home !== control.home || config.user !== control.user;
    if (p === 'tz') return config.tz !== control.tz;
    if (p === 'locale') return config.locale !== control.locale;
    if (p === 'umask') return config.umask !== control.umask;
    return config.readdir !== control.readdir;
  });
}

export function placeOf(workDir: string, config: RunConfig): { tree: string; home: string; tmp: string } {
  return {
    tree: join(workDir, config.root, 'tree'),
    home: join(workDir, config.home),
    tmp: join(workDir, config.home, 'tmp'),
  };
}
