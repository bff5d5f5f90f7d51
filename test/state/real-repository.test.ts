import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RollbackResult } from '../../lib/baseline/rollback.js';
import type { LogEntry } from '../../lib/state/log.js';
import { coo } from '../helpers/cli.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// A newcomer's first hour on a real repository, built with the shapes real repositories have: files
// git tracks that an ignore rule matches, a globally ignored secret, a nested repository, a branch
// switched after a snapshot. Nothing the user had is lost, nothing git ignores is captured, and
// coo says when git's HEADs no longer match the state it restored.

const test = suite('a real repository [C-SNAPSHOT] [C-ROLLBACK]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const state = (...args: string[]): string => box.git(['--git-dir', '.coo/state.git', ...args]).stdout.trim();

test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  box.git(['checkout', '-q', '-b', 'main']);
  box.write('.gitignore', 'test-*\n/build/\n.coo/\n');
  box.write('src/index.js', 'export const v = 1;\n');
  for (let i = 1; i <= 3; i++) box.write(`tests/test-case-${i}.js`, `case ${i}\n`);
  box.write('build/config/settings.json', '{"tracked": true}\n');
  box.write('build/out.js', 'untracked output\n');
  box.write('.env', 'SECRET=hunter2\n');
  mkdirSync(join(box.home, '.config', 'git'), { recursive: true });
  writeFileSync(join(box.home, '.config', 'git', 'ignore'), '.env\n');
  box.git(['add', '.gitignore', 'src']);
  box.git(['add', '-f', 'tests', 'build/config/settings.json']);
  box.git(['commit', '-q', '-m', 'first']);
  // The user's signing key comes through an included file, as many people keep it.
  const key = box.useFixtureKey();
  writeFileSync(join(box.home, '.gitconfig-signing'), `[user]\n\tsigningkey = ${key}\n[gpg]\n\tformat = ssh\n`);
  writeFileSync(
    join(box.home, '.gitconfig'),
    '[user]\n\tname = Newcomer\n\temail = newcomer@coo.test\n[include]\n\tpath = ~/.gitconfig-signing\n',
  );
  const init = await coo(['init', '--json'], o);
  assert.is(init.code, 0, init.stderr);
  initKey = init.json<{ key: { source: string; created: boolean } }>().key;
});
let initKey: { source: string; created: boolean };
test.after.each(() => box.cleanup());

test('tracked files an ignore rule matches are captured and come back; untracked ignored files and global excludes stay out', async () => {
  const snap = await coo(['snapshot', '--json'], o);
  assert.is(snap.code, 0, snap.stderr);
  const captured = state('ls-tree', '-r', '--name-only', 'snapshots').split('\n');
  for (const path of ['tests/test-case-1.js', 'tests/test-case-3.js', 'build/config/settings.json', 'src/index.js'])
    assert.ok(captured.includes(path), path);
  assert.not.ok(captured.includes('.env'), 'a globally ignored secret is never captured');
  assert.not.ok(captured.includes('build/out.js'));

  rmSync(join(box.repo, 'tests'), { recursive: true });
  rmSync(join(box.repo, 'src'), { recursive: true });
  box.write('build/config/settings.json', '{"tracked": "edited by an agent"}\n');
  const back = await coo(['rollback', 'snapshots', '--json'], o);
  assert.is(back.code, 0, back.stderr);
  for (let i = 1; i <= 3; i++) assert.is(box.read(`tests/test-case-${i}.js`), `case ${i}\n`);
  assert.is(box.read('build/config/settings.json'), '{"tracked": true}\n');
  assert.is(box.read('src/index.js'), 'export const v = 1;\n');
  assert.is(box.read('build/out.js'), 'untracked output\n');
  assert.is(box.read('.env'), 'SECRET=hunter2\n');
  assert.is(box.git(['status', '--porcelain']).stdout, '');
});

