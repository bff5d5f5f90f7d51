import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gatewayWrite } from '../../lib/gateway/gateway.js';
import { initRepo } from '../../lib/state/init.js';
import { undo } from '../../lib/state/undo.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// A racing attacker swaps a directory of the repository for a symbolic link to a directory outside
// it, and back, over and over, while coo writes and deletes files in that directory through the
// gateway. However the swaps fall, nothing coo writes lands outside, and nothing outside is changed
// or deleted: writes, deletions and the clean-up after a refused write all go through a handle on
// the directory coo checked, never through a path that can be swapped.

const test = suite('writes under a racing symlink swap [C-WRITE]');
let box: Sandbox;
test.before.each(async () => {
  box = sandbox();
  await initRepo({ cwd: box.repo, env: box.env });
});
test.after.each(() => box.cleanup());

// The attacker keeps the real directory in place most of the time and swaps it for the link
// briefly (about 2 ms real, 0.2 ms swapped), so that writes start in a good state and the swap
// falls in the middle of them. It reports how many swaps it has made as it goes.
const attacker = `
const fs = require('fs');
const [dir, aside, outside, stopFile, countFile] = process.argv.slice(1);
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
let swaps = 0;
while (!fs.existsSync(stopFile)) {
  pause(2);
  try {
    fs.renameSync(dir, aside);
    fs.symlinkSync(outside, dir);
    pause(0.2);
    fs.unlinkSync(dir);
    fs.renameSync(aside, dir);
    swaps += 1;
    if (swaps % 50 === 0) fs.writeFileSync(countFile, String(swaps));
  } catch {
    // Put the real directory back, whatever coo did meanwhile (it may have made a new one at the path).
    try { if (fs.lstatSync(dir).isSymbolicLink()) fs.unlinkSync(dir); } catch {}
    try { if (fs.existsSync(aside)) { fs.rmSync(dir, { recursive: true, force: true }); fs.renameSync(aside, dir); } } catch {}
  }
}
fs.writeFileSync(countFile, String(swaps));
`;

const swapsSoFar = (file: string): number => {
  try {
    return Number(readFileSync(file, 'utf8'));
  } catch {
    return 0;
  }
};

test('1,000 swaps and more: no write lands outside the repository, nothing outside is changed or deleted', async () => {
  const o = { cwd: box.repo, env: box.env };
  const outside = join(box.dir, 'outside');
  mkdirSync(outside);
  // A file outside with the name of every file coo writes: a write or a clean-up that followed the link would hit it.
  for (let i = 0; i < 40; i++) writeFileSync(join(outside, `f${i}.txt`), 'precious\n');
  box.write('sub/keep.txt', 'keep\n');
  const stop = join(box.dir, 'stop');
  const count = join(box.dir, 'count');
  const child = spawn(
    process.execPath,
    ['-e', attacker, join(box.repo, 'sub'), join(box.repo, 'sub.aside'), outside, stop, count],
    { stdio: 'ignore' },
  );
  const done = new Promise((resolve) => child.on('close', resolve));
  let written = 0;
  let refused = 0;
  const codes: Record<string, number> = {};
  try {
    const until = Date.now() + 90_000;
    for (let round = 0; round < 3000 && swapsSoFar(count) < 1000 && Date.now() < until; round++) {
      const i = round % 40;
      try {
        await gatewayWrite({
          ...o,
          ops: [{ kind: 'write', path: `sub/f${i}.txt`, content: Buffer.from(`coo ${round}\n`) }],
        });
        written += 1;
        if (round % 5 === 4) await gatewayWrite({ ...o, ops: [{ kind: 'delete', path: `sub/f${i}.txt` }] });
        if (round % 7 === 6) await undo(o);
      } catch (err) {
        refused += 1;
        const code = (err as { code?: string }).code ?? '';
        codes[code] = (codes[code] ?? 0) + 1;
        assert.ok(code.startsWith('E_'), `an error without a code: ${(err as Error).stack}`);
        // A write stopped half-way by a detected race is finished the way E_INTERRUPTED says: undo.
        if (code === 'E_INTERRUPTED') await undo(o).catch(() => undefined);
      }
    }
  } finally {
    writeFileSync(stop, '');
    await done;
  }
  const swaps = Number(readFileSync(count, 'utf8'));
  assert.ok(swaps >= 1000, `only ${swaps} swaps`);
  assert.ok(written > 0, `${refused} refused (${JSON.stringify(codes)}), none written`);
  for (const name of readdirSync(outside))
    assert.is(readFileSync(join(outside, name), 'utf8'), 'precious\n', `outside/${name} was changed`);
  assert.is(readdirSync(outside).length, 40, 'a file appeared outside, or one was deleted');
});

test.run();
