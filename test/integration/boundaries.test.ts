import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { openRepo } from '../../lib/store/repo.js';
import { createAmu0Baseline } from '../../lib/baseline/baseline.js';
import { runMission } from '../../lib/mission/runner.js';
import { readRecord } from '../../lib/store/record-branch.js';
import type { RunRecord } from '../../lib/mission/run-state.js';
import { readCommit } from '../../lib/store/rev-parse.js';
import { coo, cooProcess } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// Across the boundaries (FP-3.4): the mission FSM records its transitions in the store, the
// gateway decides what reaches the working tree, and a crash between them leaves a state the
// store explains and the next command recovers. Judged by plain git.

const test = suite('store, FSM and gateway together [C-MISSION-RUN] [C-MISSION-FSM] [C-WRITE] [C-UNDO] [C-STORE]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const state = (...args: string[]): string => box.git(['--git-dir', '.coo/state.git', ...args]).stdout.trim();

function missionFile(name: string, run: string, pattern = '**'): string {
  const path = join(box.dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      version: 1,
      id: name,
      scope: { rules: [{ rule: 'allow', pattern }] },
      steps: [{ kind: 'command', run }],
    }),
  );
  return path;
}

test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('src/app.js', 'export const v = 1;\n');
  box.write('docs/readme.md', 'docs\n');
  await createAmu0Baseline({ ...o, name: 'BASE' });
});
test.after.each(() => box.cleanup());

async function runHistory(ref: string): Promise<{ state: string; event: string }[]> {
  const repo = await openRepo(o);
  const out: { state: string; event: string }[] = [];
  for (const oid of state('rev-list', '--first-parent', ref).split('\n')) {
    const commit = await readCommit(repo.layout.gitdir, oid);
    if (!commit.message.includes('Coo-Op: mission')) break; // the baseline the run starts from
    const { record } = await readRecord<RunRecord>(repo.layout.gitdir, oid, 'run-record', 'run record'); // every record passes schemas/run-record
    out.push({ state: record.state, event: record.event });
  }
  return out.reverse();
}

test('a run the gateway refuses: the FSM ends rolled_back in the store, writes never moves, the tree never changes', async () => {
  const tree = gitTreeOfWorktree(box);
  const writes = state('rev-parse', '--verify', '-q', 'writes');
  await expectCode(
    runMission({ ...o, file: missionFile('out', "sed -i 's/1/2/' src/app.js && echo x > docs/new.md", 'src/**') }),
    'E_MISSION_FAILED',
  );
  const history = await runHistory('runs/out/1');
  assert.equal(
    history.map((r) => r.state),
    ['draft', 'validated', 'prepared', 'running', 'running', 'failed', 'rolled_back'],
  );
  // The run's first commit sits on the baseline it started from.
  assert.is(state('rev-parse', `runs/out/1~${history.length}`), state('rev-parse', 'amu0'));
  assert.is(state('rev-parse', '--verify', '-q', 'writes'), writes);
  assert.is(gitTreeOfWorktree(box), tree);
  assert.is(box.git(['--git-dir', '.coo/state.git', 'fsck', '--strict']).status, 0);
});

test('a run the gateway accepts: one write commit, the working tree is its tree, and the write is undoable', async () => {
  const before = gitTreeOfWorktree(box);
  const report = await runMission({ ...o, file: missionFile('bump', "sed -i 's/1/2/' src/app.js") });
  assert.is(report.state, 'applied');
  const write = report.applied?.write as string;
  assert.is(state('rev-parse', 'writes'), write);
  assert.match(state('log', '-1', '--format=%B', 'writes'), /Coo-Mission: bump/);
  assert.is(gitTreeOfWorktree(box), state('rev-parse', 'writes^{tree}'));
  // Outside .coo/, the run's final tree and the write's tree are the same tree of files.
  const files = (rev: string) =>
    state('ls-tree', '-r', rev)
      .split('\n')
      .filter((l) => !l.includes('\t.coo/'))
      .join('\n');
  assert.is(files('runs/bump/1'), files('writes'));
  assert.equal((await runHistory('runs/bump/1')).map((r) => r.event).slice(-3), ['stage', 'commit', 'apply']);
  assert.is((await coo(['undo'], o)).code, 0);
  assert.is(gitTreeOfWorktree(box), before);
});

test('killed between the gateway commit and the working tree: the store says so, the next write refuses, undo recovers', () => {
  const before = gitTreeOfWorktree(box);
  const killed = cooProcess(['run', missionFile('bump', "sed -i 's/1/2/' src/app.js")], {
    ...o,
    env: { ...o.env, COO_TEST_CRASH_AT: 'journal-written' },
  });
  assert.is(killed.code, -1, killed.stderr);
  // The FSM had reached `committed`; the gateway had written its commit and journal, but `writes`
  // moves only once the working tree is done, so it has not moved.
  assert.match(state('log', '-1', '--format=%s', 'runs/bump/1'), /-> committed/);
  assert.is(state('rev-parse', '--verify', '-q', 'writes'), '');
  const refused = cooProcess(['write', 'docs/more.md', '--json'], { ...o, input: 'more\n' });
  const error = refused.json<{ code: string; data: { op: string; target: string } }>();
  assert.is(error.code, 'E_INTERRUPTED');
  assert.is(error.data.op, 'write');
  assert.is(state('cat-file', '-t', error.data.target), 'commit', 'the journal names a commit the store holds');
  const undone = cooProcess(['undo'], o);
  assert.is(undone.code, 0, undone.stderr);
  assert.is(gitTreeOfWorktree(box), before);
  assert.is(box.git(['--git-dir', '.coo/state.git', 'fsck', '--strict']).status, 0);
  // The run stays where the crash left it: a resume is refused with the state it is in.
  const resumed = cooProcess(['run', '--resume', 'runs/bump/1', '--json'], o);
  assert.is(resumed.json<{ code: string }>().code, 'E_MISSION_TRANSITION');
});

test.run();
