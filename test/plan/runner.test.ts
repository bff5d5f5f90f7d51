import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { createAmu0Baseline } from '../../lib/baseline/baseline.js';
import { listRequests } from '../../lib/governance/requests.js';
import { openRepo } from '../../lib/store/repo.js';
import { runPlan } from '../../lib/plan/runner.js';
import type { PlanStatus } from '../../lib/plan/status.js';
import { coo, cooProcess } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// Work plans end to end, as a person runs them: `coo plan run`, `coo approve` / `coo veto`, `coo
// plan status`, judged by plain git on the state repository and on the working tree.

const test = suite('work plans [C-PLAN-RUN] [C-PLAN-VALIDATE] [C-PLAN-STATUS]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const state = (...args: string[]): string => box.git(['--git-dir', '.coo/state.git', ...args]).stdout.trim();

function doc(path: string, value: unknown): string {
  const abs = join(box.dir, 'plan', path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, JSON.stringify(value, null, 2));
  return abs;
}

const mission = (id: string, run: string, pattern = '**') => ({
  version: 1,
  id,
  scope: { rules: [{ rule: 'allow', pattern }] },
  steps: [{ kind: 'command', run }],
});

/** A two-stage plan: stage 1 exact and gated (packs A, B, C), stage 2 any order (pack D). */
function writePlan(overrides: { A?: unknown; B?: unknown; C?: unknown; missionB?: unknown } = {}): string {
  doc('missions/gen.json', mission('gen', "mkdir -p src && printf 'export const n = 1;\\n' > src/gen.js"));
  doc('missions/bump.json', mission('bump', "sed -i 's/1/2/' src/gen.js && printf 'bumped\\n' > notes.md"));
  doc('missions/b.json', overrides.missionB ?? mission('b', "printf 'b\\n' > b.txt"));
  doc('missions/d.json', mission('d', "printf 'd\\n' > d.txt"));
  doc(
    'packs/A.json',
    overrides.A ?? {
      version: 1,
      id: 'A',
      title: 'generate',
      owner: 'Runtime',
      criteria: ['gen.js exists'],
      missions: ['../missions/gen.json', '../missions/bump.json'],
      acceptance: [{ id: 'has-gen', run: 'grep -q "n = 2" src/gen.js', repeat: 3 }],
    },
  );
  doc(
    'packs/B.json',
    overrides.B ?? {
      version: 1,
      id: 'B',
      title: 'b file',
      missions: ['../missions/b.json'],
      acceptance: [{ id: 'b', run: 'test -f b.txt' }],
    },
  );
  doc(
    'packs/C.json',
    overrides.C ?? {
      version: 1,
      id: 'C',
      title: 'checks only',
      missions: [],
      acceptance: [{ id: 'ok', run: 'test -f src/gen.js && test -f b.txt' }],
    },
  );
  doc('packs/D.json', {
    version: 1,
    id: 'D',
    title: 'enhancement',
    missions: ['../missions/d.json'],
    acceptance: [{ id: 'd', run: 'test -f d.txt' }],
  });
  return doc('plan.json', {
    version: 1,
    id: 'tier1',
    title: 'test plan',
    stages: [
      {
        id: 'stage-1',
        title: 'Tier-1 Hardening Completion',
        order: 'exact',
        humanGate: true,
        packs: ['packs/A.json', 'packs/B.json', 'packs/C.json'],
        report: 'reports/Tier1_Hardening_Completion_Report_v0.1.md',
        completion: ['All packs pass'],
      },
      { id: 'stage-2', order: 'any', packs: ['packs/D.json'], report: 'reports/Tier1_Enhancement_Log_v0.1.md' },
    ],
    humanTouchpoints: ['Approve the plan', 'Approve or veto Tier-1 readiness'],
  });
}

async function cli(args: string[]): Promise<{ code: number; status: PlanStatus; out: string }> {
  const run = await coo([...args, '--json'], o);
  const data = run.stdout ? (run.json() as Record<string, unknown>) : {};
  return {
    code: run.code,
    status: ((data['result'] as Record<string, unknown> | undefined)?.['plan'] ?? data) as PlanStatus,
    out: run.stdout,
  };
}

test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('README.md', 'a repo\n');
  box.write('.coo/config.json', JSON.stringify({ version: 1, governed: [{ dir: 'reports' }] }));
  box.write('reports/.keep', '');
  // The config change is a governance change: a person accepts it (signed) before anything runs.
  assert.is((await coo(['protect', 'accept', '--approve'], o)).code, 0);
});
test.after.each(() => box.cleanup());

