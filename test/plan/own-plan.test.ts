import { chmodSync, copyFileSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { walkWorktree } from '../../lib/worktree/walk.js';
import type { PlanStatus } from '../../lib/plan/status.js';
import { coo } from '../helpers/cli.js';
import { projectRoot, sandbox, type Sandbox } from '../helpers/sandbox.js';

// The work plan coo keeps for itself (.coo/plans/tier1.json: the seed plan, with coo's own tests
// as acceptance commands), run the way a person runs it, on a copy of this repository: every
// Stage 1 pack in order with its checks, the completion report, the readiness approval, Stage 2
// and its log. The copy is what coo would capture (the .gitignore rules apply), with node_modules
// and dist linked in, as after `npm ci && npm run build`.

const test = suite('coo runs its own work plan [C-PLAN-RUN]');
let box: Sandbox;

test.before(() => {
  box = sandbox();
  for (const entry of walkWorktree(projectRoot).entries) {
    const from = join(projectRoot, entry.path);
    const to = join(box.repo, entry.path);
    mkdirSync(dirname(to), { recursive: true });
    if (entry.mode === '120000') symlinkSync(readlinkSync(from), to);
    else {
      copyFileSync(from, to);
      chmodSync(to, entry.mode === '100755' ? 0o755 : 0o644);
    }
  }
  for (const dir of ['node_modules', 'dist']) symlinkSync(join(projectRoot, dir), join(box.repo, dir));
});
test.after(() => box.cleanup());

test('coo plan run .coo/plans/tier1.json: G1, five Stage 1 packs, the report, readiness, five Stage 2 packs, the log', async () => {
  const o = { cwd: box.repo, env: box.env };
  const init = await coo(['init'], o);
  assert.is(init.code, 0, init.stderr);
  // init pins coo's own files as it finds them; the hooks guard the protected .ci/run.
  for (const args of [['hooks', 'install']]) {
    const run = await coo(args, o);
    assert.is(run.code, 0, `coo ${args.join(' ')}: ${run.stderr}`);
  }
  const started = (await coo(['plan', 'run', '.coo/plans/tier1.json', '--json'], o)).json<PlanStatus>();
  assert.is(started.state, 'awaiting_approval');

  const approved = await coo(['approve', started.awaiting?.request as string, '--json'], o);
  const stage1 = approved.json<{ result: { plan: PlanStatus } }>().result.plan;
  const failures = (s: PlanStatus): string =>
    JSON.stringify(s.stages.flatMap((st) => st.packs.filter((p) => p.failure).map((p) => [p.id, p.failure])));
  assert.is(stage1.state, 'awaiting_readiness', failures(stage1));
  assert.equal(
    stage1.stages[0]?.packs.map((p) => `${p.id}:${p.state}`),
    ['FP-3.1:passed', 'FP-3.2:passed', 'FP-3.3:passed', 'FP-3.7:passed', 'FP-3.9:passed'],
  );
  assert.ok(stage1.stages[0]?.packs.every((p) => p.rollback?.ok && p.operations.every((c) => c.status === 'pass')));
  const report = box.read('reports/Tier1_Hardening_Completion_Report_v0.1.md');
  assert.match(
    report,
    /All 5 pack\(s\) passed: 0 mission\(s\) applied through the gateway, 9 acceptance command\(s\) passed, 0 mission\(s\) reproducible under the determinism suite, coo's own operations deterministic on every result, 5 AMU0 rollback check\(s\) byte-identical/,
  );
  assert.match(report, /PRE_HARDENING_AMU0/);

  const done = (await coo(['approve', stage1.awaiting?.request as string, '--json'], o)).json<{
    result: { plan: PlanStatus };
  }>().result.plan;
  assert.is(done.state, 'completed', failures(done));
  assert.equal(
    done.stages[1]?.packs.map((p) => `${p.id}:${p.state}`),
    ['FP-3.4:passed', 'FP-3.5:passed', 'FP-3.6:passed', 'FP-3.8:passed', 'FP-3.10:passed'],
  );
  const fp38 = done.stages[1]?.packs[3];
  assert.equal(
    fp38?.determinism.map((d) => [d.mission, d.verdict, d.matchesRun]),
    [['schema-catalogue', 'reproducible', true]],
  );
  assert.match(box.read('reports/Tier1_Enhancement_Log_v0.1.md'), /All 5 pack\(s\) passed/);
  assert.is((await coo(['check'], o)).code, 0);
  assert.is(box.git(['--git-dir', '.coo/state.git', 'fsck', '--strict']).status, 0);
});

test.run();
