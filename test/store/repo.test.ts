import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { openRepo } from '../../lib/store/repo.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// The opened repository reads the user's git configuration (a git process) on first use only: a
// command that writes no commit never starts git, and one that does reads git's configuration.

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

test('a snapshot that changes nothing does not read git config; one that records a commit does', async () => {
  box.write('a.txt', 'a\n');
  await initRepo({ cwd: box.repo, env: box.env });
  const first = await snapshot({ cwd: box.repo, env: box.env });
  // A configuration git refuses to read: it fails whoever reads it, so it shows who does.
  const broken = { cwd: box.repo, env: { ...box.env, GIT_CONFIG_COUNT: '1' } };
  const repo = await openRepo(broken);
  const again = await snapshot(broken);
  assert.equal([again.created, again.commit], [false, first.commit]);
  box.write('a.txt', 'b\n');
  await expectCode(snapshot(broken), 'E_GIT_CONFIG');
  await expectCode(
    Promise.resolve().then(() => repo.identity()),
    'E_GIT_CONFIG',
  );
});

test.run();
