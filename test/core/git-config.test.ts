import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readGitConfig, type Env } from '../../lib/core/git-config.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// readGitConfig against native git: what `git config --get` says in the same place with the same
// environment is what coo reads, through include, includeIf, worktree config and the GIT_CONFIG_*
// variables; and never the configuration of a repository around the root.

const test = suite('git configuration [C-INIT]');
let box: Sandbox;
test.before.each(() => {
  box = sandbox();
});
test.after.each(() => box.cleanup());

function home(path: string, content: string): string {
  const abs = join(box.home, path);
  mkdirSync(join(abs, '..'), { recursive: true });
  writeFileSync(abs, content);
  return abs;
}

/** What native git says for `key` in `cwd` (null when unset). */
function gitGet(key: string, cwd = box.repo, env: Env = {}): string | null {
  const run = box.git(['config', '--get', key], { cwd, env });
  return run.status === 0 ? run.stdout.replace(/\n$/u, '') : null;
}

function agrees(key: string, root = box.repo, env: Env = box.env): string | undefined {
  const value = readGitConfig(root, env).get(key);
  assert.is(value ?? null, gitGet(key, root, env), `${key} in ${root}`);
  return value;
}

test('keys as git prints them, the last value wins, a bare key is true, quoting and continuations as git reads them', () => {
  box.write(
    '.git/config.extra',
    '[Sect "SubCase"]\n\tMixedKey = one\n\tmixedkey = two\n[flags]\n\tbare\n\tempty =\n\tquoted = " a ; b " ; comment\n\tlong = first \\\n second\n\tnewline = "x\\ny"\n',
  );
  box.git(['config', 'include.path', 'config.extra']);
  const config = readGitConfig(box.repo, box.env);
  assert.is(config.get('sect.SubCase.mixedkey'), 'two');
  assert.is(config.get('sect.subcase.mixedkey'), undefined);
  assert.is(config.get('flags.bare'), 'true');
  assert.is(gitGet('flags.bare'), '');
  assert.is(box.git(['config', '--type=bool', '--get', 'flags.bare']).stdout, 'true\n');
  for (const key of ['sect.SubCase.mixedkey', 'flags.empty', 'flags.quoted', 'flags.long', 'flags.newline'])
    agrees(key);
  assert.is(config.get('flags.quoted'), ' a ; b ');
  assert.is(config.get('flags.newline'), 'x\ny');
});

test('include.path relative to the file that includes it, nested', () => {
  home('.gitconfig', '[include]\n\tpath = conf/identity.inc\n[user]\n\tname = Before\n');
  home('conf/identity.inc', '[user]\n\temail = included@coo.test\n[include]\n\tpath = more/key.inc\n');
  home('conf/more/key.inc', '[user]\n\tsigningkey = ~/keys/id\n[gpg]\n\tformat = ssh\n');
  assert.is(agrees('user.email'), 'included@coo.test');
  assert.is(agrees('user.signingkey'), '~/keys/id');
  assert.is(agrees('gpg.format'), 'ssh');
  assert.is(agrees('user.name'), 'Before');
});

test('includeIf "gitdir:" includes for the repository it names and not for another', () => {
  const other = join(box.dir, 'other');
  box.git(['init', '-q', other]);
  home('.gitconfig', `[user]\n\temail = home@coo.test\n[includeIf "gitdir:${box.repo}/"]\n\tpath = work.inc\n`);
  home('work.inc', '[user]\n\temail = work@coo.test\n');
  assert.is(agrees('user.email'), 'work@coo.test');
  assert.is(agrees('user.email', other), 'home@coo.test');
  assert.is(readGitConfig(null, box.env).get('user.email'), 'home@coo.test');
});

test('includeIf "onbranch:" follows the branch HEAD names', () => {
  home('.gitconfig', '[includeIf "onbranch:release/**"]\n\tpath = release.inc\n');
  home('release.inc', '[user]\n\tsigningkey = release-key\n');
  box.git(['symbolic-ref', 'HEAD', 'refs/heads/topic']);
  assert.is(agrees('user.signingkey'), undefined);
  box.git(['symbolic-ref', 'HEAD', 'refs/heads/release/1.0']);
  assert.is(agrees('user.signingkey'), 'release-key');
});

