import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../lib/core/config.js';
import { initRepo } from '../../lib/state/init.js';
import { coo, cooProcess } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// .coo/config.json is read as every document is (strict JSON, bounded), then its schema, then
// what the schema cannot say: every path in it passes the gateway's rules and every naming rule
// compiles, so that nothing coo does later trusts a value that was never checked.

const test = suite('configuration [C-DOCUMENTS] [C-PROTECT-LIST] [C-PROTECT-REQUEST] [C-INDEX-CHECK]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
});
test.after.each(() => box.cleanup());

const configPath = (): string => join(box.repo, '.coo', 'config.json');
const setConfig = (doc: unknown): void => writeFileSync(configPath(), JSON.stringify(doc));

test('a valid config with 1.5 million patterns (50 MB) is refused at once, not read until Node runs out of memory', () => {
  const patterns = Array.from({ length: 1_500_000 }, (_, i) => ({ pattern: `p${i}/**`, pins: {} }));
  setConfig({ version: 1, protected: patterns, governed: [] });
  const started = Date.now();
  // The policy in force is the recorded one; the file on disk is read as a document when it is offered for approval.
  const run = cooProcess(['protect', 'accept', '--json'], { ...o, timeoutMs: 60_000 });
  assert.is(run.code, 2, run.stderr.slice(0, 300));
  assert.equal(
    [run.json()['code'], (run.json()['data'] as Record<string, unknown>)['problem']],
    ['E_CONFIG_INVALID', 'too-large'],
  );
  assert.ok(Date.now() - started < 20_000);
});

test('more protected patterns than the registry holds is refused by the schema', async () => {
  const patterns = Array.from({ length: 1001 }, (_, i) => ({ pattern: `p${i}/**`, pins: {} }));
  setConfig({ version: 1, protected: patterns });
  const data = await expectCode(loadConfig(configPath()), 'E_CONFIG_INVALID');
  assert.equal([data['problem'], data['pointer']], ['schema', '/protected']);
});

test('a key named twice is refused, not read last-wins', async () => {
  writeFileSync(configPath(), '{"version": 1, "protected": [{"pattern": "specs/**", "pins": {}}], "protected": []}');
  const data = await expectCode(loadConfig(configPath()), 'E_CONFIG_INVALID');
  assert.equal([data['problem'], data['pointer']], ['duplicate-key', '/protected']);
});

const refused = async (doc: unknown, code: string, pointer: string): Promise<Record<string, unknown>> => {
  setConfig(doc);
  const data = await expectCode(loadConfig(configPath()), code);
  assert.is(data['pointer'], pointer, JSON.stringify(doc));
  return data;
};

test("a governed dir or INDEX name that leaves the tree or names .git is refused with the gateway's code, at its field", async () => {
  const outside = await refused(
    { version: 1, governed: [{ dir: '../outside' }] },
    'E_PATH_TRAVERSAL',
    '/governed/0/dir',
  );
  assert.equal([outside['path'], outside['source']], ['../outside', configPath()]);
  await refused({ version: 1, governed: [{ dir: '.git', index: 'packed-refs' }] }, 'E_PATH_DOTGIT', '/governed/0/dir');
  await refused({ version: 1, governed: [{ dir: 'docs', index: '.git' }] }, 'E_PATH_DOTGIT', '/governed/0/index');
  await refused({ version: 1, governed: [{ dir: 'docs', index: '..' }] }, 'E_PATH_TRAVERSAL', '/governed/0/index');
  await refused({ version: 1, governed: [{ dir: 'docs', index: 'CON' }] }, 'E_PATH_RESERVED_NAME', '/governed/0/index');
  await refused({ version: 1, governed: [{ dir: 'ok' }, { dir: 'a/.GIT/b' }] }, 'E_PATH_DOTGIT', '/governed/1/dir');
  await refused({ version: 1, governed: [{ dir: 'GIT~1' }] }, 'E_PATH_DOTGIT', '/governed/0/dir');
});