test('the signing key set through an [include] is the one coo uses: a baseline verifies with plain git', async () => {
  assert.equal([initKey.source, initKey.created], ['git-config', false]);
  assert.not.ok(existsSync(join(box.repo, '.coo', 'keys')));
  const made = await coo(['baseline', 'create', 'FIRST'], o);
  assert.is(made.code, 0, made.stderr);
  const verified = box.git([
    '--git-dir',
    '.coo/state.git',
    '-c',
    `gpg.ssh.allowedSignersFile=${join(box.repo, '.coo', 'allowed_signers')}`,
    'verify-commit',
    'amu0',
  ]);
  assert.is(verified.status, 0, verified.stderr);
});

test('a snapshot records the branch and commit git was on; a rollback after a branch switch says so, and coo log shows it', async () => {
  const head = box.git(['rev-parse', 'HEAD']).stdout.trim();
  await coo(['snapshot'], o);
  assert.ok(state('log', '-1', '--format=%B', 'snapshots').includes(`Coo-Git-Head: main@${head}`));
  const logged = (await coo(['log', '--json'], o)).json<LogEntry[]>();
  assert.equal(logged[0]?.gitHead, { commit: head, branch: 'main' });

  box.git(['checkout', '-q', '-b', 'feature']);
  box.write('src/index.js', 'export const v = 2;\n');
  box.git(['commit', '-q', '-am', 'feature work']);
  const result = (await coo(['rollback', 'snapshots', '--json'], o)).json<RollbackResult>();
  assert.equal(result.git.head?.recorded, { commit: head, branch: 'main' });
  assert.equal(result.git.head?.now?.branch, 'feature');
  assert.ok(result.git.head?.moved);
  const text = await coo(['rollback', 'snapshots'], o);
  assert.match(text.stdout, /recorded on main/);
  // Back on the recorded branch and commit, there is nothing to say.
  box.git(['checkout', '-q', '-f', 'main']);
  const same = (await coo(['rollback', 'snapshots', '--json'], o)).json<RollbackResult>();
  assert.is(same.git.head?.moved, false);
});

test("a nested repository's files are captured beside its HEAD; a rollback names it when its HEAD moved, and never touches its .git", async () => {
  const nested = join(box.repo, 'vendor', 'lib');
  mkdirSync(nested, { recursive: true });
  box.git(['init', '-q', '-b', 'trunk'], { cwd: nested });
  writeFileSync(join(nested, 'lib.c'), 'int v = 1;\n');
  box.git(['add', 'lib.c'], { cwd: nested });
  box.git(['commit', '-q', '-m', 'one'], { cwd: nested });
  const recorded = box.git(['rev-parse', 'HEAD'], { cwd: nested }).stdout.trim();
  await coo(['snapshot'], o);
  assert.ok(state('log', '-1', '--format=%B', 'snapshots').includes(`"vendor/lib": trunk@${recorded}`));

  writeFileSync(join(nested, 'lib.c'), 'int v = 2;\n');
  box.git(['commit', '-q', '-am', 'two'], { cwd: nested });
  const nestedGitBefore =
    readFileSync(join(nested, '.git', 'HEAD'), 'utf8') +
    readFileSync(join(nested, '.git', 'refs', 'heads', 'trunk'), 'utf8');
  const result = (await coo(['rollback', 'snapshots', '--json'], o)).json<RollbackResult>();
  assert.equal(
    result.git.nested.map((n) => [n.path, n.recorded?.commit, n.now?.branch]),
    [['vendor/lib', recorded, 'trunk']],
  );
  assert.is(readFileSync(join(nested, 'lib.c'), 'utf8'), 'int v = 1;\n');
  assert.is(
    readFileSync(join(nested, '.git', 'HEAD'), 'utf8') +
      readFileSync(join(nested, '.git', 'refs', 'heads', 'trunk'), 'utf8'),
    nestedGitBefore,
  );
  assert.ok(existsSync(join(nested, '.git', 'objects')));
});

test.run();
