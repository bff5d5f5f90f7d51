import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cooProcess } from '../helpers/cli.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// The plan's test_determinism: coo's own operations are deterministic. A snapshot, a signed
// baseline, a gateway commit, a clean mission run, and the determinism report itself, each made
// three times in three fresh folders (three absolute paths), with the same content, the same key
// and a pinned clock, compared byte for byte: every ref of the state repository, the raw signed
// baseline, and the report.

const test = suite("test_determinism: coo's own operations [C-OPS-DETERMINISM]");
const boxes: Sandbox[] = [];
test.after.each(() => {
  for (const box of boxes.splice(0)) box.cleanup();
});

interface Outcome {
  readonly refs: string;
  readonly baseline: string;
  readonly report: string;
  readonly reportBlob: string;
  readonly tree: string;
}

function session(epoch: string | null): Outcome {
  const box = sandbox({ env: epoch === null ? {} : { SOURCE_DATE_EPOCH: epoch } });
  boxes.push(box);
  box.useFixtureKey('ed25519');
  box.write('README.md', '# same content everywhere\n');
  box.write('src/main.js', 'console.log(1);\n');
  box.write('bin/tool.sh', '#!/bin/sh\n', 0o755);
  box.link('latest', 'src/main.js');
  writeFileSync(
    join(box.dir, 'mission.json'),
    JSON.stringify({
      version: 1,
      id: 'clean',
      scope: { rules: [{ rule: 'allow', pattern: 'out/**' }] },
      steps: [
        {
          kind: 'command',
          run: "mkdir -p out && node -e \"require('fs').writeFileSync('out/sum.txt', String(2 + 2))\"",
        },
      ],
    }),
  );
  const o = { cwd: box.repo, env: box.env };
  const steps = [
    ['init'],
    ['snapshot', '-m', 'first'],
    ['baseline', 'create', 'PRE_HARDENING_AMU0'],
    ['write', 'notes.md', '--from', 'README.md'],
    ['run', join(box.dir, 'mission.json')],
  ];
  for (const args of steps) {
    const run = cooProcess(args, o);
    assert.is(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
  }
  const determinism = cooProcess(['determinism', join(box.dir, 'mission.json'), '--json'], o);
  assert.is(determinism.code, 0, determinism.stderr);
  const state = (...args: string[]): string => box.git(['--git-dir', '.coo/state.git', ...args]).stdout;
  return {
    // Every ref but determinism/*, whose commit also keeps the volatile block (timings, host).
    refs: state('show-ref')
      .split('\n')
      .filter((l) => !l.includes('refs/heads/determinism/'))
      .join('\n'),
    baseline: state('cat-file', 'commit', 'amu0'),
    report: JSON.stringify(determinism.json<{ report: unknown }>().report),
    reportBlob: state('rev-parse', 'determinism/clean:report.json'),
    tree: state('rev-parse', 'snapshots^{tree}').trim(),
  };
}

test('with SOURCE_DATE_EPOCH, three fresh folders give byte-identical states, signatures and reports', () => {
  const [a, b, c] = [session('1700000000'), session('1700000000'), session('1700000000')];
  assert.ok(a.baseline.includes('gpgsig -----BEGIN SSH SIGNATURE-----'));
  assert.ok(a.baseline.includes('committer Fixture <fixture@coo.test> 1700000000 +0000'));
  for (const ref of ['amu0', 'snapshots', 'writes', 'runs/clean/1', 'oplog', 'refs/tags/amu0/PRE_HARDENING_AMU0'])
    assert.ok(a.refs.includes(ref), `${ref} is compared`);
  for (const other of [b, c]) {
    assert.is(other.refs, a.refs);
    assert.is(other.baseline, a.baseline);
    assert.is(other.report, a.report);
    assert.is(other.reportBlob, a.reportBlob);
  }
});

test('without a pinned clock the tree ids and the report still agree; a different epoch changes commits, not trees', () => {
  const [a, b] = [session(null), session(null)];
  assert.is(a.tree, b.tree);
  const [x, y] = [session('1700000000'), session('1700000001')];
  assert.is.not(x.baseline, y.baseline);
  assert.is(x.tree, y.tree);
});

test.run();
