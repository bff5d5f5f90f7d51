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

test("a stage's report path passes the gateway's rules when the plan is loaded, with the gateway's code", async () => {
  json('packs/A.json', pack);
  const at = async (report: string, code: string): Promise<void> => {
    const data = await expectCode(loadPlan(json('plan.json', plan({ report }))), code);
    assert.equal([data['path'], data['pointer'], data['source']], [report, '/stages/0/report', 'plan.json']);
  };
  await at('../outside/Report_v0.1.md', 'E_PATH_TRAVERSAL');
  await at('.git/hooks/post-checkout', 'E_PATH_DOTGIT');
  await at('/tmp/Report_v0.1.md', 'E_PATH_ABSOLUTE');
  await at('reports/CON.md', 'E_PATH_RESERVED_NAME');
});

test('two stages may not write one report, in any case spelling', async () => {
  json('packs/A.json', pack);
  json('packs/B.json', { ...pack, id: 'B' });
  const twice = plan({ report: 'reports/R_v0.1.md' });
  twice.stages.push({ id: 't', packs: ['packs/B.json'], report: 'REPORTS/r_v0.1.md' } as (typeof twice.stages)[0]);
  const data = await expectCode(loadPlan(json('plan.json', twice)), 'E_PLAN_INVALID');
  assert.is(data['report'], 'REPORTS/r_v0.1.md');
});

test.run();