test('G1-G4: approval, baseline, packs in order with every check, signed report, gate, stage 2, log', async () => {
  const file = writePlan();
  const started = await cli(['plan', 'run', file]);
  assert.is(started.code, 0);
  assert.is(started.status.state, 'awaiting_approval');
  assert.not.ok(existsSync(join(box.repo, 'src')), 'nothing runs before the plan is approved');
  assert.is(state('rev-parse', '--verify', '-q', 'amu0'), '');

  const approved = await cli(['approve', started.status.awaiting?.request as string]);
  assert.is(approved.code, 0, approved.out);
  const s = approved.status;
  assert.is(s.state, 'awaiting_readiness');
  assert.is(s.g1?.name, 'PRE_HARDENING_AMU0');
  assert.equal(
    s.stages[0]?.packs.map((p) => [p.id, p.state]),
    [
      ['A', 'passed'],
      ['B', 'passed'],
      ['C', 'passed'],
    ],
  );
  const A = s.stages[0]?.packs[0];
  assert.equal(
    A?.missions.map((m) => m.mission),
    ['gen', 'bump'],
  );
  assert.is(A?.missions[1]?.from, A?.missions[0]?.commit, "the second mission starts from the first one's result");
  assert.equal(
    A?.acceptance.map((a) => [a.id, a.passed, a.repeat]),
    [['has-gen', 3, 3]],
  );
  assert.equal(
    A?.determinism.map((d) => [d.mission, d.verdict, d.matchesRun]),
    [
      ['gen', 'reproducible', true],
      ['bump', 'reproducible', true],
    ],
  );
  assert.ok(A?.rollback?.ok);
  assert.is(A?.rollback?.restored.tree, A?.rollback?.baseline.tree);
  assert.is(A?.rollback?.returned.tree, A?.rollback?.result.tree);
  assert.is(box.read('src/gen.js'), 'export const n = 2;\n');

  // The baselines form one signed lineage that plain git verifies: G1, one per pack, the report.
  const marks = [s.g1, ...(s.stages[0]?.packs ?? []).map((p) => p.baseline), s.stages[0]?.report?.baseline];
  assert.equal(
    marks.map((m) => m?.sequence),
    [1, 2, 3, 4, 5],
  );
  assert.is(state('rev-parse', 'amu0'), s.stages[0]?.report?.baseline.commit);
  for (const m of marks)
    assert.is(
      box.git([
        '--git-dir',
        '.coo/state.git',
        '-c',
        'gpg.ssh.allowedSignersFile=.coo/allowed_signers',
        'verify-commit',
        m?.commit as string,
      ]).status,
      0,
      m?.name,
    );
  assert.is(box.git(['--git-dir', '.coo/state.git', 'fsck', '--strict']).status, 0);
  assert.is(state('rev-parse', 'amu0/tier1-1-A'), A?.baseline?.commit);

  // G3: the report, written through the gateway, listed in the INDEX, naming every check and hash.
  const report = box.read('reports/Tier1_Hardening_Completion_Report_v0.1.md');
  for (const needle of [
    'All 3 pack(s) passed: 3 mission(s) applied through the gateway, 3 acceptance command(s) passed, 3 mission(s) reproducible under the determinism suite',
    'acceptance `has-gen`',
    'passed 3 of 3',
    'determinism `gen`: reproducible over 3 runs',
    'AMU0 rollback check: byte-identical',
    s.g1?.commit as string,
    'signed by',
    'All packs pass',
  ]) {
    assert.ok(report.includes(needle), needle);
  }
  assert.ok(box.read('reports/INDEX.md').includes('Tier1_Hardening_Completion_Report_v0.1.md'));
  assert.is(
    state('cat-file', '-p', `${s.stages[0]?.report?.write}:reports/Tier1_Hardening_Completion_Report_v0.1.md`),
    report.trimEnd(),
  );
  assert.not.ok(existsSync(join(box.repo, 'd.txt')), 'stage 2 waits for the readiness decision');

  // G4: readiness approved; stage 2 runs and is logged; the plan completes.
  const done = await cli(['approve', s.awaiting?.request as string]);
  assert.is(done.code, 0, done.out);
  assert.is(done.status.state, 'completed');
  assert.is(box.read('d.txt'), 'd\n');
  const log = box.read('reports/Tier1_Enhancement_Log_v0.1.md');
  assert.ok(log.includes('### 1. D — enhancement: passed'), log);
  // The working tree is exactly the last baseline.
  assert.is(gitTreeOfWorktree(box), state('rev-parse', 'amu0^{tree}'));
  const shown = await coo(['plan', 'status', 'tier1'], o);
  assert.match(shown.stdout, /plans\/tier1\/1 "test plan": completed/);
  assert.is(
    state('show', 'plans/tier1/1:packs/A.json').includes('"generate"'),
    true,
    'the approved documents are kept in the state repository',
  );
});

