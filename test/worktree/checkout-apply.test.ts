import { mkdirSync, readdirSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyCheckout } from '../../lib/worktree/checkout-apply.js';
import { writeObject } from '../../lib/store/loose-objects.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('checkout apply');
let box: Sandbox;
test.before.each(() => {
  box = sandbox({ gitInit: false });
});
test.after.each(() => box.cleanup());

test('a parent swapped for a symlink between the last check and the rename: caught, and what landed outside is removed', async () => {
  const gitdir = box.bare();
  const oid = writeObject(gitdir, 'blob', Buffer.from('payload'));
  mkdirSync(join(box.repo, 'dir'));
  const outside = join(box.dir, 'outside');
  mkdirSync(outside);
  const plan = { write: [{ path: 'dir/file.txt', mode: '100644' as const, oid }], chmod: [], remove: [], unchanged: 0 };
  try {
    await applyCheckout({
      root: box.repo,
      gitdir,
      tmpDir: join(box.dir, 'tmp'),
      plan,
      hooks: {
        beforeRename: () => {
          renameSync(join(box.repo, 'dir'), join(box.dir, 'moved-away'));
          symlinkSync(outside, join(box.repo, 'dir'));
        },
      },
    });
    assert.unreachable('the race was not noticed');
  } catch (err) {
    assert.is((err as { code: string }).code, 'E_SYMLINK_RACE');
  }
  assert.equal(readdirSync(outside), []);
});

test('a directory swapped for a symlink between two writes into it: the second is refused, nothing lands outside', async () => {
  // The checkout walks a directory once, for its first file; each later file in it is still
  // checked for a link on the way before its rename.
  const gitdir = box.bare();
  const oid = writeObject(gitdir, 'blob', Buffer.from('payload'));
  const outside = join(box.dir, 'outside');
  mkdirSync(outside);
  const plan = { write: ['dir/a.txt', 'dir/b.txt'].map((path) => ({ path, mode: '100644' as const, oid })), chmod: [], remove: [], unchanged: 0 };
  try {
    await applyCheckout({
      root: box.repo,
      gitdir,
      tmpDir: join(box.dir, 'tmp'),
      plan,
      hooks: {
        afterLanded: (path) => {
          if (path !== 'dir/a.txt') return;
          renameSync(join(box.repo, 'dir'), join(box.dir, 'moved-away'));
          symlinkSync(outside, join(box.repo, 'dir'));
        },
      },
    });
    assert.unreachable('the swap was not noticed');
  } catch (err) {
    assert.is((err as { code: string }).code, 'E_SYMLINK_IN_PATH');
  }
  assert.equal(readdirSync(outside), []);
  assert.equal(readdirSync(join(box.dir, 'moved-away')), ['a.txt']);
});

test.run();
