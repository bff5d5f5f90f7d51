import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { openRepo } from '../../lib/store/repo.js';
import { createAmu0Baseline, promoteRunToAmu0 } from '../../lib/baseline/baseline.js';
import { verify } from '../../lib/baseline/verify.js';
import { decide } from '../../lib/cli/approvals.js';
import { protectRequest } from '../../lib/gateway/protect.js';
import { resumeRun, runMission } from '../../lib/mission/runner.js';
import { readRun } from '../../lib/mission/run-state.js';
import type { RunReport } from '../../lib/mission/report.js';
import { coo, cooProcess } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';
import { cooBin, sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('mission runner [C-MISSION-RUN] [C-MISSION-REPORT] [C-RUNS]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const state = (...args: string[]): string => box.git(['--git-dir', '.coo/state.git', ...args]).stdout.trim();

function missionFile(name: string, doc: Record<string, unknown>): string {
  const path = join(box.dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({ version: 1, id: name, scope: { rules: [{ rule: 'allow', pattern: '**' }] }, ...doc }),
  );
  return path;
}

async function failedReport(work: Promise<unknown>, code = 'E_MISSION_FAILED'): Promise<RunReport> {
  const data = await expectCode(work, code);
  return data['report'] as RunReport;
}

test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('src/app.js', 'export const version = 1;\n');
  box.write('docs/notes.md', 'notes\n');
  box.write('specs/constitution.md', 'rule 1\n');
  await createAmu0Baseline({ ...o, name: 'BASE' });
});
test.after.each(() => box.cleanup());

test('real commands (a node script, a shell pipeline) run in quarantine with a pinned environment; the result is applied', async () => {
  const file = missionFile('gen', {
    sourceDateEpoch: 1700000000,
    seed: 7,
    steps: [
      {
        kind: 'command',
        title: 'node',
        run: `node -e "const e=process.env;require('fs').writeFileSync('docs/env.json',JSON.stringify({epoch:e.SOURCE_DATE_EPOCH,tz:e.TZ,lc:e.LC_ALL,seed:e.COO_SEED,mission:e.COO_MISSION_ID,home:e.HOME,tmp:e.TMPDIR,cwd:process.cwd()}))"`,
      },
      {
        kind: 'command',
        title: 'shell',
        run: "ls src docs | sort | sed 's/^/- /' > docs/listing.md && sed -i 's/1/2/' src/app.js && rm docs/notes.md",
      },
    ],
  });
  const before = state('rev-parse', 'amu0');
  const report = await runMission({ ...o, file });
  assert.is(report.state, 'applied');
  assert.equal(
    report.changes.map((c) => [c.path, c.kind]),
    [
      ['docs/env.json', 'create'],
      ['docs/listing.md', 'create'],
      ['docs/notes.md', 'delete'],
      ['src/app.js', 'modify'],
    ],
  );
  const env = JSON.parse(box.read('docs/env.json')) as Record<string, string>;
  const work = join(box.repo, '.coo', 'work', 'runs-gen-1');
  assert.equal(
    [env['epoch'], env['tz'], env['lc'], env['seed'], env['mission']],
    ['1700000000', 'UTC', 'C', '7', 'gen'],
  );
  assert.ok(
    env['home']?.startsWith(work) && env['tmp']?.startsWith(work) && env['cwd'] === join(work, 'tree'),
    JSON.stringify(env),
  );
  assert.is(box.read('src/app.js'), 'export const version = 2;\n');
  assert.not.ok(existsSync(join(box.repo, 'docs/notes.md')));
  // The run in the state repository: from the baseline, one commit per transition, a tree per step.
  assert.is(state('rev-list', '--max-parents=0', 'runs/gen/1'), state('rev-list', '--max-parents=0', before));
  assert.ok(state('log', '--format=%s', 'runs/gen/1').includes('gen/1: running -> running (step, step 2)'));
  assert.is(state('rev-parse', 'runs/gen/1^{tree}'), report.steps[1]?.tree);
  // The working tree now is the run's last tree (coo's own .coo/ files aside, which no run sees).
  const applied = gitTreeOfWorktree(box);
  const listing = (gitdir: string, tree: string): string[] =>
    box
      .git(['--git-dir', gitdir, 'ls-tree', '-r', tree])
      .stdout.trim()
      .split('\n')
      .filter((line) => !line.includes('\t.coo/'));
  assert.equal(
    listing(join(box.dir, 'judge.git'), applied),
    listing(join(box.repo, '.coo', 'state.git'), report.steps[1]?.tree as string),
  );
  assert.not.ok(existsSync(work));
  const runs = await coo(['runs', '--json'], o);
  assert.equal(
    runs.json<{ run: string; state: string }[]>().map((r) => [r.run, r.state]),
    [['runs/gen/1', 'applied']],
  );
});

