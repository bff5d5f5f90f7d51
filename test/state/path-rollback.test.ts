import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rollback } from '../../lib/baseline/rollback.js';
import { initRepo } from '../../lib/state/init.js';
import { listOperations } from '../../lib/state/oplog.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { undo } from '../../lib/state/undo.js';
import { openRepo } from '../../lib/store/repo.js';
import { coo, cooProcess } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// `coo rollback REF -- PATH…` restores only what the pathspecs match. Native git is the judge:
// `git restore --source=REF --staged -- PATH…` over an index of the tree as it was gives the tree
// the working tree must have afterwards, byte for byte, everything outside the pathspecs included.

const test = suite('path rollback [C-ROLLBACK] [C-UNDO]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
let judge: string;
test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  judge = join(box.dir, 'judge.git');
  box.git(['init', '-q', '--bare', judge]);
  await initRepo(o);
});
test.after.each(() => box.cleanup());

/** Native git in the judge repository, on the sandbox's working tree, with an index of its own. */
function git(args: string[], index = 'index.judge'): string {
  const run = box.git(['--git-dir', judge, '--work-tree', box.repo, '-c', 'core.autocrlf=false', ...args], {
    env: { GIT_INDEX_FILE: join(box.dir, index) },
  });
  assert.is(run.status, 0, `git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout.trim();
}

/** The working tree's id as native git builds it (objects kept in the judge repository). */
function worktreeTree(): string {
  rmSync(join(box.dir, 'index.judge'), { force: true });
  git(['add', '-A']);
  return git(['write-tree']);
}

/** What git makes of `before` when it restores `specs` from `ref` (a state of coo's). */
function gitRestored(before: string, ref: string, specs: string[]): string {
  git(['fetch', '-q', join(box.repo, '.coo', 'state.git'), `+refs/heads/*:refs/coo/*`]);
  rmSync(join(box.dir, 'index.expected'), { force: true });
  git(['read-tree', before], 'index.expected');
  git(['restore', `--source=refs/coo/${ref}`, '--staged', '--', ...specs], 'index.expected');
  return git(['write-tree'], 'index.expected');
}

const stateRefs = (): string => box.git(['--git-dir', '.coo/state.git', 'for-each-ref']).stdout;

function populate(): void {
  box.write('index.js', 'root index\n');
  box.write('src/a.js', 'a\n');
  box.write('src/b.js', 'b\n');
  box.write('src/x/deep.js', 'deep\n');
  box.write('src/notes.txt', 'notes\n');
  box.write('lib/index.js', 'lib index\n');
  box.write('bin/run.sh', '#!/bin/sh\n', 0o755);
  box.write('README.md', 'readme\n');
}

/** Everything an agent could do since the snapshot, everywhere. */
function mutate(): void {
  box.write('index.js', 'root index, changed\n');
  box.write('src/a.js', 'a, changed\n');
  rmSync(join(box.repo, 'src/b.js'));
  rmSync(join(box.repo, 'src/x'), { recursive: true });
  box.write('src/new.js', 'new in src\n');
  box.write('src/notes.txt', 'notes, changed\n');
  box.write('lib/index.js', 'lib index, changed\n');
  box.write('lib/added.js', 'added to lib\n');
  chmodSync(join(box.repo, 'bin/run.sh'), 0o644);
  box.write('README.md', 'readme, changed\n');
  box.write('new.txt', 'not in the snapshot\n');
}

test('a file, a directory, a glob: only what they match is restored, the rest byte for byte as it was (judged by git restore); undo returns exactly', async () => {
  populate();
  await snapshot({ ...o, message: 'good' });
  mutate();
  const before = worktreeTree();
  for (const specs of [['src/a.js'], ['src'], ['src/'], ['*.js'], ['src/*.js', 'README.md'], ['bin', 'src/x']]) {
    const result = await rollback({ ...o, to: 'snapshots', paths: specs });
    assert.is(worktreeTree(), gitRestored(before, 'snapshots', specs), specs.join(' '));
    assert.equal(result.paths, specs);
    assert.ok(result.written + result.removed + result.chmod > 0, specs.join(' '));
    // The log records the tree the path rollback left, and the paths; undo puts back exactly the tree from before.
    const [last] = await listOperations(await openRepo(o), 1);
    assert.equal(last?.record['paths'], specs);
    assert.is(box.git(['--git-dir', '.coo/state.git', 'rev-parse', 'oplog^{tree}']).stdout.trim(), worktreeTree());
    await undo(o);
    assert.is(worktreeTree(), before, `undo after ${specs.join(' ')}`);
  }
  // A glob picks across directories: src/x/deep.js came back, the new src/new.js went, notes.txt kept its change.
  await rollback({ ...o, to: 'snapshots', paths: ['*.js'] });
  assert.is(box.read('src/x/deep.js'), 'deep\n');
  assert.not.ok(existsSync(join(box.repo, 'src/new.js')));
  assert.not.ok(existsSync(join(box.repo, 'lib/added.js')));
  assert.is(box.read('src/notes.txt'), 'notes, changed\n');
  assert.is(box.read('new.txt'), 'not in the snapshot\n');
  assert.is(box.read('README.md'), 'readme, changed\n');
});

test('undo of a path rollback touches only those paths: what changed elsewhere since stays', async () => {
  populate();
  await snapshot(o);
  mutate();
  await rollback({ ...o, to: 'snapshots', paths: ['src/a.js'] });
  assert.is(box.read('src/a.js'), 'a\n');
  box.write('README.md', 'edited after the rollback\n');
  const undone = await undo(o);
  assert.equal(undone.paths, ['src/a.js']);
  assert.is(box.read('src/a.js'), 'a, changed\n');
  assert.is(box.read('README.md'), 'edited after the rollback\n');
  // and the undo can be undone, with the same paths
  await undo(o);
  assert.is(box.read('src/a.js'), 'a\n');
  assert.is(box.read('README.md'), 'edited after the rollback\n');
});

test('refused with nothing changed: a pathspec that matches nothing, a file outside the pathspecs in the way', async () => {
  populate();
  box.write('d/x.js', 'x in d\n');
  await snapshot(o);
  mutate();
  rmSync(join(box.repo, 'd'), { recursive: true });
  box.write('d', 'a file where the snapshot has a directory\n');
  const tree = worktreeTree();
  const refs = stateRefs();
  const none = await expectCode(
    rollback({ ...o, to: 'snapshots', paths: ['src/a.js', 'nope', 'sr?/zz*'] }),
    'E_PATHSPEC_NO_MATCH',
  );
  assert.equal(none['pathspecs'], ['nope', 'sr?/zz*']);
  // Restoring d/x.js means removing the file d, which *.js does not match: refused, not removed.
  const conflict = await expectCode(rollback({ ...o, to: 'snapshots', paths: ['*.js'] }), 'E_WORKTREE_CONFLICT');
  assert.equal(conflict['paths'], ['d']);
  await expectCode(rollback({ ...o, to: 'snapshots', paths: [':!src'] }), 'E_USAGE');
  // An empty list is not "everything": a program whose list came out empty restores nothing.
  await expectCode(rollback({ ...o, to: 'snapshots', paths: [] }), 'E_USAGE');
  await expectCode(rollback({ ...o, to: 'snapshots', paths: ['../x'] }), 'E_PATH_OUTSIDE_ROOT');
  assert.is(worktreeTree(), tree);
  assert.is(stateRefs(), refs);
  // With d in the pathspecs too, it goes.
  await rollback({ ...o, to: 'snapshots', paths: ['*.js', 'd'] });
  assert.is(box.read('d/x.js'), 'x in d\n');
});

test('coo rollback REF -- PATH… counts from the current directory, and says what it did', async () => {
  populate();
  await snapshot(o);
  mutate();
  const src = { cwd: join(box.repo, 'src'), env: box.env };
  const run = await coo(['rollback', 'snapshots', '--json', '--', 'a.js', '../lib'], src);
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.json<{ paths: string[] }>().paths, ['src/a.js', 'lib']);
  assert.is(box.read('src/a.js'), 'a\n');
  assert.is(box.read('lib/index.js'), 'lib index\n');
  assert.not.ok(existsSync(join(box.repo, 'lib/added.js')));
  assert.is(box.read('index.js'), 'root index, changed\n');
  const text = await coo(['rollback', 'snapshots', '--', ':/index.js'], src);
  assert.ok(text.stdout.includes('(only index.js)'), text.stdout);
  assert.is(box.read('index.js'), 'root index\n');
  const missing = await coo(['rollback', 'snapshots', '--json', '--', 'index.js'], src);
  assert.is(missing.code, 2);
  assert.is(missing.json<{ code: string }>().code, 'E_PATHSPEC_NO_MATCH');
  const outside = await coo(['rollback', 'snapshots', '--json', '--', '../../x'], src);
  assert.is(outside.json<{ code: string }>().code, 'E_PATH_OUTSIDE_ROOT');
});

test('an interrupted path rollback says how to finish it with the same paths; undo returns exactly', () => {
  populate();
  for (let i = 0; i < 10; i++) box.write(`src/many/f${i}.js`, `f${i}\n`);
  assert.is(cooProcess(['snapshot'], o).code, 0);
  mutate();
  for (let i = 0; i < 10; i++) box.write(`src/many/f${i}.js`, `changed ${i}\n`);
  const before = worktreeTree();
  const crashed = cooProcess(['rollback', 'snapshots', '--', 'src/many'], {
    ...o,
    env: { ...box.env, COO_TEST_CRASH_AT: 'checkout-written:3' },
  });
  assert.is(crashed.code, -1, crashed.stderr);
  const next = cooProcess(['snapshot', '--json'], o);
  assert.is(next.code, 6);
  const todo = next.json<{ data: { todo: string[]; paths: string[] } }>().data;
  assert.equal(todo.paths, ['src/many']);
  assert.ok(todo.todo[0]?.includes(' -- :/src/many'), todo.todo[0]);
  assert.is(cooProcess(['undo'], o).code, 0);
  assert.is(worktreeTree(), before);
  // Finishing it as the message says restores those paths and nothing else.
  const crashedAgain = cooProcess(['rollback', 'snapshots', '--', 'src/many'], {
    ...o,
    env: { ...box.env, COO_TEST_CRASH_AT: 'checkout-written:3' },
  });
  assert.is(crashedAgain.code, -1, crashedAgain.stderr);
  const line = cooProcess(['snapshot', '--json'], o).json<{ data: { todo: string[] } }>().data.todo[0] ?? '';
  const finish = (line.split('#')[0] ?? '').trim().split(' ').slice(1);
  assert.equal([finish[0], finish[2], finish[3]], ['rollback', '--', ':/src/many']);
  const done = cooProcess(finish, o);
  assert.is(done.code, 0, done.stderr);
  assert.is(worktreeTree(), gitRestored(before, 'snapshots', ['src/many']));
  assert.is(readFileSync(join(box.repo, 'README.md'), 'utf8'), 'readme, changed\n');
});

test.run();