test('from the CLI: such a config is refused at once; nothing is approved, nothing written outside or into .git', async () => {
  setConfig({ version: 1, protected: [], governed: [{ dir: '../outside' }, { dir: '.git', index: 'packed-refs' }] });
  const accept = await coo(['protect', 'accept', '--approve', '--json'], o);
  assert.equal([accept.code, accept.json()['code']], [3, 'E_PATH_TRAVERSAL']);
  // The recorded policy is unchanged, and the file on disk counts for nothing but tampering.
  const fix = await coo(['index', 'fix', '--json'], o);
  assert.equal([fix.code, fix.json()['code']], [4, 'E_POLICY_TAMPERED']);
  assert.not.ok(existsSync(join(box.dir, 'outside')));
  assert.not.ok(existsSync(join(box.repo, '.git', 'packed-refs')));
  assert.is(box.git(['status', '--porcelain']).status, 0);
  assert.is(box.git(['--git-dir', '.coo/state.git', 'fsck', '--strict']).status, 0);
});

test("a protected pattern's literal part and every pinned path pass the gateway's rules; wildcards stand for any valid name", async () => {
  const entry = (pattern: string, pins: Record<string, string> = {}) => ({
    version: 1,
    protected: [{ pattern, pins }],
  });
  await refused(entry('../x/**'), 'E_PATH_TRAVERSAL', '/protected/0/pattern');
  await refused(entry('.git/**'), 'E_PATH_DOTGIT', '/protected/0/pattern');
  await refused(entry('/etc/**'), 'E_PATH_ABSOLUTE', '/protected/0/pattern');
  await refused(entry('src//x'), 'E_PATH_INVALID', '/protected/0/pattern');
  const pin = `sha256:${'0'.repeat(64)}`;
  await refused(entry('**', { '../x/y': pin }), 'E_PATH_TRAVERSAL', '/protected/0/pins/..~1x~1y');
  for (const pattern of ['**', 'specs/**', '**/*.md', 'docs/[ab].md', 'src/{a,b}/*.ts', '.ci/run', '!tmp/**']) {
    setConfig(entry(pattern));
    assert.is((await loadConfig(configPath())).protected[0]?.pattern, pattern);
  }
  const add = await coo(['protect', 'add', '../x/**', '--json'], o);
  assert.equal([add.code, add.json()['code']], [3, 'E_PATH_TRAVERSAL']);
});

test('a naming rule that is not a regular expression, or lacks its groups, is E_CONFIG_INVALID at its field', async () => {
  const bad = await refused(
    { version: 1, governed: [{ dir: 'reports', naming: '^(?<name>a(?<version>1)' }] },
    'E_CONFIG_INVALID',
    '/governed/0/naming',
  );
  assert.is(bad['problem'], 'naming-rule');
  await refused(
    { version: 1, governed: [{ dir: 'reports', naming: '^(?<name>[a-z]+)\\.md$' }] },
    'E_CONFIG_INVALID',
    '/governed/0/naming',
  );
  setConfig({ version: 1, governed: [{ dir: 'reports', naming: '(' }] });
  const check = await coo(['protect', 'accept', '--json'], o);
  assert.equal([check.code, check.json()['code']], [2, 'E_CONFIG_INVALID']);
});

test('a catastrophic-backtracking naming rule is matched in linear time', async () => {
  setConfig({ version: 1, governed: [{ dir: 'reports', naming: '^(?<name>(a+)+)_v(?<version>[0-9]+)\\.md$' }] });
  box.write('reports/INDEX.md', '');
  assert.is((await coo(['protect', 'accept', '--approve'], o)).code, 0);
  box.write(`reports/${'a'.repeat(64)}!.md`, 'x\n');
  box.write('reports/aaa_v1.md', 'x\n');
  const started = Date.now();
  const run = cooProcess(['index', 'check', '--json'], { ...o, timeoutMs: 30_000 });
  assert.is(run.code, 1, run.stderr.slice(0, 300));
  const drift = JSON.stringify(run.json());
  assert.match(drift, /misnamed/u);
  assert.ok(Date.now() - started < 15_000);
});

test.run();
