import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPlan } from '../../lib/plan/plan.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// A work plan and everything it names are read as every document is (strict JSON, bounded, then
// the schema), and every repository path in them passes the gateway's rules when the plan is
// loaded, long before a stage would write its report.

const test = suite('plan documents [C-PLAN-VALIDATE] [C-DOCUMENTS]');
let box: Sandbox;
test.before.each(() => {
  box = sandbox();
});
test.after.each(() => box.cleanup());

const write = (path: string, text: string): string => {
  const abs = join(box.dir, 'plan', path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  return abs;
};
const json = (path: string, value: unknown): string => write(path, JSON.stringify(value, null, 2));
const pack = { version: 1, id: 'A', title: 'a', missions: [], acceptance: [{ id: 'ok', run: 'true' }] };
const plan = (stage: Record<string, unknown> = {}) => ({
  version: 1,
  id: 'p',
  title: 'p',
  stages: [{ id: 's', packs: ['packs/A.json'], ...stage }],
});

test('a plan that is valid loads', async () => {
  json('packs/A.json', pack);
  const loaded = await loadPlan(json('plan.json', plan({ report: 'reports/Report_v0.1.md' })));
  assert.is(loaded.stages[0]?.report, 'reports/Report_v0.1.md');
});

test('a plan nested 100,000 levels deep is E_PLAN_INVALID (too-deep), not a crash', async () => {
  const path = write(
    'deep.json',
    `{"version": 1, "id": "p", "title": "p", "stages": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
  );
  const data = await expectCode(loadPlan(path), 'E_PLAN_INVALID');
  assert.equal([data['problem'], data['path']], ['too-deep', 'deep.json']);
});

test('a pack that names `missions` twice is refused at the second, before any mission is read', async () => {
  write(
    'packs/A.json',
    '{"version": 1, "id": "A", "title": "a", "acceptance": [],\n "missions": [],\n "missions": ["../nowhere.json"]}',
  );
  const data = await expectCode(loadPlan(json('plan.json', plan())), 'E_PLAN_INVALID');
  assert.equal([data['problem'], data['pointer']], ['duplicate-key', '/missions']);
  assert.match(String(data['path']), /packs\/A\.json$/u);
});

test.run();
