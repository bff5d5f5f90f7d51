import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadMission } from '../../lib/mission/mission.js';
import { initRepo } from '../../lib/state/init.js';
import { coo } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// A mission document is read as every document is: strict JSON, bounded, then its schema, before
// anything of it is believed. A reader of the file and coo must see the same mission.

const test = suite('mission documents [C-MISSION-VALIDATE] [C-DOCUMENTS]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
});
test.after.each(() => box.cleanup());

const file = (name: string, text: string): string => {
  const path = join(box.dir, name);
  writeFileSync(path, text);
  return path;
};
const steps = '"steps": [{"kind": "command", "run": "true"}]';

test('two `scope` keys: refused at the second, never enforced as the last one', async () => {
  const path = file(
    'twice.json',
    `{"version": 1, "id": "M", ${steps},\n "scope": {"rules": [{"rule": "allow", "pattern": "docs/**"}]},\n "scope": {"rules": [{"rule": "allow", "pattern": "**"}]}}`,
  );
  const data = await expectCode(loadMission(path), 'E_MISSION_INVALID');
  assert.equal([data['problem'], data['pointer'], data['line']], ['duplicate-key', '/scope', 3]);
  const run = await coo(['mission', 'validate', path, '--json'], o);
  assert.is(run.code, 2);
  assert.is(run.json()['code'], 'E_MISSION_INVALID');
});

test('an `env` nested 100,000 levels deep is E_MISSION_INVALID (too-deep), not a crash', async () => {
  const path = file(
    'deep.json',
    `{"version": 1, "id": "M", ${steps}, "scope": {"rules": []}, "env": ${'{"A":'.repeat(100_000)}"x"${'}'.repeat(100_000)}}`,
  );
  const data = await expectCode(loadMission(path), 'E_MISSION_INVALID');
  assert.equal([data['problem'], data['limit']], ['too-deep', 64]);
  const run = await coo(['mission', 'validate', path, '--json'], o);
  assert.equal([run.code, run.json()['code']], [2, 'E_MISSION_INVALID']);
});

test('a mission over 1 MiB is refused before it is parsed', async () => {
  const path = file(
    'big.json',
    `{"version": 1, "id": "M", ${steps}, "scope": {"rules": []}, "title": "${'x'.repeat(1024 * 1024)}"}`,
  );
  const data = await expectCode(loadMission(path), 'E_MISSION_INVALID');
  assert.equal([data['problem'], data['limit']], ['too-large', 1024 * 1024]);
});

test("every scope pattern's literal part passes the gateway's rules, refused with its code at the rule", async () => {
  const withRules = (name: string, patterns: string[]) =>
    file(
      name,
      JSON.stringify({
        version: 1,
        id: 'M',
        scope: { rules: patterns.map((pattern) => ({ rule: 'allow', pattern })) },
        steps: [{ kind: 'command', run: 'true' }],
      }),
    );
  const up = await expectCode(loadMission(withRules('up.json', ['src/**', '../**'])), 'E_PATH_TRAVERSAL');
  assert.equal([up['pointer'], up['path']], ['/scope/rules/1/pattern', '../**']);
  await expectCode(loadMission(withRules('git.json', ['.git/**'])), 'E_PATH_DOTGIT');
  await expectCode(loadMission(withRules('abs.json', ['/home/**'])), 'E_PATH_ABSOLUTE');
  const ok = await loadMission(withRules('ok.json', ['**', 'src/**/*.ts', 'docs/[ab].md']));
  assert.is(ok.scope.rules.length, 3);
  const run = await coo(['mission', 'validate', withRules('cli.json', ['../**']), '--json'], o);
  assert.equal([run.code, run.json()['code']], [3, 'E_PATH_TRAVERSAL']);
});

test.run();
