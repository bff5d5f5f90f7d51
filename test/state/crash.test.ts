import { spawn } from 'node:child_process';
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cooBin, sandbox, type Sandbox } from '../helpers/sandbox.js';
import { cooProcess, type CliRun } from '../helpers/cli.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';

// kill -9 at every step that writes: the state repository must stay valid (git fsck --strict),
// and the next command must either recover by itself or say exactly what to do.

const test = suite('crash safety');
let box: Sandbox;
test.after.each(() => box?.cleanup());

function setup(): { run: (args: string[], crashAt?: string) => CliRun } {
  box = sandbox();
  const run = (args: string[], crashAt?: string): CliRun =>
    cooProcess(args, { cwd: box.repo, env: crashAt ? { ...box.env, COO_TEST_CRASH_AT: crashAt } : box.env });
  for (let i = 0; i < 12; i++) box.write(`f${i}.txt`, `file ${i}\n`);
  box.write('sub/deep.txt', 'deep\n');
  assert.is(run(['init']).code, 0);
  return { run };
}

function fsckClean(): void {
  const fsck = box.git(['--git-dir', '.coo/state.git', 'fsck', '--strict', '--no-dangling']);
  assert.is(fsck.status, 0, fsck.stdout + fsck.stderr);
  assert.not.ok(/error|missing|broken|corrupt/iu.test(fsck.stdout + fsck.stderr), fsck.stdout + fsck.stderr);
}

function killed(run: CliRun): void {
  assert.is(run.code, -1, `expected a SIGKILL, got exit ${run.code}: ${run.stderr}`);
}

for (const point of [
  'object-written:1',
  'object-written:4',
  'pack-written',
  'commit-written',
  'ref-locked',
  'ref-updated',
  'ref-updated:2',
]) {
  test(`snapshot killed at ${point}: fsck clean, the next snapshot recovers and is right`, () => {
    const { run } = setup();
    if (point.startsWith('object-written')) {
      // A few changed files are stored loose (many go into a pack): change three after a first
      // snapshot of files old enough that the stat cache vouches for them (not racy).
      const old = Date.now() / 1000 - 3600;
      for (const f of [
        ...Array.from({ length: 12 }, (_, i) => `f${i}.txt`),
        'sub/deep.txt',
        '.coo/config.json',
        '.coo/allowed_signers',
        '.coo/.gitignore',
      ])
        utimesSync(join(box.repo, f), old, old);
      assert.is(run(['snapshot']).code, 0);
      for (let i = 0; i < 3; i++) box.write(`f${i}.txt`, `changed ${i}\n`);
    }
    killed(run(['snapshot'], point));
    fsckClean();
    const next = run(['snapshot', '--json']);
    assert.is(next.code, 0, next.stderr);
    fsckClean();
    assert.is(next.json<{ tree: string }>().tree, gitTreeOfWorktree(box));
    assert.not.ok(existsSync(join(box.repo, '.coo', 'state.git', 'refs', 'heads', 'snapshots.lock')));
    assert.not.ok(existsSync(join(box.repo, '.coo', 'state.git', 'coo.lock')));
  });
}

for (const point of [
  'journal-written',
  'checkout-removed:1',
  'checkout-written:1',
  'checkout-written:2',
  'checkout-before-rename:2',
]) {
  test(`rollback killed at ${point}: fsck clean, E_INTERRUPTED says what to do, and both ways out work`, () => {
    const { run } = setup();
    assert.is(run(['snapshot', '-m', 'target']).code, 0);
    const target = box.git(['--git-dir', '.coo/state.git', 'rev-parse', 'snapshots^{tree}']).stdout.trim();
    for (let i = 0; i < 4; i++) box.write(`f${i}.txt`, `changed ${i}\n`);
    box.write('extra.txt', 'added\n');
    const before = gitTreeOfWorktree(box);
    killed(run(['rollback', 'snapshots'], point));
    fsckClean();
    const blocked = run(['snapshot', '--json']);
    assert.is(blocked.code, 6);
    const error = blocked.json<{ code: string; data: { todo: string[] } }>();
    assert.is(error.code, 'E_INTERRUPTED');
    assert.ok(
      error.data.todo.some((t) => t.startsWith('coo rollback ')) &&
        error.data.todo.some((t) => t.startsWith('coo undo')),
    );
    // Way out 1: back to how it was.
    assert.is(run(['undo']).code, 0);
    assert.is(gitTreeOfWorktree(box), before);
    // Way out 2 (after crashing again): finish the rollback.
    killed(run(['rollback', 'snapshots'], point));
    assert.is(run(['rollback', 'snapshots']).code, 0);
    assert.is(gitTreeOfWorktree(box), target);
    assert.is(run(['snapshot']).code, 0);
    fsckClean();
    assert.equal(readdirSync(join(box.repo, '.coo', 'tmp')), []);
  });
}

for (const point of ['commit-written', 'ref-updated:2', 'ref-updated:3']) {
  test(`baseline create killed at ${point}: the lineage stays valid and the next baseline follows it`, () => {
    const { run } = setup();
    assert.is(run(['baseline', 'create', 'FIRST']).code, 0);
    box.write('f0.txt', 'second\n');
    killed(run(['baseline', 'create', 'SECOND'], point));
    fsckClean();
    assert.is(run(['verify']).code, 0);
    box.write('f0.txt', 'third\n');
    const third = run(['baseline', 'create', 'THIRD', '--json']);
    assert.is(third.code, 0, third.stderr);
    assert.is(run(['verify']).code, 0);
    fsckClean();
  });
}

test('snapshot killed at random moments of a large capture: always recoverable', async () => {
  const { run } = setup();
  for (let i = 0; i < 1500; i++) box.write(`many/d${i % 30}/f${i}.txt`, `content ${i}\n`.repeat(20));
  for (const delay of [20, 60, 120, 200, 300, 450]) {
    const child = spawn(process.execPath, [cooBin, 'snapshot'], {
      cwd: box.repo,
      env: box.env as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    fsckClean();
  }
  const last = run(['snapshot', '--json']);
  assert.is(last.code, 0, last.stderr);
  assert.is(last.json<{ tree: string }>().tree, gitTreeOfWorktree(box));
  fsckClean();
});

test('a first snapshot of many files killed as its pack lands: fsck clean, the next one sweeps it and packs again', () => {
  const { run } = setup();
  for (let i = 0; i < 1100; i++) box.write(`many/${i % 10}/f${i}.txt`, `small file ${i}\n`);
  killed(run(['snapshot'], 'pack-written'));
  fsckClean();
  const packDir = join(box.repo, '.coo', 'state.git', 'objects', 'pack');
  assert.equal(
    readdirSync(packDir).filter((n) => n.endsWith('.idx')),
    [],
  ); // the index never landed
  const next = run(['snapshot', '--json']);
  assert.is(next.code, 0, next.stderr);
  fsckClean();
  assert.is(next.json<{ tree: string }>().tree, gitTreeOfWorktree(box));
  const left = readdirSync(packDir);
  assert.is(left.filter((n) => n.endsWith('.pack')).length, 1, left.join(' '));
  assert.is(left.length, 2, left.join(' ')); // one pack and its index: no litter
});

test.run();