test('stage 1 stops at the first failure: the working tree goes back to the last good baseline, later packs never run', async () => {
  const file = writePlan({
    B: {
      version: 1,
      id: 'B',
      title: 'b file',
      missions: ['../missions/b.json'],
      acceptance: [
        { id: 'b', run: 'test -f b.txt' },
        { id: 'broken', run: 'echo "no such thing" >&2; exit 3' },
      ],
    },
  });
  const started = await cli(['plan', 'run', file]);
  const failed = await cli(['approve', started.status.awaiting?.request as string]);
  assert.is(failed.code, 1);
  const s = failed.status;
  assert.is(s.state, 'failed');
  assert.equal(
    s.stages[0]?.packs.map((p) => p.state),
    ['passed', 'failed', 'pending'],
  );
  const B = s.stages[0]?.packs[1];
  assert.is(B?.failure?.check, 'acceptance');
  assert.match(B?.failure?.reason ?? '', /acceptance broken exited with 3/);
  assert.match(B?.acceptance[1]?.output ?? '', /no such thing/);
  // Back at A's baseline, byte for byte; what B left is kept in a safety snapshot.
  assert.is(state('rev-parse', 'amu0'), s.stages[0]?.packs[0]?.baseline?.commit);
  assert.is(gitTreeOfWorktree(box), state('rev-parse', 'amu0^{tree}'));
  assert.not.ok(existsSync(join(box.repo, 'b.txt')));
  assert.is(state('show', `${B?.failure?.restored?.safety}:b.txt`), 'b');
  assert.not.ok(existsSync(join(box.repo, 'reports/Tier1_Hardening_Completion_Report_v0.1.md')));
  assert.match(s.failure?.reason ?? '', /^B failed at acceptance/);
  // A failed attempt is over; `coo plan run` starts a new one (which waits for approval again).
  const again = await cli(['plan', 'run', file]);
  assert.is(again.status.name, 'plans/tier1/2');
  assert.is(again.status.state, 'awaiting_approval');
});

test('a mission that breaks its scope, an acceptance command that edits files, an unreproducible mission: each fails its pack', async () => {
  const cases: [string, Record<string, unknown>, unknown, RegExp][] = [
    [
      'mission',
      {},
      mission('b', "printf 'b\\n' > b.txt && printf x > elsewhere.txt", 'b.txt'),
      /mission b: .*elsewhere\.txt/,
    ],
    [
      'acceptance',
      {
        B: {
          version: 1,
          id: 'B',
          title: 'b',
          missions: ['../missions/b.json'],
          acceptance: [{ id: 'touchy', run: 'echo more >> b.txt' }],
        },
      },
      undefined,
      /touchy changed the working tree \(b\.txt\)/,
    ],
    ['determinism', {}, mission('b', 'od -An -N8 -tx1 /dev/urandom > b.txt'), /mission b is unreproducible/],
  ];
  for (const [check, packs, missionB, reason] of cases) {
    const file = writePlan({ ...packs, ...(missionB ? { missionB } : {}) });
    const started = await cli(['plan', 'run', file]);
    const failed = await cli(['approve', started.status.awaiting?.request as string]);
    const B = failed.status.stages[0]?.packs[1];
    assert.is(B?.failure?.check, check, JSON.stringify(B?.failure));
    assert.match(B?.failure?.reason ?? '', reason);
    assert.is(gitTreeOfWorktree(box), state('rev-parse', 'amu0^{tree}'), check);
    assert.not.ok(existsSync(join(box.repo, 'b.txt')), check);
    // The next case starts from a repository without the attempt's leftovers in the way.
    assert.is((await coo(['baseline', 'restore'], o)).code, 0);
  }
});

