import { hostname, platform, arch } from 'node:os';
import { join, relative } from 'node:path';
import { rmSync } from 'node:fs';
import { CooError } from '../core/coo-error.js';
import { exitCodes } from '../core/catalogue.js';
import { writeObject } from '../store/loose-objects.js';
import { formatTree, type TreeEntry } from '../store/tree.js';
import { manifestCid } from '../store/manifest.js';
import { readRef, updateRef } from '../store/refs.js';
import { canonicalJson } from '../core/canonical-json.js';
import { openRepo, type Repo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { writeStateCommit } from '../store/state-commit.js';
import { resolveState } from '../baseline/resolve-state.js';
import { loadMission, type Mission } from '../mission/mission.js';
import { validateWorkflow } from '../mission/workflow.js';
import { chooseConfinement, type Confinement } from '../mission/sandbox.js';
import { ensureNotInMission } from '../governance/human-only.js';
import {
  controlAgain,
  differences,
  flipOne,
  freePerturbations,
  perturbationNames,
  placeOf,
  runConfigs,
  type PerturbationName,
  type RunConfig,
} from './configs.js';
import { executeRun, type RunResult, type StepResult } from './execute.js';
import { explainTrees, type PathDifference } from './explain.js';
import { isolation } from '../mission/isolation.js';

// `coo determinism FILE`: the mission run N times from the same baseline in fresh roots, run 1 as
// `coo run` would, the others varying what the mission leaves undeclared; every step's tree
// compared. When runs differ: the first divergent step, the control run again (differs too: flaky
// at fixed inputs; else sensitive), each perturbation alone on top of the control (the ones that
// reproduce the difference are the cause), and what differs, file by file. The report's stable part
// is canonical JSON that is the same for the same mission and baseline; timings and host details
// live in its `volatile` block.

export type Verdict = 'reproducible' | 'unreproducible' | 'inconclusive' | 'error';
export const verdictExitCodes: Readonly<Record<Verdict, number>> = {
  reproducible: exitCodes.ok,
  unreproducible: exitCodes.checkFailed,
  inconclusive: exitCodes.inconclusive,
  error: exitCodes.determinismError,
};

export interface Cause {
  readonly kind: 'perturbation' | 'flaky';
  readonly perturbation: PerturbationName | null;
  readonly why: string;
}

export interface DeterminismReport {
  readonly version: 1;
  readonly mission: string;
  readonly verdict: Verdict;
  readonly summary: string;
  readonly declared: {
    readonly baseline: { readonly rev: string; readonly commit: string; readonly tree: string };
    readonly sourceDateEpoch: number;
    readonly seed: number;
    readonly env: Readonly<Record<string, string>>;
    readonly git: Readonly<Record<string, string>>;
  };
  readonly isolation: { readonly node: string; readonly otherPrograms: string };
  readonly perturbations: readonly { readonly name: PerturbationName; readonly applied: string }[];
  readonly runs: readonly {
    readonly label: string;
    readonly perturbed: readonly PerturbationName[];
    readonly environment: {
      readonly root: string;
      readonly home: string;
      readonly user: string;
      readonly tz: string;
      readonly locale: string;
      readonly umask: string;
      readonly readdir: string;
    };
    readonly steps: readonly {
      readonly step: number;
      readonly kind: string;
      readonly tree: string;
      readonly exit: number | null;
    }[];
  }[];
  readonly sources: readonly {
    readonly step: number;
    readonly clock: number;
    readonly random: number;
    readonly crypto: number;
  }[];
  readonly firstDivergentStep: number | null;
  readonly causes: readonly Cause[];
  readonly divergences: readonly {
    readonly step: number;
    readonly runs: readonly [string, string];
    readonly paths: readonly PathDifference[];
  }[];
  readonly failure: {
    readonly step: number;
    readonly exit: number | null;
    readonly timedOut: boolean;
    readonly output: string;
  } | null;
}

export interface DeterminismResult {
  readonly report: DeterminismReport;
  readonly volatile: {
    readonly startedAt: string;
    readonly ms: number;
    readonly runMs: Readonly<Record<string, number>>;
    readonly host: string;
    readonly platform: string;
    readonly node: string;
    /** How the steps were confined (a property of this machine, so not of the report). */
    readonly confinement: Confinement;
  };
  readonly commit: string;
  readonly exitCode: number;
}

export interface CheckOptions extends RepoOptions {
  readonly file: string;
  readonly runs?: number;
  readonly from?: string;
  /** Where no sandbox can be made, run the steps unconfined instead of refusing. */
  readonly unconfined?: boolean;
}

const applies: Readonly<Record<PerturbationName, string>> = {
  'root-path': 'applied: another depth, and a non-ASCII segment',
  home: 'applied: HOME, TMPDIR, USER',
  tz: 'applied: TZ',
  locale: 'applied: LC_ALL and LANG (ICU follows them; glibc only where the locale is installed)',
  umask: 'applied: umask',
  'readdir-order':
    'applied to node steps (the preload reverses or shuffles readdir); not applied to other programs (no FUSE here to reorder a real directory)',
};

function treeAt(run: RunResult, step: number): StepResult | undefined {
  return run.steps.find((s) => s.index === step);
}

function sameUpTo(a: RunResult, b: RunResult, step: number): boolean {
  for (let i = 0; i <= step; i++) {
    const [sa, sb] = [treeAt(a, i), treeAt(b, i)];
    if (sa?.tree !== sb?.tree || sa?.exit !== sb?.exit) return false;
  }
  return true;
}

function firstDivergence(control: RunResult, others: readonly RunResult[], steps: number): number | null {
  for (let i = 0; i < steps; i++) {
    if (
      others.some(
        (r) => treeAt(r, i)?.tree !== treeAt(control, i)?.tree || treeAt(r, i)?.exit !== treeAt(control, i)?.exit,
      )
    )
      return i;
  }
  return null;
}

async function resolveBaseline(
  repo: Repo,
  rev: string,
): Promise<{ rev: string; commit: string; tree: string; time: number }> {
  const { commit } = await resolveState(repo, rev);
  return { rev, commit: commit.oid, tree: commit.tree, time: commit.committer.timestamp };
}

function storeTree(repo: Repo, entries: readonly TreeEntry[]): string {
  return writeObject(repo.layout.gitdir, 'tree', formatTree(entries));
}

/** The check kept in the state repository: report.json, volatile.json and every run's step trees. */
function storeCheck(
  repo: Repo,
  mission: string,
  report: DeterminismReport,
  volatile: DeterminismResult['volatile'],
  runs: readonly RunResult[],
): string {
  const { gitdir } = repo.layout;
  const runEntries = runs.map((run) => ({
    name: run.config.label,
    mode: '40000' as const,
    oid: storeTree(
      repo,
      run.steps.map((s) => ({ name: `step-${s.index + 1}`, mode: '40000' as const, oid: s.tree })),
    ),
  }));
  const tree = storeTree(repo, [
    {
      name: 'report.json',
      mode: '100644',
      oid: writeObject(gitdir, 'blob', Buffer.from(`${canonicalJson(report)}\n`)),
    },
    {
      name: 'volatile.json',
      mode: '100644',
      oid: writeObject(gitdir, 'blob', Buffer.from(`${canonicalJson(volatile)}\n`)),
    },
    { name: 'runs', mode: '40000', oid: storeTree(repo, runEntries) },
  ]);
  const ref = `refs/heads/determinism/${mission}`;
  const tip = readRef(gitdir, ref);
  const commit = writeStateCommit(repo, {
    tree,
    parents: tip ? [tip] : [],
    subject: `determinism ${mission}: ${report.verdict}`,
    body: report.summary,
    manifest: manifestCid([]),
    trailers: [
      ['Coo-Op', 'determinism'],
      ['Coo-Mission', mission],
      ['Coo-Verdict', report.verdict],
    ],
  });
  updateRef(gitdir, ref, commit, tip);
  return commit;
}

interface Investigation {
  readonly verdict: Verdict;
  readonly causes: Cause[];
  readonly divergences: DeterminismReport['divergences'][number][];
  /** The runs made to find the cause. */
  readonly extra: RunResult[];
}

interface Investigator {
  readonly repo: Repo;
  readonly workDir: string;
  readonly baselineTree: string;
  readonly execute: (config: RunConfig, lastStep?: number) => Promise<RunResult>;
}

/**
 * Runs differ at step `divergent`: the control is run again (differs too: flaky at fixed inputs),
 * else each perturbation of a differing run alone on top of the control (the ones that reproduce
 * the difference are the cause); every differing pair is explained path by path.
 */
async function investigate(
  ctx: Investigator,
  control: RunResult,
  perturbed: readonly RunResult[],
  divergent: number,
): Promise<Investigation> {
  const { repo, workDir, execute } = ctx;
  const causes: Cause[] = [];
  const divergences: DeterminismReport['divergences'][number][] = [];
  const tree = (run: RunResult): string => treeAt(run, divergent)?.tree ?? ctx.baselineTree;
  const explain = async (run: RunResult, label: string): Promise<void> => {
    divergences.push({
      step: divergent,
      runs: ['control', label],
      paths: await explainTrees(repo.layout.gitdir, tree(control), tree(run), absolutes(workDir, [control, run])),
    });
  };
  const again = await execute(controlAgain(), divergent);
  const extra = [again];
  let verdict: Verdict;
  if (!sameUpTo(control, again, divergent)) {
    verdict = 'unreproducible';
    causes.push({
      kind: 'flaky',
      perturbation: null,
      why: `the control, run again with the same inputs, differs at step ${divergent + 1}: nondeterministic at fixed inputs (a race, an unseeded source, a monotonic clock)`,
    });
    await explain(again, 'control-again');
  } else {
    const against = perturbed.find((r) => !sameUpTo(control, r, divergent)) as RunResult;
    for (const name of differences(against.config)) {
      const flip = await execute(flipOne(against.config, name), divergent);
      extra.push(flip);
      if (!sameUpTo(control, flip, divergent))
        causes.push({
          kind: 'perturbation',
          perturbation: name,
          why: `${name} alone, on top of the control, reproduces the difference at step ${divergent + 1}`,
        });
    }
    verdict = causes.length > 0 ? 'unreproducible' : 'inconclusive';
  }
  for (const run of perturbed.filter((r) => !sameUpTo(control, r, divergent))) await explain(run, run.config.label);
  return { verdict, causes, divergences, extra };
}

export async function checkDeterminismLocked(
  repo: Repo,
  mission: Mission,
  options: { runs?: number; from?: string; unconfined?: boolean },
): Promise<DeterminismResult> {
  const started = Date.now();
  const confinement = chooseConfinement(mission.sandbox ?? {}, repo.env, { byPerson: options.unconfined === true });
  const runs = options.runs ?? 3;
  if (!Number.isInteger(runs) || runs < 3)
    throw new CooError(
      'E_USAGE',
      `--runs must be 3 or more (it was ${runs}): running the same thing twice catches almost nothing`,
      { runs },
    );
  const workflow = validateWorkflow(mission);
  if (!workflow.valid)
    throw new CooError(
      'E_MISSION_REJECTED',
      `mission ${mission.id} breaks ${workflow.violations.length} workflow rule(s)`,
      { report: { workflow } },
    );
  const baseline = await resolveBaseline(repo, options.from ?? mission.baseline ?? 'amu0');
  const workDir = join(repo.layout.workDir, `determinism-${mission.id}`);
  rmSync(workDir, { recursive: true, force: true });
  const runName = `determinism/${mission.id}`;
  const execute = (config: RunConfig, lastStep?: number): Promise<RunResult> =>
    executeRun(repo, {
      mission,
      baselineTree: baseline.tree,
      baselineTime: baseline.time,
      workDir,
      config,
      runName,
      confinement,
      ...(lastStep === undefined ? {} : { lastStep }),
    });

  const configs = runConfigs(mission, runs);
  const results: RunResult[] = [];
  for (const config of configs) results.push(await execute(config));
  const [control, ...perturbed] = results as [RunResult, ...RunResult[]];
  const steps = mission.steps.length;
  const divergent = firstDivergence(control, perturbed, steps);

  const controlFailure = control.steps.find((s) => s.exit !== 0);
  const found: Investigation =
    divergent === null
      ? { verdict: controlFailure ? 'error' : 'reproducible', causes: [], divergences: [], extra: [] }
      : await investigate({ repo, workDir, baselineTree: baseline.tree, execute }, control, perturbed, divergent);
  const { verdict, causes, divergences, extra } = found;

  const free = new Set(freePerturbations(mission));
  const isolated = control.isolation ?? isolation({ epoch: 0, seed: 0, env: repo.env }).applied;
  const sources = control.steps
    .filter((s) => s.isolated.clock + s.isolated.random + s.isolated.crypto > 0)
    .map((s) => ({ step: s.index, ...s.isolated }));
  const report: DeterminismReport = {
    version: 1,
    mission: mission.id,
    verdict,
    summary: summarise(verdict, runs, divergent, causes, sources, controlFailure),
    declared: {
      baseline: { rev: baseline.rev, commit: baseline.commit, tree: baseline.tree },
      sourceDateEpoch: mission.sourceDateEpoch ?? baseline.time,
      seed: mission.seed ?? 0,
      env: mission.env ?? {},
      git: { 'core.autocrlf': 'false' },
    },
    isolation: isolated,
    perturbations: perturbationNames.map((name) => ({
      name,
      applied: free.has(name) ? applies[name] : 'not applied: the mission declares it',
    })),
    runs: results.map((r) => ({
      label: r.config.label,
      perturbed: differences(r.config),
      environment: {
        root: relative(repo.layout.root, placeOf(workDir, r.config).tree),
        home: relative(repo.layout.root, placeOf(workDir, r.config).home),
        user: r.config.user,
        tz: r.config.tz,
        locale: r.config.locale,
        umask: r.config.umask,
        readdir: r.config.readdir,
      },
      steps: r.steps.map((s) => ({ step: s.index, kind: s.kind, tree: s.tree, exit: s.exit })),
    })),
    sources,
    firstDivergentStep: divergent,
    causes,
    divergences: divergences.map((d) => ({ ...d, paths: d.paths.map((p) => sanitise(p, repo.layout.root)) })),
    failure: controlFailure
      ? {
          step: controlFailure.index,
          exit: controlFailure.exit,
          timedOut: controlFailure.timedOut,
          output: controlFailure.output.split(repo.layout.root).join('<root>'),
        }
      : null,
  };
  const volatile = {
    startedAt: new Date(started).toISOString(),
    ms: Date.now() - started,
    runMs: Object.fromEntries([...results, ...extra].map((r) => [r.config.label, r.ms])),
    host: hostname(),
    platform: `${platform()}-${arch()}`,
    node: process.version,
    confinement,
  };
  const commit = storeCheck(repo, mission.id, report, volatile, [...results, ...extra]);
  rmSync(workDir, { recursive: true, force: true });
  return { report, volatile, commit, exitCode: verdictExitCodes[verdict] };
}

function absolutes(workDir: string, runs: readonly RunResult[]): string[] {
  return runs.flatMap((r) => Object.values(placeOf(workDir, r.config)));
}

/** The report names places relative to the repository, so it reads the same wherever the repository is. */
function sanitise(p: PathDifference, root: string): PathDifference {
  const clean = (s: string | null): string | null => (s === null ? null : s.split(root).join('<root>'));
  return { ...p, diff: clean(p.diff), hex: p.hex };
}

function summarise(
  verdict: Verdict,
  runs: number,
  divergent: number | null,
  causes: readonly Cause[],
  sources: DeterminismReport['sources'],
  failure: StepResult | undefined,
): string {
  const isolated = [
    ...new Set(
      sources
        .flatMap((s) => [s.clock ? 'the clock' : '', s.random ? 'Math.random' : '', s.crypto ? 'crypto random' : ''])
        .filter(Boolean),
    ),
  ];
  const note =
    isolated.length > 0
      ? ` It reads ${isolated.join(', ')}, which coo's isolation pins (clock at SOURCE_DATE_EPOCH, random from the seed): it is reproducible under coo, not outside it.`
      : '';
  if (verdict === 'reproducible') return `reproducible: ${runs} runs, every step's tree identical.${note}`;
  if (verdict === 'error')
    return `error: step ${(failure?.index ?? 0) + 1} fails in every run (exit ${failure?.exit ?? 'none'}), so there is nothing to compare after it.`;
  const where = `step ${(divergent ?? 0) + 1}`;
  if (verdict === 'inconclusive')
    return `inconclusive: runs differ from ${where}, but neither the control again nor any single perturbation reproduces it (perturbations that matter only together?).${note}`;
  const named = causes
    .map((c) => (c.kind === 'flaky' ? 'flaky at fixed inputs' : `sensitive to ${c.perturbation}`))
    .join(', ');
  return `unreproducible: runs differ from ${where}: ${named}.${note}`;
}

/** `coo determinism FILE`. */
export async function checkDeterminism(options: CheckOptions): Promise<DeterminismResult> {
  const repo = await openRepo(options);
  ensureNotInMission(repo.env, 'a determinism check');
  const mission = await loadMission(options.file);
  return withLock(repo, 'determinism', () =>
    checkDeterminismLocked(repo, mission, {
      ...(options.runs === undefined ? {} : { runs: options.runs }),
      ...(options.from ? { from: options.from } : {}),
      ...(options.unconfined ? { unconfined: true } : {}),
    }),
  );
}
