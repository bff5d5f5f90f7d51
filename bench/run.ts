import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTree, content, relPath, rng } from './tree.js';

// `npm run bench`: coo against native git in the same run, on the same deterministic trees,
// whole process against whole process. Prints times, ratios (coo / git) and peak memory, and
// checks that every rollback is byte-identical. Targets are ratios, never absolute times.

// coo is run as people run it: the executable, whose first line starts node (with its V8 option).
const cooBin = fileURLToPath(new URL('../../bin/coo', import.meta.url));
const hasTime = existsSync('/usr/bin/time');
const reps = Number(process.env['BENCH_REPS'] ?? 3);

interface Measured {
  readonly ms: number;
  readonly rssMb: number | null;
}

function measure(command: string[], cwd: string, env: NodeJS.ProcessEnv): Measured {
  const argv = hasTime ? ['/usr/bin/time', '-f', 'BENCH_RSS_KB %M', ...command] : command;
  const started = process.hrtime.bigint();
  const run = spawnSync(argv[0] as string, argv.slice(1), { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${command.join(' ')} failed (${run.status}): ${run.stderr}`);
  const kb = /BENCH_RSS_KB (\d+)/u.exec(run.stderr)?.[1];
  return { ms, rssMb: kb ? Number(kb) / 1024 : null };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** The median time and the highest peak memory of repeated measurements. */
function pick(runs: Measured[]): Measured {
  return { ms: median(runs.map((m) => m.ms)), rssMb: Math.max(...runs.map((m) => m.rssMb ?? 0)) || null };
}

function git(args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const run = spawnSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

interface Row {
  readonly name: string;
  readonly coo: Measured;
  readonly git: Measured;
  readonly target: number | null;
}

const rows: Row[] = [];

function report(row: Row): void {
  rows.push(row);
  const ratio = row.coo.ms / row.git.ms;
  const verdict =
    row.target === null
      ? ''
      : ratio <= row.target
        ? `  (target <= ${row.target}x: met)`
        : `  (target <= ${row.target}x: MISSED)`;
  const mem =
    row.coo.rssMb === null ? '' : `  peak coo ${row.coo.rssMb.toFixed(0)} MB, git ${row.git.rssMb?.toFixed(0)} MB`;
  process.stdout.write(
    `${row.name.padEnd(34)} coo ${row.coo.ms.toFixed(0).padStart(6)} ms   git ${row.git.ms.toFixed(0).padStart(6)} ms   ratio ${ratio.toFixed(2)}x${verdict}${mem}\n`,
  );
}

function mutate(tree: string, seed: number, counts: { change: number; add: number; remove: number }): void {
  const random = rng(seed);
  const past = Date.now() / 1000 - 1800;
  for (let i = 0; i < counts.change; i++) {
    const path = join(tree, relPath(i * 37 + 1));
    // A size of its own per round: a same-size rewrite within the same second is invisible to
    // git's stat check (it compares whole seconds here) and native git would commit less.
    writeFileSync(path, content(random, 3000 + i + seed, false));
    utimesSync(path, past, past);
  }
  for (let i = 0; i < counts.add; i++) {
    const path = join(tree, `added-${seed}`, `n${i}.txt`);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content(random, 2000 + i, false));
    utimesSync(path, past, past);
  }
  for (let i = 0; i < counts.remove; i++) rmSync(join(tree, relPath(i * 53 + 2)), { force: true });
}

function suite(label: string, files: number, meanBytes: number): void {
  const base = mkdtempSync(join(tmpdir(), 'coo-bench-'));
  try {
    const tree = join(base, 'tree');
    mkdirSync(tree);
    const total = buildTree(tree, { files, meanBytes, seed: 42 });
    process.stdout.write(`\n## ${label}: ${files} files, ${(total / 1e6).toFixed(1)} MB\n`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: join(base, 'home'),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@b',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@b',
    };
    mkdirSync(env['HOME'] as string);
    const gitEnv = { ...env, GIT_DIR: join(base, 'native.git'), GIT_WORK_TREE: tree };
    const gitCommit = ['sh', '-c', 'git add -A && git commit -q -m snapshot'];
    const resetGit = (): void => {
      rmSync(join(base, 'native.git'), { recursive: true, force: true });
      git(['init', '-q', '--bare', join(base, 'native.git')], tree, env);
      git(['--git-dir', join(base, 'native.git'), 'config', 'gc.auto', '0'], tree, env);
      git(['--git-dir', join(base, 'native.git'), 'config', 'core.bare', 'false'], tree, env);
    };
    const resetCoo = (): void => {
      rmSync(join(tree, '.coo'), { recursive: true, force: true });
      measure([cooBin, 'init'], tree, env);
      // The bench tree is made of files an hour old; so are coo's own.
      const past = Date.now() / 1000 - 3600;
      for (const f of ['config.json', 'allowed_signers', '.gitignore']) utimesSync(join(tree, '.coo', f), past, past);
    };

    const full: Measured[][] = [[], []];
    for (let r = 0; r < reps; r++) {
      resetCoo();
      full[0]?.push(measure([cooBin, 'snapshot', '-m', 'full'], tree, env));
      resetGit();
      full[1]?.push(measure(gitCommit, tree, gitEnv));
    }
    report({ name: 'full snapshot', coo: pick(full[0] ?? []), git: pick(full[1] ?? []), target: 0.85 });

    const incremental: Measured[][] = [[], []];
    for (let r = 0; r < reps; r++) {
      mutate(tree, 100 + r, { change: 10, add: 5, remove: 0 });
      incremental[0]?.push(measure([cooBin, 'snapshot', '-m', `inc ${r}`], tree, env));
      incremental[1]?.push(measure(gitCommit, tree, gitEnv));
    }
    report({
      name: 'incremental (10 changed + 5 added)',
      coo: pick(incremental[0] ?? []),
      git: pick(incremental[1] ?? []),
      target: 2.5,
    });

    const rollback: Measured[][] = [[], []];
    let identical = true;
    const stateEnv = { ...env, GIT_DIR: join(tree, '.coo', 'state.git') };
    for (let r = 0; r < reps; r++) {
      const snapshotTree = git(['rev-parse', 'snapshots^{tree}'], tree, stateEnv).trim();
      identical &&= snapshotTree === git(['rev-parse', 'HEAD^{tree}'], tree, gitEnv).trim(); // both tools recorded the same tree
      mutate(tree, 200 + r, { change: 10, add: 5, remove: 3 });
      rollback[0]?.push(measure([cooBin, 'rollback', 'snapshots'], tree, env));
      // Byte-identical: native git's own view of the working tree must be the snapshot's tree.
      git(['add', '-A'], tree, gitEnv);
      identical &&= git(['write-tree'], tree, gitEnv).trim() === snapshotTree;
      mutate(tree, 200 + r, { change: 10, add: 5, remove: 3 });
      rollback[1]?.push(measure(['sh', '-c', 'git read-tree -u --reset HEAD && git clean -fdq'], tree, gitEnv));
    }
    report({
      name: 'rollback (10 changed, 5 added, 3 deleted)',
      coo: pick(rollback[0] ?? []),
      git: pick(rollback[1] ?? []),
      target: 3,
    });
    process.stdout.write(
      `rollback byte-identical (checked by git write-tree against the snapshot's tree): ${identical ? 'yes' : 'NO'}\n`,
    );
    const peak = Math.max(
      ...[...(full[0] ?? []), ...(incremental[0] ?? []), ...(rollback[0] ?? [])].map((m) => m.rssMb ?? 0),
    );
    process.stdout.write(
      `peak coo memory: ${peak ? `${peak.toFixed(0)} MB (target <= 150 MB: ${peak <= 150 ? 'met' : 'MISSED'})` : 'not measured (no /usr/bin/time)'}\n`,
    );
    if (!identical) process.exitCode = 1;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function largeFile(): void {
  const base = mkdtempSync(join(tmpdir(), 'coo-bench-big-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: base };
    const tree = join(base, 'tree');
    mkdirSync(tree);
    const size = 2 * 1024 * 1024 * 1024;
    const fd = openSync(join(tree, 'big.bin'), 'w');
    ftruncateSync(fd, size); // sparse: 2 GiB of zeros without using the disk
    closeSync(fd);
    measure([cooBin, 'init'], tree, env);
    writeFileSync(
      join(tree, '.coo', 'config.json'),
      JSON.stringify({ version: 1, capture: { maxNewFileBytes: 4 * size } }),
    );
    const m = measure([cooBin, 'snapshot', '-m', 'big'], tree, env);
    const stored = git(
      ['--git-dir', join(tree, '.coo', 'state.git'), 'cat-file', '-s', 'snapshots:big.bin'],
      tree,
      env,
    ).trim();
    process.stdout.write(
      `\n## a 2 GiB file\nsnapshot ${(m.ms / 1000).toFixed(1)} s, peak memory ${m.rssMb === null ? 'not measured' : `${m.rssMb.toFixed(0)} MB`} (target <= 150 MB: ${m.rssMb !== null && m.rssMb <= 150 ? 'met' : 'check'}), stored size ${stored} bytes\n`,
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function gateway(): void {
  const base = mkdtempSync(join(tmpdir(), 'coo-bench-gw-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: base };
    const random = rng(7);
    const files = Array.from({ length: 1000 }, (_, i) => ({
      path: `gw/d${i % 20}/f${i}.txt`,
      content: content(random, 2000 + (i % 500), false).toString('utf8'),
    }));
    process.stdout.write(
      `\n## the write gateway: a write set of ${files.length} files vs a snapshot of the same files\n`,
    );
    const viaGateway: Measured[] = [];
    const viaSnapshot: Measured[] = [];
    const byHand: number[] = [];
    for (let r = 0; r < reps; r++) {
      const g = join(base, `g${r}`);
      mkdirSync(g);
      measure([cooBin, 'init'], g, env);
      writeFileSync(join(base, `set${r}.json`), JSON.stringify(files));
      viaGateway.push(measure([cooBin, 'write', '--set', join(base, `set${r}.json`)], g, env));
      const t = join(base, `s${r}`);
      mkdirSync(t);
      measure([cooBin, 'init'], t, env);
      // The same files written by hand (what the gateway does besides recording), then a snapshot.
      const started = process.hrtime.bigint();
      for (const f of files) {
        mkdirSync(join(t, f.path, '..'), { recursive: true });
        writeFileSync(join(t, f.path), f.content);
      }
      const wroteMs = Number(process.hrtime.bigint() - started) / 1e6;
      const snap = measure([cooBin, 'snapshot'], t, env);
      viaSnapshot.push(snap);
      byHand.push(wroteMs + snap.ms);
    }
    const gw = pick(viaGateway);
    const sn = pick(viaSnapshot);
    const hand = median(byHand);
    // A snapshot of files already on disk creates no file (its objects go into one pack); the
    // gateway has to create the 1,000 files in the working tree as well, which is most of its time
    // here. The fair reference is therefore writing the same files by hand and then a snapshot.
    process.stdout.write(
      `gateway ${gw.ms.toFixed(0)} ms, snapshot alone ${sn.ms.toFixed(0)} ms (ratio ${(gw.ms / sn.ms).toFixed(2)}x), the files written by hand and then a snapshot ${hand.toFixed(0)} ms\n`,
    );
    const ratio = gw.ms / hand;
    process.stdout.write(
      `gateway vs writing by hand and snapshotting: ratio ${ratio.toFixed(2)}x (target <= 1.5x: ${ratio <= 1.5 ? 'met' : 'MISSED'})\n`,
    );
    const single: number[] = [];
    const g0 = join(base, 'g0');
    for (let i = 0; i < 9; i++)
      single.push(measure([cooBin, 'write', `single/${i}.txt`, '--from', join(base, 'set0.json')], g0, env).ms);
    process.stdout.write(
      `one single-file coo write in that 1,000-file repository, end to end: median ${median(single).toFixed(0)} ms over ${single.length}\n`,
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function determinism(): void {
  const base = mkdtempSync(join(tmpdir(), 'coo-bench-det-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: base };
    const tree = join(base, 'tree');
    mkdirSync(tree);
    buildTree(tree, { files: 500, meanBytes: 4000, seed: 11 });
    measure([cooBin, 'init'], tree, env);
    measure([cooBin, 'baseline', 'create', 'BENCH'], tree, env);
    // A mission with real work: hashing for about a second, then 200 files written.
    const work =
      "node -e \"const c=require('crypto');let h=Buffer.alloc(32);for(let i=0;i<1500000;i++)h=c.createHash('sha256').update(h).digest();const fs=require('fs');fs.mkdirSync('gen',{recursive:true});for(let i=0;i<200;i++)fs.writeFileSync('gen/f'+i+'.txt',h.toString('hex').repeat(20)+i)\"";
    const steps = [work, 'ls gen | sort > gen-index.txt'];
    writeFileSync(
      join(base, 'mission.json'),
      JSON.stringify({
        version: 1,
        id: 'bench',
        scope: { rules: [{ rule: 'allow', pattern: '**' }] },
        steps: steps.map((run) => ({ kind: 'command', run })),
      }),
    );
    const runs = 3;
    const byHand: number[] = [];
    const suite: number[] = [];
    for (let r = 0; r < reps; r++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < runs; i++) {
        const dir = join(base, `hand-${r}-${i}`);
        measure(
          [
            'sh',
            '-c',
            `mkdir -p ${dir} && cp -a ${tree}/. ${dir} && rm -rf ${dir}/.coo ${dir}/.git && cd ${dir} && ${steps.join(' && ')}`,
          ],
          base,
          env,
        );
      }
      byHand.push(Number(process.hrtime.bigint() - started) / 1e6);
      suite.push(measure([cooBin, 'determinism', join(base, 'mission.json'), '--runs', String(runs)], tree, env).ms);
    }
    const [hand, check] = [median(byHand), median(suite)];
    const overhead = check / hand - 1;
    process.stdout.write(
      `\n## the determinism suite: ${runs} runs of a mission, by hand (copy the tree, run the steps) vs coo determinism\n`,
    );
    process.stdout.write(
      `by hand ${hand.toFixed(0)} ms, coo determinism ${check.toFixed(0)} ms: overhead ${(100 * overhead).toFixed(1)}% (target <= 10%: ${overhead <= 0.1 ? 'met' : 'MISSED'})\n`,
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

// NODE_EXTRA_CA_CERTS makes Node read and parse a CA bundle at every start, before any of coo
// runs (~30 ms on the development machine, which sets it for its package registry). coo opens no
// TLS connection; the benchmark measures coo, so it runs without it, and says how much it costs.
function nodeStartMs(env: NodeJS.ProcessEnv): number {
  const runs = Array.from({ length: 5 }, () => measure(['node', '-e', '0'], tmpdir(), env).ms);
  return median(runs);
}
if (process.env['NODE_EXTRA_CA_CERTS']) {
  const withCerts = nodeStartMs(process.env);
  delete process.env['NODE_EXTRA_CA_CERTS'];
  process.stdout.write(
    `NODE_EXTRA_CA_CERTS is set here: Node starts in ${withCerts.toFixed(0)} ms with it, ${nodeStartMs(process.env).toFixed(0)} ms without; coo is measured without it\n`,
  );
}
process.stdout.write(`coo benchmark: ${reps} repetitions per measurement, median time, peak memory over all runs\n`);
const only = process.argv.slice(2);
if (only.length === 0 || only.includes('10k')) suite('10,000 files', 10_000, 10_000);
if (only.length === 0 || only.includes('50k')) suite('50,000 small files', 50_000, 300);
if (only.length === 0 || only.includes('big')) largeFile();
if (only.length === 0 || only.includes('gateway')) gateway();
if (only.length === 0 || only.includes('determinism')) determinism();
