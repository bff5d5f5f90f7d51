import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { openRepo } from '../../lib/store/repo.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { log } from '../../lib/state/log.js';
import { diff } from '../../lib/state/diff.js';
import { show } from '../../lib/state/show.js';
import { createAmu0Baseline } from '../../lib/baseline/baseline.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// The opened repository reads the user's git configuration (a git process) on first use only: a
// command that only reads history never starts git, and one that records a commit reads it.

const test = suite('openRepo [C-STORE]');
let box: Sandbox;
test.before.each(() => {
  box = sandbox();
});
test.after.each(() => box.cleanup());

test('identity comes from git config, read once, on first use', async () => {
  box.git(['config', 'user.name', 'Repo User']);
  box.git(['config', 'user.email', 'repo@coo.test']);
  await initRepo({ cwd: box.repo, env: box.env });
  const repo = await openRepo({ cwd: box.repo, env: box.env, now: () => 1_700_000_000_000 });
  const who = repo.identity();
  assert.equal([who.name, who.email, who.timestamp], ['Repo User', 'repo@coo.test', 1_700_000_000]);
  assert.is(repo.gitConfig, repo.gitConfig);
});

test('reading history reads no git config; recording a commit does', async () => {
  const good = { cwd: box.repo, env: box.env };
  box.write('a.txt', 'a\n');
  await initRepo(good);
  await createAmu0Baseline({ ...good, name: 'ONE' });
  box.write('a.txt', 'b\n');
  const taken = await snapshot(good);
  // A configuration git refuses to read: it fails whoever reads it, so it shows who does.
  const broken = { cwd: box.repo, env: { ...box.env, GIT_CONFIG_COUNT: '1' } };
  const repo = await openRepo(broken);
  assert.is((await log({ ...broken, rev: 'snapshots' }))[0]?.oid, taken.commit);
  assert.equal(
    (await diff({ ...broken, from: 'amu0', to: 'snapshots' })).changes.map((c) => c.path),
    ['a.txt'],
  );
  assert.is((await show({ ...broken, rev: 'snapshots' })).commit, taken.commit);
  await expectCode(
    Promise.resolve().then(() => repo.identity()),
    'E_GIT_CONFIG',
  );
  box.write('a.txt', 'c\n');
  await expectCode(snapshot(broken), 'E_GIT_CONFIG');
});

test.run();
