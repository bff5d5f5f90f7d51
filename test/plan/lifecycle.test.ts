import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { openRepo, type Repo } from '../../lib/store/repo.js';
import { emptyTreeOid } from '../../lib/store/git-object.js';
import { readRef } from '../../lib/store/refs.js';
import {
  isLive,
  nextPlanState,
  planEvents,
  planStates,
  planTransitions,
  type PlanEvent,
  type PlanState,
} from '../../lib/plan/fsm.js';
import {
  createAttempt,
  planHistory,
  planRef,
  recordPlanEvent,
  type PlanEntry,
  type PlanId,
} from '../../lib/plan/plan-state.js';
import { nextStep, planStatus } from '../../lib/plan/status.js';
import type { LoadedPlan } from '../../lib/plan/plan.js';
import { expectCode } from '../helpers/expect.js';
import { shortestPaths as shortestPathsOf } from '../helpers/fsm-paths.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// The plan lifecycle against the real store, made from the same table as the machine; and the
// runner's only decision (what next), from recorded histories alone.

const test = suite('plan lifecycle [C-PLAN-STATE]');
let box: Sandbox;
let repo: Repo;
test.before(async () => {
  box = sandbox();
  await initRepo({ cwd: box.repo, env: box.env });
  repo = await openRepo({ cwd: box.repo, env: box.env });
});
test.after(() => box.cleanup());

const shortestPaths = (): Map<PlanState, PlanEvent[]> =>
  shortestPathsOf<PlanState, PlanEvent>(planTransitions, 'draft');

test('every state is reachable from draft, and only completed, failed and vetoed are final', () => {
  const paths = shortestPaths();
  assert.equal([...paths.keys()].sort(), [...planStates].sort());
  assert.equal(planStates.filter((s) => !isLive(s)).sort(), ['completed', 'failed', 'vetoed']);
});

test('every (state, event) pair: the store moves exactly as the table says, and refuses the rest with nothing changed', async () => {
  const paths = shortestPaths();
  let n = 0;
  for (const state of planStates) {
    for (const event of planEvents.filter((e) => e !== 'create')) {
      n += 1;
      const id: PlanId = createAttempt(repo, `p${n}`, emptyTreeOid, {});
      for (const step of paths.get(state) as PlanEvent[]) await recordPlanEvent(repo, id, step);
      const before = readRef(repo.layout.gitdir, planRef(id));
      const to = nextPlanState(state, event);
      if (to === null) {
        const data = await expectCode(recordPlanEvent(repo, id, event), 'E_PLAN_TRANSITION');
        assert.is(data['state'], state);
        assert.is(readRef(repo.layout.gitdir, planRef(id)), before, `${state} + ${event} moved the ref`);
      } else {
        const entry = await recordPlanEvent(repo, id, event);
        assert.is(entry.record.state, to);
        assert.is(entry.record.from, state);
        const history = await planHistory(repo, id);
        assert.is(history.length, (paths.get(state) as PlanEvent[]).length + 2);
        assert.is(history[history.length - 1]?.record.state, to);
      }
    }
  }
});

const loaded = {
  plan: { version: 1, id: 'x', title: 'x', stages: [] },
  stages: [
    {
      id: 's1',
      title: 's1',
      goal: null,
      order: 'exact',
      packs: ['A', 'B'],
      report: 'r/One_v1.md',
      humanGate: true,
      completion: [],
    },
    {
      id: 's2',
      title: 's2',
      goal: null,
      order: 'any',
      packs: ['C', 'D'],
      report: null,
      humanGate: false,
      completion: [],
    },
  ],
  packs: new Map(['A', 'B', 'C', 'D'].map((p) => [p, { version: 1, id: p, title: p, missions: [], acceptance: [] }])),
  missions: new Map(),
  sources: { plan: 'x.json', packs: {}, missions: {} },
  documents: [],
} as unknown as LoadedPlan;

function statusAfter(events: [PlanEvent, string | null, string | null, Record<string, unknown>?][]) {
  const id = { plan: 'x', attempt: 1 };
  let state: PlanState = 'draft';
  const history: PlanEntry[] = [
    {
      commit: 'c0',
      tree: 't',
      record: {
        version: 1,
        plan: 'x',
        attempt: 1,
        state,
        event: 'create',
        from: null,
        stage: null,
        pack: null,
        data: {},
      },
    },
  ];
  for (const [i, [event, stage, pack, data]] of events.entries()) {
    const to = nextPlanState(state, event) as PlanState;
    assert.ok(to, `${state} + ${event}`);
    history.push({
      commit: `c${i + 1}`,
      tree: 't',
      record: { version: 1, plan: 'x', attempt: 1, state: to, event, from: state, stage, pack, data: data ?? {} },
    });
    state = to;
  }
  return planStatus(id, loaded, history);
}