test('a failing step fails the mission with its output; nothing is applied', async () => {
  const tree = gitTreeOfWorktree(box);
  const file = missionFile('fails', {
    steps: [
      { kind: 'command', run: 'echo half done > docs/half.md' },
      { kind: 'command', run: 'echo "something broke" >&2; exit 4' },
    ],
  });
  const report = await failedReport(runMission({ ...o, file }));
  assert.is(report.state, 'rolled_back');
  assert.equal([report.failure?.step, report.failure?.reason], [1, 'exited with 4']);
  assert.ok(report.steps[1]?.output?.includes('something broke'));
  assert.is(gitTreeOfWorktree(box), tree);
  assert.is(box.git(['--git-dir', '.coo/state.git', 'rev-parse', '--verify', '-q', 'writes']).status, 1);
});

test('a step that runs too long is killed and the mission fails', async () => {
  const file = missionFile('slow', { steps: [{ kind: 'command', run: 'sleep 20', timeoutSeconds: 1 }] });
  const started = Date.now();
  const report = await failedReport(runMission({ ...o, file }));
  assert.ok(Date.now() - started < 10_000);
  assert.is(report.failure?.reason, 'timed out after 1 s');
});

test('a mission that writes a protected file, exceeds a ceiling or deletes outside its scope fails, naming the violation', async () => {
  await decide({
    ...o,
    id: (await protectRequest({ ...o, action: 'add', pattern: 'specs/**' })).id,
    decision: 'approve',
  });
  const tree = gitTreeOfWorktree(box);
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'protected',
      { steps: [{ kind: 'command', run: 'echo "rule 1, weakened" > specs/constitution.md' }] },
      'E_GOVERNANCE_PROTECTED',
    ],
    [
      'ceiling',
      {
        scope: { rules: [{ rule: 'allow', pattern: 'docs/**' }], ceilings: { maxFiles: 2 } },
        steps: [{ kind: 'command', run: 'for i in 1 2 3; do echo $i > docs/n$i.md; done' }],
      },
      'E_CEILING_FILES',
    ],
    [
      'outside',
      {
        scope: { rules: [{ rule: 'create', pattern: 'docs/**' }] },
        steps: [{ kind: 'command', run: 'rm src/app.js && echo new > docs/new.md' }],
      },
      'E_SCOPE_DENIED',
    ],
  ];
  for (const [name, doc, code] of cases) {
    const report = await failedReport(runMission({ ...o, file: missionFile(name, doc) }));
    assert.is(report.failure?.code, code, name);
    assert.ok(
      (report.failure?.violations as { code: string }[] | undefined)?.some((v) => v.code === code),
      name,
    );
  }
  assert.is(gitTreeOfWorktree(box), tree);
});

test('a file the user changed since the baseline is never overwritten; untouched edits survive the apply', async () => {
  box.write('src/app.js', 'export const version = "mine";\n');
  box.write('docs/notes.md', 'my own notes\n');
  const clash = missionFile('clash', { steps: [{ kind: 'command', run: "sed -i 's/1/2/' src/app.js" }] });
  const report = await failedReport(runMission({ ...o, file: clash }));
  assert.is(report.failure?.code, 'E_CHANGED_SINCE_BASE');
  assert.is(box.read('src/app.js'), 'export const version = "mine";\n');
  const other = missionFile('other', { steps: [{ kind: 'command', run: 'echo x > docs/other.md' }] });
  assert.is((await runMission({ ...o, file: other })).state, 'applied');
  assert.is(box.read('docs/notes.md'), 'my own notes\n');
});

test('a human step pauses the run; approve goes on (signed), and the mission itself cannot approve', async () => {
  const file = missionFile('review', {
    steps: [
      { kind: 'command', run: 'echo draft > docs/report.md' },
      { kind: 'human', action: 'approve', prompt: 'Approve the report.' },
      { kind: 'command', run: 'echo final >> docs/report.md' },
    ],
  });
  const paused = await runMission({ ...o, file });
  assert.is(paused.state, 'awaiting_human');
  assert.not.ok(existsSync(join(box.repo, 'docs/report.md')));
  const request = paused.awaiting?.request as string;
  await expectCode(
    decide({ ...o, env: { ...box.env, COO_MISSION_ID: 'review' }, id: request, decision: 'approve' }),
    'E_IN_MISSION',
  );
  const decided = await decide({ ...o, id: request, decision: 'approve' });
  assert.is((decided.result?.['report'] as RunReport | undefined)?.state, 'applied');
  assert.is(box.read('docs/report.md'), 'draft\nfinal\n');
  assert.is(
    box.git([
      '--git-dir',
      '.coo/state.git',
      '-c',
      'gpg.ssh.allowedSignersFile=.coo/allowed_signers',
      'verify-commit',
      'approvals',
    ]).status,
    0,
  );
});

