import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cooProcess } from '../helpers/cli.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// The single-root rule: coo writes nothing outside the repository, temporary files included.
// Every command runs with HOME and TMPDIR pointing at empty folders, which must stay empty.

const test = suite('single root [C-INIT] [C-SNAPSHOT]');
let box: Sandbox;
test.after.each(() => box.cleanup());

test('HOME and TMPDIR stay empty through every command', () => {
  box = sandbox();
  const tmp = join(box.dir, 'tmp');
  mkdirSync(tmp);
  const env = { ...box.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp };
  const o = { cwd: box.repo, env };
  box.write('a.txt', 'one\n');
  box.write('big.bin', Buffer.alloc(3 * 1024 * 1024, 7));
  const steps = [
    ['init'],
    ['snapshot', '-m', 'one'],
    ['baseline', 'create', 'ONE'],
    ['diff', '--stat'],
    ['log'],
    ['show', 'amu0'],
    ['verify'],
    ['rollback', 'snapshots'],
    ['undo'],
    ['baseline', 'restore'],
    ['baseline', 'promote', 'snapshots', '--name', 'TWO'],
  ];
  for (const args of steps) {
    if (args[0] === 'rollback') box.write('a.txt', 'two\n');
    const run = cooProcess(args, o);
    assert.is(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
  }
  assert.equal(readdirSync(box.home), []);
  assert.equal(readdirSync(tmp), []);
  assert.equal(readdirSync(join(box.repo, '.coo', 'tmp')), []);
});

test.run();