test('veto: of the plan, nothing runs; of the readiness gate, stage 2 never runs', async () => {
  const file = writePlan();
  const first = await cli(['plan', 'run', file]);
  const vetoed = await cli(['veto', first.status.awaiting?.request as string]);
  assert.is(vetoed.status.state, 'vetoed');
  assert.is(state('rev-parse', '--verify', '-q', 'amu0'), '');
  assert.not.ok(existsSync(join(box.repo, 'src')));

  const second = await cli(['plan', 'run', file]);
  assert.is(second.status.attempt, 2);
  const waiting = await cli(['approve', second.status.awaiting?.request as string]);
  assert.is(waiting.status.state, 'awaiting_readiness');
  const stopped = await cli(['veto', waiting.status.awaiting?.request as string]);
  assert.is(stopped.status.state, 'vetoed');
  assert.is(stopped.status.stages[0]?.state, 'vetoed');
  assert.is(stopped.status.stages[1]?.packs[0]?.state, 'pending');
  assert.not.ok(existsSync(join(box.repo, 'd.txt')));
  // Decisions are signed commits on `approvals`, each naming its request.
  const requests = await listRequests(await openRepo(o));
  assert.equal(
    requests.filter((r) => r.kind.startsWith('plan.')).map((r) => [r.kind, r.status]),
    [
      ['plan.approve', 'vetoed'],
      ['plan.approve', 'approved'],
      ['plan.gate', 'vetoed'],
    ],
  );
});

test('a plan under way goes on only with the documents that were approved', async () => {
  const file = writePlan();
  await cli(['plan', 'run', file]);
  const again = await cli(['plan', 'run', file]);
  assert.is(again.status.name, 'plans/tier1/1', 'running it again shows the same attempt');
  doc('packs/C.json', {
    version: 1,
    id: 'C',
    title: 'checks only',
    missions: [],
    acceptance: [{ id: 'ok', run: 'true' }],
  });
  const data = await expectCode(runPlan({ ...o, file }), 'E_PLAN_CHANGED');
  assert.is(data['plan'], 'plans/tier1/1');
});

test('while the gate waits, a changed working tree or a moved amu0 refuses the approval before anything is signed', async () => {
  const file = writePlan();
  const started = await cli(['plan', 'run', file]);
  const waiting = await cli(['approve', started.status.awaiting?.request as string]);
  const gate = waiting.status.awaiting?.request as string;
  box.write('README.md', 'edited while waiting\n');
  const refused = await coo(['approve', gate, '--json'], o);
  assert.is(refused.code, 5);
  assert.is(refused.json<{ code: string }>().code, 'E_PLAN_DIVERGED');
  assert.is((await listRequests(await openRepo(o))).find((r) => r.id === gate)?.status, 'pending');
  assert.is((await coo(['baseline', 'restore'], o)).code, 0);
  await createAmu0Baseline({ ...o, name: 'SIDE' });
  const moved = await coo(['approve', gate, '--json'], o);
  assert.is(moved.json<{ code: string }>().code, 'E_PLAN_DIVERGED');
  assert.match(moved.json<{ message: string }>().message, /amu0 moved outside the plan/);
});