test('a veto stops the run with nothing applied', async () => {
  const file = missionFile('vetoed', {
    steps: [
      { kind: 'command', run: 'echo x > docs/x.md' },
      { kind: 'human', action: 'veto', prompt: 'Veto this if it looks wrong.' },
    ],
  });
  const paused = await runMission({ ...o, file });
  const cli = await coo(['veto', paused.awaiting?.request as string], o);
  assert.is(cli.code, 0, cli.stderr);
  assert.ok(cli.stdout.includes('rolled_back'));
  assert.not.ok(existsSync(join(box.repo, 'docs/x.md')));
  const repo = await openRepo(o);
  assert.is((await readRun(repo, { mission: 'vetoed', n: 1 })).record.state, 'rolled_back');
});

test('a mission the workflow validator rejects never starts', async () => {
  const marker = join(box.dir, 'ran');
  const file = missionFile('routine', {
    steps: [
      { kind: 'command', run: `touch ${marker}` },
      { kind: 'human', action: 'review', prompt: 'Review it, then merge the branch.' },
    ],
  });
  const data = await expectCode(runMission({ ...o, file }), 'E_MISSION_REJECTED');
  const report = data['report'] as RunReport;
  assert.is(report.state, 'rejected');
  assert.is(report.workflow?.violations[0]?.suggestion?.run, 'git merge BRANCH');
  assert.not.ok(existsSync(marker));
  assert.not.ok(existsSync(join(box.repo, '.coo', 'work', 'runs-routine-1')));
  const cli = cooProcess(['mission', 'validate', file, '--json'], o);
  assert.is(cli.code, 1);
  assert.is(cli.json<{ valid: boolean }>().valid, false);
});

test('a bad mission document is refused with a pointer into it', async () => {
  const file = missionFile('bad', { steps: [{ kind: 'command' }] });
  const data = await expectCode(runMission({ ...o, file }), 'E_MISSION_INVALID');
  assert.is(data['pointer'], '/steps/0/run');
});

test('killed in the middle of a step, the run survives in the store and resumes from the last recorded tree', async () => {
  // Step 2 waits (at most 30 s) for a file the test creates once coo is dead: the killed attempt
  // then ends at once instead of lingering, and the resumed one goes straight through. A sandboxed
  // step could not see that file (that is the sandbox's point), so this run is unconfined, on a
  // machine made to have no sandbox and with the mission accepting that.
  const go = join(box.dir, 'go');
  const unconfined = { ...o, env: { ...box.env, COO_BWRAP: '' } };
  const file = missionFile('crash', {
    sandbox: { unconfined: true },
    steps: [
      { kind: 'command', run: 'echo one >> docs/log.md' },
      {
        kind: 'command',
        run: `echo two >> docs/log.md; i=0; while [ ! -f ${go} ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done`,
      },
      { kind: 'command', run: 'echo three >> docs/log.md' },
    ],
  });
  const child = spawn(process.execPath, [cooBin, 'run', file], {
    cwd: box.repo,
    env: unconfined.env as NodeJS.ProcessEnv,
    stdio: 'ignore',
  });
  const closed = new Promise((resolve) => child.on('close', resolve));
  const repo = await openRepo(o);
  for (let i = 0; i < 200; i++) {
    const run = await readRun(repo, { mission: 'crash', n: 1 }).catch(() => null);
    if (run?.record.event === 'step' && run.record.step === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGKILL');
  await closed;
  writeFileSync(go, '');
  assert.is((await readRun(repo, { mission: 'crash', n: 1 })).record.state, 'running');
  const lock = join(box.repo, '.coo', 'state.git', 'coo.lock');
  assert.ok(existsSync(lock)); // left by the dead process; the next command takes it over
  const resumed = await resumeRun({ ...unconfined, run: { mission: 'crash', n: 1 } });
  assert.is(resumed.state, 'applied');
  assert.is(resumed.confinement?.kind, 'none');
  assert.is(box.read('docs/log.md'), 'one\ntwo\nthree\n');
});

test('baseline promote accepts a run', async () => {
  const report = await runMission({
    ...o,
    file: missionFile('good', { steps: [{ kind: 'command', run: 'echo good > docs/good.md' }] }),
  });
  const promoted = await promoteRunToAmu0({ ...o, ref: report.run, name: 'AFTER_GOOD' });
  assert.is(state('rev-parse', 'amu0^{tree}'), state('rev-parse', `${report.run}^{tree}`));
  assert.is(state('rev-parse', 'amu0^2'), state('rev-parse', report.run));
  assert.is((await verify(o)).sequence, promoted.sequence);
  assert.equal(readdirSync(join(box.repo, '.coo', 'work')), []);
});

test.run();
