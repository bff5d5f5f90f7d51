import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { createAmu0Baseline } from '../../lib/baseline/baseline.js';
import { installHooks, uninstallHooks } from '../../lib/governance/hooks.js';
import { runCheck, type CheckReport } from '../../lib/plan/harness.js';
import { coo } from '../helpers/cli.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// `coo check`: a healthy repository passes, the same report every time, and nothing in it moves;
// each kind of breakage fails exactly its own item.

const test = suite('coo check, the Tier-1 harness [C-CHECK]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };

const statusOf = (report: CheckReport): Record<string, string> =>
  Object.fromEntries(report.items.map((i) => [i.id, i.status]));
const failing = (report: CheckReport): string[] => report.items.filter((i) => i.status === 'fail').map((i) => i.id);

test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('src/app.js', 'export const a = 1;\n');
  box.write('specs/constitution.md', 'rule 1\n');
  box.write('.coo/config.json', JSON.stringify({ version: 1, governed: [{ dir: 'reports' }] }));
  box.write(
    '.coo/missions/ok.json',
    JSON.stringify({
      version: 1,
      id: 'ok',
      scope: { rules: [{ rule: 'allow', pattern: 'src/**' }] },
      steps: [{ kind: 'command', run: 'true' }],
    }),
  );
  assert.is((await coo(['protect', 'accept', '--approve'], o)).code, 0);
  assert.is((await coo(['protect', 'add', 'specs/**', '--approve'], o)).code, 0);
  assert.is((await coo(['write', 'reports/Status_v0.1.md', '--from', join(box.repo, 'src/app.js')], o)).code, 0);
  installHooks(o);
  await createAmu0Baseline({ ...o, name: 'B' });
});
test.after.each(() => box.cleanup());

test('a healthy repository passes every item, with the same report twice, and nothing in it moves', async () => {
  const refs = box.git(['--git-dir', '.coo/state.git', 'for-each-ref']).stdout;
  const tree = gitTreeOfWorktree(box);
  const first = await runCheck(o);
  assert.is(first.report.verdict, 'pass', JSON.stringify(first.report.items.filter((i) => i.status !== 'pass')));
  assert.equal(statusOf(first.report), {
    'determinism.tree-hash': 'pass',
    'determinism.signed-baseline': 'pass',
    'determinism.rollback': 'pass',
    'amu0.verify': 'pass',
    'amu0.rollback': 'pass',
    index: 'pass',
    'governance.coo-files': 'pass',
    'governance.protected': 'pass',
    'governance.hooks': 'pass',
    'workflows:.coo/missions/ok.json': 'pass',
  });
  const second = await runCheck(o);
  assert.equal(JSON.stringify(second.report), JSON.stringify(first.report), 'the report is deterministic');
  assert.is(box.git(['--git-dir', '.coo/state.git', 'for-each-ref']).stdout, refs, 'no ref moved');
  assert.is(gitTreeOfWorktree(box), tree, 'the working tree is as it was');
  assert.equal(
    readdirSync(join(box.repo, '.coo', 'work')).filter((n) => n.startsWith('check-')),
    [],
    'no scratch root is left',
  );
  const cli = await coo(['check'], o);
  assert.is(cli.code, 0);
  assert.match(cli.stdout, /^coo check: PASS \(10 passed, 0 failed, 0 not applicable\)/);
});

test('each breakage fails its own item, and the command exits 1', async () => {
  // INDEX drift: an artefact written behind the gateway's back.
  box.write('reports/Other_v0.1.md', 'not listed\n');
  let report = (await runCheck(o)).report;
  assert.equal(failing(report), ['index']);
  rmSync(join(box.repo, 'reports/Other_v0.1.md'));

  // A protected artefact changed outside coo.
  box.write('specs/constitution.md', 'rule 1, weakened\n');
  report = (await runCheck(o)).report;
  assert.equal(failing(report), ['governance.protected']);
  box.write('specs/constitution.md', 'rule 1\n');

  // Hooks removed while the registry protects paths.
  uninstallHooks(o);
  assert.equal(failing((await runCheck(o)).report), ['governance.hooks']);
  installHooks(o);

  // A mission under .coo/ that breaks the workflow rules (coo's own files then differ from their pins too).
  const steps = Array.from({ length: 6 }, () => ({ kind: 'command', run: 'true' }));
  box.write(
    '.coo/missions/long.json',
    JSON.stringify({ version: 1, id: 'long', scope: { rules: [{ rule: 'allow', pattern: '**' }] }, steps }),
  );
  report = (await runCheck(o)).report;
  assert.equal(failing(report), ['governance.coo-files', 'workflows:.coo/missions/long.json']);
  const cli = await coo(['check', '--json'], o);
  assert.is(cli.code, 1);
  assert.is(cli.json<CheckReport>().verdict, 'fail');
});

test('a repository with no baseline fails the AMU0 item and still checks the rest on its working tree', async () => {
  const bare = sandbox();
  try {
    await initRepo({ cwd: bare.repo, env: bare.env });
    bare.write('a.txt', 'a\n');
    const report = (await runCheck({ cwd: bare.repo, env: bare.env })).report;
    assert.equal(failing(report), ['amu0.baseline']);
    assert.is(statusOf(report)['determinism.tree-hash'], 'pass');
    assert.match(report.items[0]?.summary ?? '', /of the working tree/);
    assert.is(statusOf(report)['index'], 'skip');
    assert.not.ok(existsSync(join(bare.repo, '.coo', 'work', `check-${process.pid}`)));
  } finally {
    bare.cleanup();
  }
});

test.run();
