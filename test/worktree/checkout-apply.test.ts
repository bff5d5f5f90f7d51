import { mkdirSync, readdirSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyCheckout, type ApplyHooks } from '../../lib/worktree/checkout-apply.js';
import type { CheckoutPlan } from '../../lib/worktree/checkout-plan.js';
import { writeObject } from '../../lib/store/loose-objects.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('checkout apply');
let box: Sandbox;
test.before.each(() => {
  box = sandbox({ gitInit: false });
});
test.after.each(() => box.cleanup());

/** The code of the error applying `plan` with `hooks` fails with (the test fails if it succeeds). */
async function refusal(gitdir: string, plan: CheckoutPlan, hooks: ApplyHooks): Promise<string> {
  try {
    await applyCheckout({ root: box.repo, gitdir, tmpDir: join(box.dir, 'tmp'), plan, hooks });
  } catch (err) {
    return (err as { code: string }).code;
  }
  assert.unreachable('the checkout was not refused');
  return 'none';
}

test('a parent swapped for a symlink between the last check and the rename: caught, and what landed outside is removed', async () => {
  const gitdir = box.bare();
  const oid = writeObject(gitdir, 'blob', Buffer.from('payload'));
  mkdirSync(join(box.repo, 'dir'));
  const outside = join(box.dir, 'outside');
  mkdirSync(outside);
  const plan = { write: [{ path: 'dir/file.txt', mode: '100644' as const, oid }], chmod: [], remove: [], unchanged: 0 };
  const swap = (): void => {
    renameSync(join(box.repo, 'dir'), join(box.dir, 'moved-away'));
    symlinkSync(outside, join(box.repo, 'dir'));
  };
  assert.is(await refusal(gitdir, plan, { beforeRename: swap }), 'E_SYMLINK_RACE');
  assert.equal(readdirSync(outside), []);
});

test('a directory swapped for a symlink between two writes into it: the second is refused, nothing lands outside', async () => {
  // The checkout walks a directory once, for its first file; each later file in it is still
  // checked for a link on the way before its rename.
  const gitdir = box.bare();
  const oid = writeObject(gitdir, 'blob', Buffer.from('payload'));
  const outside = join(box.dir, 'outside');
  mkdirSync(outside);
  const plan = {
    write: ['dir/a.txt', 'dir/b.txt'].map((path) => ({ path, mode: '100644' as const, oid })),
    chmod: [],
    remove: [],
    unchanged: 0,
  };
  const swapAfterFirst = (path: string): void => {
    if (path !== 'dir/a.txt') return;
    renameSync(join(box.repo, 'dir'), join(box.dir, 'moved-away'));
    symlinkSync(outside, join(box.repo, 'dir'));
  };
  assert.is(await refusal(gitdir, plan, { afterLanded: swapAfterFirst }), 'E_SYMLINK_IN_PATH');
  assert.equal(readdirSync(outside), []);
  assert.equal(readdirSync(join(box.dir, 'moved-away')), ['a.txt']);
});

test.run();
