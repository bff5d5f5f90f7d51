import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { createAmu0Baseline } from '../../lib/baseline/baseline.js';
import { checkDeterminism, type DeterminismResult } from '../../lib/determinism/check.js';
import { schemaProblems } from '../../lib/core/schemas.js';
import { findFaketime } from '../../lib/mission/isolation.js';
import { cooProcess } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// Missions with planted nondeterminism, each caught with the right cause named; clean missions
// never flagged.

const test = suite('determinism suite: planted nondeterminism [C-DETERMINISM]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
test.before(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  for (const name of ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'])
    box.write(`items/${name}.txt`, `${name}\n`);
  await createAmu0Baseline({ ...o, name: 'BASE' });
});
test.after(() => box.cleanup());

const node = (code: string): string =>
  `node -e ${JSON.stringify(`require('fs').writeFileSync('out.txt', String(${code}))`)}`;

async function check(id: string, steps: string[], extra: Record<string, unknown> = {}): Promise<DeterminismResult> {
  const file = join(box.dir, `${id}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      id,
      scope: { rules: [{ rule: 'allow', pattern: '**' }] },
      steps: steps.map((run) => ({ kind: 'command', run })),
      ...extra,
    }),
  );
  const result = await checkDeterminism({ ...o, file });
  assert.equal(await schemaProblems('determinism-report', result.report), [], id);
  return result;
}

function causes(result: DeterminismResult): string[] {
  return result.report.causes.map((c) => (c.kind === 'flaky' ? 'flaky' : (c.perturbation as string)));
}

test('clean missions are never flagged', async () => {
  for (const [id, steps] of [
    ['pure', [node("[3, 1, 2].sort().join(',') + (6 * 7)")]],
    ['sorted-listing', [node("require('fs').readdirSync('items').sort().join(',')")]],
    ['declared-inputs', [node("process.env.SOURCE_DATE_EPOCH + ' ' + process.env.COO_SEED")]],
    ['shell', ['ls items | sort > listing.txt && wc -l < listing.txt > count.txt']],
  ] as const) {
    const result = await check(id, [...steps]);
    assert.is(result.report.verdict, 'reproducible', id);
    assert.equal([result.report.causes, result.report.sources, result.exitCode], [[], [], 0], id);
  }
});

test('timezone: sensitive to tz, and only tz', async () => {
  const result = await check('tz', [node('new Date(0).getHours()')]);
  assert.equal([result.report.verdict, causes(result), result.exitCode], ['unreproducible', ['tz'], 1]);
  assert.is(result.report.firstDivergentStep, 0);
});

test('locale: sensitive to locale, and only locale', async () => {
  const result = await check('locale', [node('(1234567.891).toLocaleString()')]);
  assert.equal(causes(result), ['locale']);
});

test('absolute paths: sensitive to where the tree is', async () => {
  const result = await check('cwd', [node('process.cwd()')]);
  assert.equal(causes(result), ['root-path']);
  assert.ok(result.report.divergences[0]?.paths[0]?.hints.includes('an absolute path'));
  assert.not.ok(JSON.stringify(result.report).includes(box.repo), 'the report names places relative to the repository');
});

test('HOME: sensitive to home', async () => {
  const result = await check('home', [node("require('os').homedir()")]);
  assert.equal(causes(result), ['home']);
});

test('directory order: sensitive to readdir order', async () => {
  const result = await check('readdir', [node("require('fs').readdirSync('items').join(',')")]);
  assert.equal(causes(result), ['readdir-order']);
  assert.ok(result.report.divergences[0]?.paths[0]?.diff?.includes('alpha'));
});

test('umask: sensitive to umask', async () => {
  const result = await check('umask', [node('process.umask().toString(8)')]);
  assert.equal(causes(result), ['umask']);
});

test('time and randomness: isolated (reproducible under coo) and named as the sources the mission reads', async () => {
  const time = await check('time', [node('Date.now()')]);
  assert.is(time.report.verdict, 'reproducible');
  assert.ok((time.report.sources[0]?.clock ?? 0) > 0);
  assert.ok(time.report.summary.includes('the clock'));
  const random = await check('random', [node('Math.random()'), node("require('crypto').randomUUID()")]);
  assert.is(random.report.verdict, 'reproducible');
  assert.equal(
    random.report.sources.map((s) => [s.step, s.random > 0, s.crypto > 0]),
    [
      [0, true, false],
      [1, false, true],
    ],
  );
  assert.ok(random.report.summary.includes('Math.random') && random.report.summary.includes('crypto random'));
});

test('other programs: libfaketime freezes their clock when installed; without it the report says "not applied"', async () => {
  const installed = findFaketime(box.env) !== null;
  // (`date +%s`: under libfaketime, `date -u` renders local time, so it really is TZ-sensitive there.)
  const result = await check('shell-date', ['date +%s > stamp.txt']);
  if (installed) {
    assert.is(result.report.verdict, 'reproducible');
    assert.ok(result.report.isolation.otherPrograms.startsWith('applied: libfaketime'));
  } else {
    assert.ok(result.report.isolation.otherPrograms.startsWith('not applied'));
  }
  const without = await checkDeterminism({
    ...o,
    env: { ...box.env, COO_FAKETIME_LIB: '' },
    file: join(box.dir, 'pure.json'),
  });
  assert.is(
    without.report.isolation.otherPrograms,
    'not applied: libfaketime is not installed (Debian package faketime)',
  );
});

test('a race: flaky at fixed inputs (the control itself does not repeat)', async () => {
  const race = `for i in 01 02 03 04 05 06 07 08 09 10 11 12; do (d=$(od -An -N1 -tu1 /dev/urandom | tr -d ' '); sleep 0.$(printf %03d $d); echo $i >> order.txt) & done; wait`;
  const result = await check('race', [race]);
  assert.is(result.report.verdict, 'unreproducible');
  assert.equal(causes(result), ['flaky']);
  assert.ok(
    result.report.divergences.some((d) => d.runs[1] === 'control-again' && d.paths[0]?.hints.includes('ordering only')),
  );
});

test('a declared TZ is an input: held fixed, and said so', async () => {
  const result = await check('tz-declared', [node('new Date(0).getHours()')], { env: { TZ: 'Asia/Kolkata' } });
  assert.is(result.report.verdict, 'reproducible');
  assert.is(result.report.perturbations.find((p) => p.name === 'tz')?.applied, 'not applied: the mission declares it');
});

test('a step that fails in every run is an error (exit 9); fewer than 3 runs is refused', async () => {
  const result = await check('broken', ['echo nope; exit 3']);
  assert.equal([result.report.verdict, result.exitCode, result.report.failure?.exit], ['error', 9, 3]);
  await expectCode(checkDeterminism({ ...o, file: join(box.dir, 'broken.json'), runs: 2 }), 'E_USAGE');
});

test('the same mission gives the same report (its stable part) every time; the CLI exits with the verdict', async () => {
  const a = await check('again', [node("'x'")]);
  const b = await check('again', [node("'x'")]);
  assert.is(JSON.stringify(b.report), JSON.stringify(a.report));
  assert.is.not(JSON.stringify(b.volatile), '');
  const cli = cooProcess(['determinism', join(box.dir, 'tz.json'), '--json'], o);
  assert.is(cli.code, 1);
  assert.is(cli.json<{ report: { verdict: string } }>().report.verdict, 'unreproducible');
  assert.is(
    box.git(['--git-dir', '.coo/state.git', 'cat-file', '-t', 'determinism/tz:runs/control/step-1']).stdout.trim(),
    'tree',
  );
});

test.run();
