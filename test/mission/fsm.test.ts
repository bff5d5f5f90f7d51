import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { openRepo, type Repo } from '../../lib/store/repo.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { listRefs } from '../../lib/store/refs.js';
import {
  events,
  initialState,
  next,
  states,
  transitions,
  type MissionEvent,
  type MissionState,
} from '../../lib/mission/fsm.js';
import { createRun, readRun, transition, type RunId } from '../../lib/mission/run-state.js';
import { fc } from '../helpers/property.js';
import { shortestPaths as shortestPathsOf } from '../helpers/fsm-paths.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// The tests are made from the same table as the machine: every (state, event) pair, every state.

const test = suite('mission FSM against the real store [C-MISSION-FSM]');
let box: Sandbox;
let repo: Repo;
let baseline: { commit: string; tree: string; manifest: string };
test.before(async () => {
  box = sandbox();
  const o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('a.txt', 'a\n');
  const s = await snapshot(o);
  baseline = { commit: s.commit, tree: s.tree, manifest: s.manifest };
  repo = await openRepo(o);
});
test.after(() => box.cleanup());

const pathsFromStart = (): Map<MissionState, MissionEvent[]> =>
  shortestPathsOf<MissionState, MissionEvent>(transitions, initialState);

async function newRun(): Promise<RunId> {
  return (await createRun(repo, 'FSM', baseline, {})).id;
}

const allRefs = (): string => JSON.stringify([...listRefs(repo.layout.gitdir, 'refs/')]);

test('every state is reachable from draft', () => {
  assert.equal([...pathsFromStart().keys()].sort(), [...states].sort());
});

test('the whole state × event matrix: legal pairs reach their target, illegal ones change nothing', async () => {
  const paths = pathsFromStart();
  let legal = 0;
  let illegal = 0;
  for (const state of states) {
    for (const event of events) {
      const id = await newRun();
      for (const e of paths.get(state) as MissionEvent[]) await transition(repo, id, e);
      const before = await readRun(repo, id);
      assert.is(before.record.state, state);
      const target = next(state, event);
      if (target) {
        const after = await transition(repo, id, event);
        assert.is((await readRun(repo, id)).record.state, target, `${state} --${event}-->`);
        assert.is(after.record.from, state);
        legal += 1;
      } else {
        const refs = allRefs();
        try {
          await transition(repo, id, event);
          assert.unreachable(`${state} --${event}--> should be refused`);
        } catch (err) {
          assert.is((err as { code: string }).code, 'E_MISSION_TRANSITION');
          assert.equal((err as { data: Record<string, unknown> }).data, { run: `runs/FSM/${id.n}`, state, event });
        }
        assert.is((await readRun(repo, id)).commit, before.commit);
        assert.is(allRefs(), refs);
        illegal += 1;
      }
    }
  }
  assert.is(legal + illegal, states.length * events.length);
  assert.is(
    legal,
    Object.values(transitions).reduce((n, t) => n + Object.keys(t).length, 0),
  );
});

test('property: any event sequence follows the table, read back from the store after each event', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom(...events), { maxLength: 14 }), async (sequence) => {
      const id = await newRun();
      let model: MissionState = initialState;
      for (const event of sequence) {
        const target = next(model, event);
        try {
          await transition(repo, id, event);
          assert.ok(target !== null, `${model} --${event}--> was accepted`);
          model = target as MissionState;
        } catch (err) {
          assert.is(target, null, `${model} --${event}--> was refused`);
          assert.is((err as { code: string }).code, 'E_MISSION_TRANSITION');
        }
        assert.is((await readRun(repo, id)).record.state, model);
      }
    }),
    { numRuns: 40 },
  );
  assert.is(box.git(['--git-dir', '.coo/state.git', 'fsck', '--strict', '--no-dangling']).status, 0);
});

test.run();
