import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cooProcess } from '../helpers/cli.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// coo's own operations are deterministic: the same tree gives the same tree id, and with a pinned
// clock and the same key the same baseline gives the same signed commit, byte for byte, wherever
// the repository lives. Three runs in three fresh folders (different absolute paths), compared
// through every ref of the state repository.

const test = suite('determinism of coo itself');
const boxes: Sandbox[] = [];
test.after.each(() => {
  for (const box of boxes.splice(0)) box.cleanup();
});

function runOnce(epoch: string | null): { refs: string; baseline: string; raw: string; tree: string } {
  const box = sandbox({ env: epoch === null ? {} : { SOURCE_DATE_EPOCH: epoch } });
  boxes.push(box);
  box.useFixtureKey('ed25519');
  box.write('README.md', '# same content everywhere\n');
  box.write('src/main.js', 'console.log(1);\n');
  box.write('bin/tool.sh', '#!/bin/sh\n', 0o755);
  box.link('latest', 'src/main.js');
  const o = { cwd: box.repo, env: box.env };
  for (const args of [['init'], ['snapshot', '-m', 'first'], ['baseline', 'create', 'PRE_HARDENING_AMU0']]) {
    const run = cooProcess(args, o);
    assert.is(run.code, 0, run.stderr);
  }
  const state = ['--git-dir', '.coo/state.git'];
  return {
    refs: box.git([...state, 'show-ref']).stdout,
    baseline: box.git([...state, 'rev-parse', 'amu0']).stdout.trim(),
    raw: box.git([...state, 'cat-file', 'commit', 'amu0']).stdout,
    tree: box.git([...state, 'rev-parse', 'snapshots^{tree}']).stdout.trim(),
  };
}

test('with SOURCE_DATE_EPOCH, three fresh folders give the same signed baseline and every ref equal', () => {
  const runs = [runOnce('1700000000'), runOnce('1700000000'), runOnce('1700000000')];
  assert.ok(runs[0]?.raw.includes('gpgsig -----BEGIN SSH SIGNATURE-----'));
  assert.ok(runs[0]?.raw.includes('committer Fixture <fixture@coo.test> 1700000000 +0000'));
  for (const run of runs.slice(1)) {
    assert.is(run.baseline, runs[0]?.baseline);
    assert.is(run.raw, runs[0]?.raw);
    assert.is(run.refs, runs[0]?.refs);
  }
});

test('without a pinned clock the tree ids still agree (content addressing does not depend on time or place)', () => {
  const a = runOnce(null);
  const b = runOnce(null);
  assert.is(a.tree, b.tree);
});

test('a different epoch gives a different commit id but the same tree', () => {
  const a = runOnce('1700000000');
  const b = runOnce('1700000001');
  assert.is.not(a.baseline, b.baseline);
  assert.is(a.tree, b.tree);
});

test.run();
