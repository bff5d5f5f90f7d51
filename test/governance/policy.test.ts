import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cooProcess } from '../helpers/cli.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// The policy in force is the one recorded in the state repository at the last approval, not the
// file on disk. A `.coo/config.json` that a checkout removed, an older one, or one edited by hand
// loosens nothing: the hooks, the guard and the gateway go by the recorded policy, and the
// difference is reported with its own code.

const test = suite('the policy in force [C-GUARD] [C-WRITE] [C-VERIFY]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const coo = (args: string[]) => cooProcess(args, o);
let beforeCoo: string;

test.before.each(() => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  box.write('specs/constitution.md', 'rule 1\n');
  box.write('src/app.js', 'app\n');
  box.git(['add', '-A']);
  box.git(['commit', '-q', '-m', 'before coo']);
  beforeCoo = box.git(['rev-parse', 'HEAD']).stdout.trim();
  assert.is(coo(['init']).code, 0);
  assert.is(coo(['protect', 'add', 'specs/**', '--approve']).code, 0);
  box.git(['add', '.coo']);
  box.git(['commit', '-q', '-m', 'adopt coo']);
});
test.after.each(() => box.cleanup());

test('a checkout from before coo removes .coo/config.json: the hooks still refuse a change to a protected file, by any route', () => {
  assert.is(coo(['hooks', 'install']).code, 0);
  const branch = box.git(['symbolic-ref', 'HEAD']).stdout.trim();
  assert.is(box.git(['checkout', '-q', beforeCoo]).status, 0);
  assert.throws(() => readFileSync(join(box.repo, '.coo', 'config.json')));
  box.write('specs/constitution.md', 'rule 1, weakened\n');
  box.git(['add', 'specs/constitution.md']);
  const commit = box.git(['commit', '-q', '-m', 'weaken']);
  assert.is.not(commit.status, 0);
  assert.ok(commit.stderr.includes('E_GOVERNANCE_PROTECTED'), commit.stderr);
  const sneaky = box.git(['commit', '-q', '--no-verify', '-m', 'weaken anyway']);
  assert.is.not(sneaky.status, 0);
  assert.ok(sneaky.stderr.includes('E_GOVERNANCE_PROTECTED'), sneaky.stderr);
  // Nor can the branch be moved back to before coo (which would drop .coo/ from it): git gives the
  // hook no old value for `git branch -f`, so the guard judges against what the branch holds now.
  const tip = box.git(['rev-parse', branch]).stdout.trim();
  assert.is.not(box.git(['branch', '-f', branch.replace('refs/heads/', ''), 'HEAD']).status, 0);
  assert.is(box.git(['rev-parse', branch]).stdout.trim(), tip);
});

test('a config edited by hand to drop the protection loosens nothing: the gateway refuses, and the drift has its own code', () => {
  assert.is(coo(['snapshot']).code, 0);
  const path = join(box.repo, '.coo', 'config.json');
  const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  writeFileSync(path, `${JSON.stringify({ ...doc, protected: [] }, null, 2)}\n`);
  // The recorded policy still protects the file; any other write meets the tripwire on the policy itself.
  assert.is(coo(['write', 'specs/constitution.md', '--json']).json<{ code: string }>().code, 'E_GOVERNANCE_PROTECTED');
  const other = coo(['write', 'src/app.js', '--json']);
  assert.is(other.code, 4);
  assert.is(other.json<{ code: string }>().code, 'E_POLICY_TAMPERED');
  assert.is(box.read('specs/constitution.md'), 'rule 1\n');
  assert.is(coo(['verify', 'snapshots', '--json']).json<{ code: string }>().code, 'E_POLICY_TAMPERED');
  // With the file gone entirely, the recorded policy still protects.
  rmSync(path);
  assert.is(coo(['write', 'specs/constitution.md', '--json']).json<{ code: string }>().code, 'E_GOVERNANCE_PROTECTED');
  assert.is(coo(['write', 'src/app.js', '--json']).json<{ code: string }>().code, 'E_POLICY_TAMPERED');
  assert.is(box.read('specs/constitution.md'), 'rule 1\n');
  // Put back, everything works again, by the same policy.
  box.git(['checkout', '--', '.coo/config.json']);
  const refused = coo(['write', 'specs/constitution.md', '--json']);
  assert.is(refused.json<{ code: string }>().code, 'E_GOVERNANCE_PROTECTED');
  assert.is(coo(['write', 'src/app.js', '--json']).code, 0);
});

test("a run carries its baseline's governance files: diff shows the run's own change, and promote signs them; a state made under another policy is refused", () => {
  assert.is(coo(['baseline', 'create', 'B']).code, 0);
  const mission = join(box.dir, 'm.json');
  writeFileSync(
    mission,
    JSON.stringify({
      version: 1,
      id: 'm',
      scope: { rules: [{ rule: 'allow', pattern: 'src/**' }] },
      steps: [{ kind: 'command', run: 'echo two > src/app.js' }],
    }),
  );
  assert.is(coo(['run', mission]).code, 0);
  const changes = coo(['diff', 'amu0', 'runs/m/1', '--json']).json<{ changes: { path: string }[] }>().changes;
  assert.equal(
    changes.map((c) => c.path),
    ['src/app.js'],
  );
  assert.is(coo(['baseline', 'promote', 'runs/m/1']).code, 0);
  const files = box.git(['--git-dir', '.coo/state.git', 'ls-tree', '-r', '--name-only', 'amu0']).stdout.split('\n');
  assert.ok(files.includes('.coo/config.json') && files.includes('.coo/allowed_signers'));
  // A snapshot taken before a policy change is not a baseline under the new policy.
  assert.is(coo(['snapshot']).code, 0);
  assert.is(coo(['protect', 'add', 'src/**', '--approve']).code, 0);
  const refused = coo(['baseline', 'promote', 'snapshots', '--json']);
  assert.is(refused.json<{ code: string }>().code, 'E_CHANGED_SINCE_BASE');
});

test.run();