test('a crash inside a pack: `coo plan run` starts the pack again; a crash after signing adopts the signed baseline', async () => {
  const file = writePlan();
  const started = await cli(['plan', 'run', file]);
  const request = started.status.awaiting?.request as string;
  // Killed right after pack A's checks were recorded, before its baseline was signed.
  const killed = cooProcess(['approve', request], { ...o, env: { ...o.env, COO_TEST_CRASH_AT: 'plan-pack-checked' } });
  assert.is(killed.code, -1, killed.stderr);
  const midway = await cli(['plan', 'status', 'tier1']);
  const [status] = midway.status as unknown as PlanStatus[];
  assert.is(status?.state, 'running');
  assert.is(status?.stages[0]?.packs[0]?.state, 'checked');
  // Killed again, this time right after B's baseline was signed and before it was recorded.
  const again = cooProcess(['plan', 'run', file], {
    ...o,
    env: { ...o.env, COO_TEST_CRASH_AT: 'plan-baseline-signed:2' },
  });
  assert.is(again.code, -1, again.stderr);
  const resumed = await cli(['plan', 'run', file]);
  assert.is(resumed.status.state, 'awaiting_readiness', JSON.stringify(resumed.status.failure));
  const marks = [
    resumed.status.g1,
    ...(resumed.status.stages[0]?.packs ?? []).map((p) => p.baseline),
    resumed.status.stages[0]?.report?.baseline,
  ];
  // One baseline per step, the adopted one among them, the lineage unbroken.
  assert.equal(
    marks.map((m) => m?.name),
    ['PRE_HARDENING_AMU0', 'tier1-1-A', 'tier1-1-B', 'tier1-1-C', 'tier1-1-stage-1'],
  );
  assert.equal(
    marks.map((m) => m?.sequence),
    [1, 2, 3, 4, 5],
  );
  assert.is((await coo(['verify'], o)).code, 0);
  assert.is(gitTreeOfWorktree(box), state('rev-parse', 'amu0^{tree}'));
});

test('invalid plans are refused before anything runs, each with a clear code and place', async () => {
  const file = writePlan();
  doc('missions/asks.json', {
    version: 1,
    id: 'asks',
    scope: { rules: [{ rule: 'allow', pattern: '**' }] },
    steps: [
      { kind: 'command', run: 'true' },
      { kind: 'human', action: 'approve', prompt: 'Approve the result.' },
    ],
  });
  doc('packs/H.json', { version: 1, id: 'H', title: 'h', missions: ['../missions/asks.json'], acceptance: [] });
  const plan = JSON.parse(readFileSync(file, 'utf8')) as { stages: { packs: string[] }[] };
  const variant = (name: string, edit: (p: typeof plan) => void): string => {
    const copy = JSON.parse(JSON.stringify(plan)) as typeof plan;
    edit(copy);
    return doc(name, copy);
  };
  const human = await expectCode(
    runPlan({ ...o, file: variant('human.json', (p) => p.stages[0]?.packs.push('packs/H.json')) }),
    'E_PLAN_INVALID',
  );
  assert.match(String(human['path']), /asks\.json$/);
  await expectCode(
    runPlan({ ...o, file: variant('twice.json', (p) => p.stages[1]?.packs.push('packs/A.json')) }),
    'E_PLAN_INVALID',
  );
  const missing = await expectCode(
    runPlan({ ...o, file: variant('missing.json', (p) => p.stages[0]?.packs.push('packs/nope.json')) }),
    'E_PLAN_INVALID',
  );
  assert.match(String(missing['path']), /nope\.json$/);
  const schema = await expectCode(
    runPlan({
      ...o,
      file: doc('bad.json', { version: 1, id: 'x', title: 'x', stages: [{ id: 's', packs: [], order: 'sometimes' }] }),
    }),
    'E_PLAN_INVALID',
  );
  assert.ok(String(schema['pointer']).startsWith('/stages/0/'));
  assert.is((await coo(['plan', 'validate', file], o)).code, 0);
  assert.is(state('for-each-ref', 'refs/heads/plans/'), '', 'no attempt was recorded');
});

test('a governance file changed outside coo stops a plan before it starts', async () => {
  const file = writePlan();
  box.write('.coo/config.json', JSON.stringify({ version: 1, governed: [] }));
  await expectCode(runPlan({ ...o, file }), 'E_POLICY_TAMPERED');
  assert.is(state('for-each-ref', 'refs/heads/plans/'), '');
});

test.run();