const mark = (name: string) => ({ baseline: { name, commit: name, sequence: 1, tree: 't' } });
const failure = { failure: { check: 'acceptance', reason: 'no', code: null, detail: null, restored: null } };

test('what next: from the recorded history alone, through both stages, the gate, and each kind of failure', () => {
  assert.equal(nextStep(statusAfter([['request', null, null, { request: 'R-1' }]]), loaded), { kind: 'wait' });
  assert.equal(
    nextStep(
      statusAfter([
        ['request', null, null, { request: 'R-1' }],
        ['approve', null, null],
      ]),
      loaded,
    ),
    { kind: 'baseline' },
  );
  const g1: [PlanEvent, string | null, string | null, Record<string, unknown>?][] = [
    ['request', null, null, { request: 'R-1' }],
    ['approve', null, null],
    ['baseline', null, null, mark('G1')],
  ];
  assert.equal(nextStep(statusAfter(g1), loaded), { kind: 'pack', stage: 's1', pack: 'A', restart: false });
  // A pack started or checked but not signed, when read back: it starts again.
  assert.equal(nextStep(statusAfter([...g1, ['pack-start', 's1', 'A', { start: 'G1' }]]), loaded), {
    kind: 'pack',
    stage: 's1',
    pack: 'A',
    restart: true,
  });
  assert.equal(
    nextStep(
      statusAfter([
        ...g1,
        ['pack-start', 's1', 'A', { start: 'G1' }],
        ['pack-checked', 's1', 'A', { missions: [], acceptance: [], determinism: [], rollback: null }],
      ]),
      loaded,
    ),
    { kind: 'pack', stage: 's1', pack: 'A', restart: true },
  );
  // Exact order: a failure stops the plan.
  const failedA = statusAfter([...g1, ['pack-start', 's1', 'A', { start: 'G1' }], ['pack-failed', 's1', 'A', failure]]);
  assert.equal(nextStep(failedA, loaded), { kind: 'fail', stage: 's1', pack: 'A' });
  assert.is(failedA.stages[0]?.state, 'failed');
  const s1: typeof g1 = [
    ...g1,
    ['pack-start', 's1', 'A', { start: 'G1' }],
    ['pack-done', 's1', 'A', mark('A')],
    ['pack-start', 's1', 'B', { start: 'A' }],
    ['pack-done', 's1', 'B', mark('B')],
  ];
  assert.equal(nextStep(statusAfter(s1), loaded), { kind: 'report', stage: 's1' });
  const reported: typeof g1 = [
    ...s1,
    ['report', 's1', null, { report: { path: 'r/One_v1.md', blob: 'b', write: 'w', ...mark('R') } }],
  ];
  assert.equal(nextStep(statusAfter(reported), loaded), { kind: 'gate', stage: 's1' });
  const waiting = statusAfter([...reported, ['request', 's1', null, { request: 'R-2' }]]);
  assert.is(waiting.state, 'awaiting_readiness');
  assert.equal(waiting.awaiting, { request: 'R-2', gate: 's1' });
  assert.equal(nextStep(waiting, loaded), { kind: 'wait' });
  const approved: typeof g1 = [...reported, ['request', 's1', null, { request: 'R-2' }], ['approve', 's1', null]];
  assert.equal(nextStep(statusAfter(approved), loaded), { kind: 'pack', stage: 's2', pack: 'C', restart: false });
  // Any order: a failure is logged and the next pack runs; the stage has no report, so the plan completes.
  const anyFailed: typeof g1 = [
    ...approved,
    ['pack-start', 's2', 'C', { start: 'R' }],
    ['pack-failed', 's2', 'C', failure],
  ];
  assert.equal(nextStep(statusAfter(anyFailed), loaded), { kind: 'pack', stage: 's2', pack: 'D', restart: false });
  const all = statusAfter([
    ...anyFailed,
    ['pack-start', 's2', 'D', { start: 'R' }],
    ['pack-done', 's2', 'D', mark('D')],
  ]);
  assert.equal(nextStep(all, loaded), { kind: 'complete' });
  assert.is(all.amu0, 'D');
  // A vetoed gate ends the plan: nothing next.
  const vetoed = statusAfter([...reported, ['request', 's1', null, { request: 'R-2' }], ['veto', 's1', null]]);
  assert.is(vetoed.state, 'vetoed');
  assert.is(vetoed.stages[0]?.state, 'vetoed');
  assert.equal(nextStep(vetoed, loaded), { kind: 'wait' });
});

test.run();
