import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { acquireLock } from '../../lib/store/lock.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('repository lock [C-STORE]');
let box: Sandbox;
let lockPath: string;
test.before.each(() => {
  box = sandbox({ gitInit: false });
  lockPath = join(box.dir, 'coo.lock');
});
test.after.each(() => box.cleanup());

test('one holder at a time; released lock can be taken again', async () => {
  const first = await acquireLock(lockPath, { command: 'a' });
  try {
    await acquireLock(lockPath, { command: 'b', timeoutMs: 50 });
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code: string }).code, 'E_LOCKED');
    assert.is((err as { data: { pid: number } }).data.pid, process.pid);
  }
  first.release();
  assert.not.ok(existsSync(lockPath));
  const second = await acquireLock(lockPath, { command: 'b' });
  assert.is(second.recoveredFrom, null);
  second.release();
});

test('a lock whose holder was killed is taken over at once, naming the dead holder', async () => {
  // A real process that dies holding the lock: a pid that is certainly not running any more.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(dead.stdout);
  writeFileSync(lockPath, JSON.stringify({ pid, host: hostname(), command: 'snapshot', since: Date.now() - 5 }));
  const lock = await acquireLock(lockPath, { command: 'next', timeoutMs: 0 });
  assert.is(lock.recoveredFrom?.pid, pid);
  assert.is(JSON.parse(readFileSync(lockPath, 'utf8')).pid, process.pid);
  lock.release();
});

test('a live holder in another process makes the next one wait, then succeed when it leaves', async () => {
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    import { acquireLock } from ${JSON.stringify(new URL('../../lib/store/lock.js', import.meta.url).href)};
    const lock = await acquireLock(${JSON.stringify(lockPath)}, { command: 'holder' });
    process.stdout.write('held\\n');
    setTimeout(() => { lock.release(); }, 300);
  `,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const closed = new Promise((resolve) => holder.on('close', resolve));
  await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
  const started = Date.now();
  const lock = await acquireLock(lockPath, { command: 'waiter', timeoutMs: 5000 });
  assert.ok(Date.now() - started >= 200, 'waited for the holder');
  assert.is(lock.recoveredFrom, null);
  lock.release();
  await closed;
});

test.run();