test('worktree config: a linked worktree reads its config.worktree over the common config, the main one does not', () => {
  box.write('a.txt', 'a\n');
  box.git(['add', 'a.txt']);
  box.git(['commit', '-q', '-m', 'a']);
  const linked = join(box.dir, 'linked');
  assert.is(box.git(['worktree', 'add', '-q', linked, '-b', 'side']).status, 0);
  box.git(['config', 'extensions.worktreeConfig', 'true']);
  box.git(['config', 'user.email', 'common@coo.test']);
  assert.is(box.git(['config', '--worktree', 'user.email', 'linked@coo.test'], { cwd: linked }).status, 0);
  assert.is(agrees('user.email', linked), 'linked@coo.test');
  assert.is(agrees('user.email'), 'common@coo.test');
});

test('GIT_CONFIG_COUNT/KEY/VALUE override the files, GIT_CONFIG_GLOBAL replaces the global ones', () => {
  home('.gitconfig', '[user]\n\temail = home@coo.test\n\tname = Home\n');
  const global = join(box.dir, 'global.conf');
  writeFileSync(global, '[user]\n\temail = global@coo.test\n');
  box.git(['config', 'user.signingkey', 'repo-key']);
  const env: Env = {
    ...box.env,
    GIT_CONFIG_GLOBAL: global,
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'user.signingKey',
    GIT_CONFIG_VALUE_0: 'env-key',
    GIT_CONFIG_KEY_1: 'gpg.format',
    GIT_CONFIG_VALUE_1: 'ssh',
  };
  assert.is(agrees('user.email', box.repo, env), 'global@coo.test');
  assert.is(agrees('user.name', box.repo, env), undefined);
  assert.is(agrees('user.signingkey', box.repo, env), 'env-key');
  assert.is(agrees('gpg.format', box.repo, env), 'ssh');
});

test('never the repository around the root, nor one named by GIT_DIR, GIT_COMMON_DIR or GIT_CONFIG in the environment', () => {
  box.git(['config', 'user.email', 'outer@coo.test']);
  const plain = join(box.repo, 'plain');
  const hollow = join(box.repo, 'hollow');
  mkdirSync(plain);
  mkdirSync(join(hollow, '.git'), { recursive: true });
  assert.is(readGitConfig(plain, box.env).get('user.email'), undefined);
  assert.is(readGitConfig(hollow, box.env).get('user.email'), undefined);
  assert.is(readGitConfig(null, box.env).get('user.email'), undefined);
  const other = join(box.dir, 'other');
  box.git(['init', '-q', other]);
  box.git(['config', 'user.email', 'other@coo.test'], { cwd: other });
  const hookEnv: Env = {
    ...box.env,
    GIT_DIR: join(other, '.git'),
    GIT_COMMON_DIR: join(other, '.git'),
    GIT_WORK_TREE: other,
    GIT_CONFIG: join(other, '.git', 'config'),
  };
  assert.is(readGitConfig(box.repo, hookEnv).get('user.email'), 'outer@coo.test');
  assert.is(readGitConfig(plain, hookEnv).get('user.email'), undefined);
});

test('a configuration git refuses is E_GIT_CONFIG; no git on PATH is E_GIT_NOT_FOUND', async () => {
  const read = (root: string | null, env: Env) => Promise.resolve().then(() => readGitConfig(root, env));
  home('.gitconfig', '[user]\n\temail = fine@coo.test\n');
  box.write('.git/config', '[core\n');
  const broken = await expectCode(read(box.repo, box.env), 'E_GIT_CONFIG');
  assert.is(broken['status'], 128);
  await expectCode(read(null, { ...box.env, GIT_CONFIG_COUNT: '1' }), 'E_GIT_CONFIG');
  home('.gitconfig', '[include]\n\tpath = loop.inc\n');
  home('loop.inc', '[include]\n\tpath = .gitconfig\n');
  await expectCode(read(null, box.env), 'E_GIT_CONFIG');
  const empty = join(box.dir, 'no-git-here');
  mkdirSync(empty);
  await expectCode(read(null, { ...box.env, PATH: empty }), 'E_GIT_NOT_FOUND');
});

test.run();
