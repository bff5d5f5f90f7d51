import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../lib/core/config.js';
import { initRepo } from '../../lib/state/init.js';
import { cooProcess } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// .coo/config.json is read as every document is (strict JSON, bounded), then its schema, then
// what the schema cannot say: every path in it passes the gateway's rules and every naming rule
// compiles, so that nothing coo does later trusts a value that was never checked.

const test = suite('configuration [C-DOCUMENTS] [C-PROTECT-LIST]');
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
  const run = cooProcess(['protect', 'list', '--json'], { ...o, timeoutMs: 60_000 });
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

test.run();
