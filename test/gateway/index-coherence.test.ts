import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { gatewayWrite } from '../../lib/gateway/gateway.js';
import { indexCheck, indexFix } from '../../lib/gateway/index-check.js';
import { protectRequest } from '../../lib/gateway/protect.js';
import { decide } from '../../lib/cli/approvals.js';
import { coo } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('governed directories and INDEX coherence [C-INDEX-CHECK] [C-INDEX-FIX]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const dir = 'docs/reports';
const write = (name: string, content = `# ${name}\n`) =>
  gatewayWrite({ ...o, ops: [{ kind: 'write', path: `${dir}/${name}`, content: Buffer.from(content) }] });
const state = (...args: string[]) => box.git(['--git-dir', '.coo/state.git', ...args]).stdout;

test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  const path = join(box.repo, '.coo/config.json');
  writeFileSync(
    path,
    JSON.stringify(
      { ...JSON.parse(readFileSync(path, 'utf8')), governed: [{ dir }], gateway: { maxFileBytes: 1000 } },
      null,
      2,
    ),
  );
  await decide({ ...o, id: (await protectRequest({ ...o, action: 'accept' })).id, decision: 'approve' });
});
test.after.each(() => box.cleanup());

test('each artefact write reconciles the INDEX in the same commit', async () => {
  const result = await write('Tier1_Hardening_Completion_Report_v0.1.md');
  assert.equal(result.indexes, [`${dir}/INDEX.md`]);
  // Exactly the write and its INDEX, against the tree before it (the Coo-Safety snapshot).
  assert.is(
    state('diff', '--name-only', result.safety, 'writes'),
    `${dir}/INDEX.md\n${dir}/Tier1_Hardening_Completion_Report_v0.1.md\n`,
  );
  await write('Tier1_Enhancement_Log_v0.1.md');
  await write('Tier1_Hardening_Completion_Report_v0.2.md');
  const index = box.read(`${dir}/INDEX.md`);
  const files = [...index.matchAll(/^\| (\S+\.md) \|/gmu)].map((m) => m[1]);
  assert.equal(files, [
    'Tier1_Enhancement_Log_v0.1.md',
    'Tier1_Hardening_Completion_Report_v0.1.md',
    'Tier1_Hardening_Completion_Report_v0.2.md',
  ]);
  assert.ok((await indexCheck(o)).clean);
});

test('names, versions and the INDEX itself are governed', async () => {
  await write('Report_v0.2.md');
  await expectCode(write('Report_v0.2.md', 'changed'), 'E_VERSION_IMMUTABLE');
  await expectCode(write('Report_v0.1.md'), 'E_VERSION_NOT_NEWER');
  await expectCode(write('Report_v0.2.0.md'), 'E_VERSION_NOT_NEWER');
  await expectCode(
    gatewayWrite({ ...o, ops: [{ kind: 'delete', path: `${dir}/Report_v0.2.md` }] }),
    'E_VERSION_IMMUTABLE',
  );
  await expectCode(write('notes.txt'), 'E_NAMING');
  await expectCode(write('sub/Report_v1.md'), 'E_NAMING');
  await expectCode(write('INDEX.md', 'my own index'), 'E_INDEX_MANAGED');
  await write('Report_v0.10.md');
  await expectCode(write('Big_v1.md', 'x'.repeat(1001)), 'E_CONTENT_TOO_LARGE');
});

test('check names every kind of drift; fix repairs what it can, through the gateway', async () => {
  await write('A_v1.md');
  await write('B_v1.md');
  writeFileSync(join(box.repo, dir, 'A_v1.md'), 'changed outside coo\n');
  rmSync(join(box.repo, dir, 'B_v1.md'));
  writeFileSync(join(box.repo, dir, 'C_v1.md'), 'added outside coo\n');
  writeFileSync(join(box.repo, dir, 'stray.txt'), 'misnamed\n');
  const report = await indexCheck(o);
  assert.not.ok(report.clean);
  assert.equal(
    report.dirs[0]?.drift.map((d) => [d.kind, d.file]),
    [
      ['changed', 'A_v1.md'],
      ['listed-missing', 'B_v1.md'],
      ['unlisted', 'C_v1.md'],
      ['misnamed', 'stray.txt'],
    ],
  );
  const cli = await coo(['index', 'check'], o);
  assert.is(cli.code, 1);
  const fixed = await indexFix(o);
  assert.ok(fixed.write !== null);
  assert.equal(
    fixed.after.dirs[0]?.drift.map((d) => d.kind),
    ['misnamed'],
  );
  rmSync(join(box.repo, dir, 'stray.txt'));
  assert.is((await coo(['index', 'check', '--json'], o)).code, 0);
  rmSync(join(box.repo, dir, 'INDEX.md'));
  assert.equal(
    (await indexCheck(o)).dirs[0]?.drift.map((d) => d.kind),
    ['index-missing'],
  );
  writeFileSync(join(box.repo, dir, 'INDEX.md'), 'hand-written\n');
  assert.equal(
    (await indexCheck(o)).dirs[0]?.drift.map((d) => d.kind),
    ['index-unreadable'],
  );
  await indexFix(o);
  assert.ok((await indexCheck(o)).clean);
});

test.run();
