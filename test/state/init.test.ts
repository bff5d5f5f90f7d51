import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo, type InitResult } from '../../lib/state/init.js';
import { coo } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { fixtures, sandbox, type Sandbox } from '../helpers/sandbox.js';

// `coo init` takes the signing key from git's configuration as git reads it: through include
// files, includeIf, a worktree's own config and GIT_CONFIG_* variables. A key set any of these
// ways is the key coo uses, never silently replaced by a new local key.

const test = suite('coo init and the git signing key [C-INIT]');
let box: Sandbox;
let keyPath: string;
let publicKey: string;
test.before.each(() => {
  box = sandbox();
  keyPath = join(box.home, 'id_fixture');
  copyFileSync(join(fixtures, 'keys', 'ed25519'), keyPath);
  chmodSync(keyPath, 0o600);
  publicKey = readFileSync(join(fixtures, 'keys', 'ed25519.pub'), 'utf8')
    .split(' ')
    .slice(0, 2)
    .join(' ');
});
test.after.each(() => box.cleanup());

const keySettings = (): string => `[user]\n\tsigningkey = ${keyPath}\n[gpg]\n\tformat = ssh\n`;

function usesGitKey(init: InitResult['key'], root = box.repo): void {
  assert.equal([init.source, init.path, init.publicKey, init.created], ['git-config', keyPath, publicKey, false]);
  assert.not.ok(existsSync(join(root, '.coo', 'keys')), 'no coo key is made');
  assert.ok(readFileSync(join(root, '.coo', 'allowed_signers'), 'utf8').includes(publicKey));
}

test('coo init: user.signingkey and gpg.format=ssh from an [include] file are the key coo uses', async () => {
  writeFileSync(join(box.home, '.gitconfig'), '[user]\n\temail = me@coo.test\n[include]\n\tpath = git/signing.inc\n');
  mkdirSync(join(box.home, 'git'));
  writeFileSync(join(box.home, 'git', 'signing.inc'), keySettings());
  const run = await coo(['init', '--json'], { cwd: box.repo, env: box.env });
  assert.is(run.code, 0, run.stderr);
  const result = run.json<InitResult>();
  usesGitKey(result.key);
  assert.equal(result.notes, []);
  assert.ok(readFileSync(join(box.repo, '.coo', 'allowed_signers'), 'utf8').includes(`me@coo.test `));
});

test('includeIf "gitdir:" gives the key to the repository it names; another one gets a coo key', async () => {
  writeFileSync(join(box.home, '.gitconfig'), `[includeIf "gitdir:${box.repo}/"]\n\tpath = signing.inc\n`);
  writeFileSync(join(box.home, 'signing.inc'), keySettings());
  usesGitKey((await initRepo({ cwd: box.repo, env: box.env })).key);
  const other = join(box.dir, 'other');
  box.git(['init', '-q', other]);
  const elsewhere = await initRepo({ cwd: other, env: box.env });
  assert.equal([elsewhere.key.source, elsewhere.key.created], ['coo', true]);
});

test("a linked worktree's config.worktree and GIT_CONFIG_COUNT/KEY/VALUE name the key", async () => {
  box.write('a.txt', 'a\n');
  box.git(['add', 'a.txt']);
  box.git(['commit', '-q', '-m', 'a']);
  const linked = join(box.dir, 'linked');
  box.git(['worktree', 'add', '-q', linked]);
  box.git(['config', 'extensions.worktreeConfig', 'true']);
  box.git(['config', '--worktree', 'gpg.format', 'ssh'], { cwd: linked });
  box.git(['config', '--worktree', 'user.signingkey', keyPath], { cwd: linked });
  usesGitKey((await initRepo({ cwd: linked, env: box.env })).key, linked);

  const env = {
    ...box.env,
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'gpg.format',
    GIT_CONFIG_VALUE_0: 'ssh',
    GIT_CONFIG_KEY_1: 'user.signingkey',
    GIT_CONFIG_VALUE_1: keyPath,
  };
  usesGitKey((await initRepo({ cwd: box.repo, env })).key);
});

test('a git configuration git refuses fails init with E_GIT_CONFIG before anything is written', async () => {
  writeFileSync(join(box.home, '.gitconfig'), '[include]\n\tpath = missing-bracket.inc\n');
  writeFileSync(join(box.home, 'missing-bracket.inc'), '[user\n');
  await expectCode(initRepo({ cwd: box.repo, env: box.env }), 'E_GIT_CONFIG');
  assert.not.ok(existsSync(join(box.repo, '.coo')));
  const run = await coo(['init', '--json'], { cwd: box.repo, env: box.env });
  assert.is(run.code, 2);
  assert.is(run.json<{ code: string }>().code, 'E_GIT_CONFIG');
});

test.run();
