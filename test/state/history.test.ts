import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { rollback } from '../../lib/baseline/rollback.js';
import { createAmu0Baseline } from '../../lib/baseline/baseline.js';
import { log } from '../../lib/state/log.js';
import { show } from '../../lib/state/show.js';
import { diff } from '../../lib/state/diff.js';
import { runDemo } from '../../lib/cli/demo.js';
import { coo } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// Reading the state history (`coo log`, `coo show`, `coo diff`), judged against what plain git
// says about the same state repository; and `coo demo`, the main job narrated end to end.

const test = suite('history and demo [C-LOG] [C-SHOW] [C-DIFF] [C-DEMO]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const state = (...args: string[]): string => box.git(['--git-dir', '.coo/state.git', ...args]).stdout.trim();

test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('a.txt', 'one\n');
  box.write('b.txt', 'b\n');
});
test.after.each(() => box.cleanup());

test('log: the operation log by default, any ref by name; the same commits git log lists, newest first', async () => {
  await snapshot({ ...o, message: 'first' });
  box.write('a.txt', 'two\n');
  await snapshot({ ...o, message: 'second' });
  await createAmu0Baseline({ ...o, name: 'BASE' });
  await rollback({ ...o, to: 'snapshots~1' });
  const ops = await log(o);
  assert.equal(
    ops.map((e) => e.op),
    ['rollback', 'baseline-create', 'snapshot', 'snapshot'],
  );
  assert.equal(
    ops.map((e) => e.oid),
    state('log', '--format=%H', 'oplog').split('\n'),
  );
  const snaps = await log({ ...o, rev: 'snapshots' });
  assert.equal(
    snaps.map((e) => e.oid),
    state('log', '--first-parent', '--format=%H', 'snapshots').split('\n'),
  );
  const base = await log({ ...o, rev: 'amu0' });
  assert.equal(
    base.map((e) => [e.signed, e.sequence]),
    [[true, 1]],
  );
  assert.is((await log({ ...o, limit: 1 })).length, 1);
  const cli = await coo(['log', '--json'], o);
  assert.equal(
    cli.json<{ oid: string }[]>().map((e) => e.oid),
    ops.map((e) => e.oid),
  );
  await expectCode(log({ ...o, rev: 'no-such-ref' }), 'E_REF_NOT_FOUND');
});

test("show: a state's commit, parents, trailers and size, as git cat-file reads it", async () => {
  const s = await snapshot({ ...o, message: 'first' });
  const shown = await show({ ...o, rev: 'snapshots' });
  assert.is(shown.commit, s.commit);
  assert.is(shown.tree, state('rev-parse', 'snapshots^{tree}'));
  assert.is(shown.subject, 'first');
  assert.is(shown.trailers['Coo-Op'], 'snapshot');
  assert.is(shown.trailers['Coo-Manifest'], s.manifest);
  assert.is(shown.files, state('ls-tree', '-r', '--name-only', 'snapshots').split('\n').length);
  assert.is(shown.signed, false);
  const cli = await coo(['show', 'snapshots'], o);
  assert.is(cli.code, 0);
  assert.ok(cli.stdout.includes(s.commit.slice(0, 12)), cli.stdout);
});

test('diff: between two states and against the working tree, with the patches git diff would show', async () => {
  await snapshot(o);
  box.write('a.txt', 'two\n');
  box.write('c.txt', 'new\n');
  const againstTree = await diff(o);
  assert.equal(
    againstTree.changes.map((c) => [c.path, c.status]),
    [
      ['a.txt', 'modified'],
      ['c.txt', 'added'],
    ],
  );
  assert.match(againstTree.changes[0]?.patch ?? '', /-one\n\+two/);
  await snapshot(o);
  const between = await diff({ ...o, from: 'snapshots~1', to: 'snapshots' });
  assert.equal(
    between.changes.map((c) => [c.path, c.additions, c.deletions]),
    [
      ['a.txt', 1, 1],
      ['c.txt', 1, 0],
    ],
  );
  assert.equal(
    between.changes.map((c) => c.path),
    state('diff', '--name-only', 'snapshots~1', 'snapshots').split('\n'),
  );
});

test('diff -- PATH…: only the paths the pathspecs match, as git diff -- PATH… lists them; from a subdirectory too', async () => {
  box.write('src/a.js', 'a\n');
  box.write('src/x/deep.js', 'deep\n');
  box.write('lib/index.js', 'lib\n');
  await snapshot(o);
  box.write('a.txt', 'two\n');
  box.write('src/a.js', 'a2\n');
  box.write('src/x/deep.js', 'deep2\n');
  box.write('src/new.ts', 'new\n');
  box.write('lib/index.js', 'lib2\n');
  await snapshot(o);
  for (const specs of [['src'], ['src/a.js'], ['*.js'], ['src/*.ts', 'a.txt'], ['lib/', 'nope']]) {
    const between = await diff({ ...o, from: 'snapshots~1', to: 'snapshots', paths: specs });
    assert.equal(
      between.changes.map((c) => c.path),
      state('diff', '--name-only', 'snapshots~1', 'snapshots', '--', ...specs)
        .split('\n')
        .filter((p) => p !== ''),
      specs.join(' '),
    );
    assert.equal(between.paths, specs);
  }
  // Against the working tree, from the command line in a subdirectory: the pathspecs count from there.
  box.write('src/a.js', 'a3\n');
  box.write('a.txt', 'three\n');
  const sub = await coo(['diff', '--stat', '--json', '--', '*.js', ':/a.txt'], {
    cwd: join(box.repo, 'src'),
    env: box.env,
  });
  assert.is(sub.code, 0, sub.stderr);
  const result = sub.json<{ paths: string[]; changes: { path: string }[] }>();
  assert.equal(result.paths, ['src/*.js', 'a.txt']);
  assert.equal(
    result.changes.map((c) => c.path),
    ['a.txt', 'src/a.js'],
  );
  const none = await coo(['diff', 'snapshots~1', 'snapshots', '--', 'nope'], o);
  assert.is(none.stdout.trim(), '(no changes)');
  await expectCode(diff({ ...o, paths: [':(exclude)src'] }), 'E_USAGE');
});

test("demo: init, snapshot, an agent's change, rollback byte-identical, a signed baseline git verifies", async () => {
  const lines: string[] = [];
  const dir = join(box.dir, 'demo');
  const result = await runDemo({ dir, env: box.env, say: (line) => lines.push(line) });
  assert.is(result.dir, dir);
  assert.ok(result.byteIdentical);
  assert.is(result.gitVerified, true);
  assert.ok(existsSync(join(dir, '.coo', 'state.git', 'HEAD')));
  assert.ok(lines.length > 5 && lines.some((l) => /rollback/i.test(l)), lines.join('\n'));
  // A folder that is not empty is refused: the demo never works in someone's files.
  await expectCode(runDemo({ dir: box.repo, env: box.env, say: () => undefined }), 'E_USAGE');
  assert.ok(readdirSync(box.repo).includes('a.txt'));
});

test.run();
