import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { planCheckout } from '../../lib/worktree/checkout-plan.js';
import type { FileRecord } from '../../lib/store/flat-tree.js';

const test = suite('checkout plan');
const f = (path: string, oid: string, mode: FileRecord['mode'] = '100644'): FileRecord => ({
  path,
  mode,
  oid: oid.repeat(40),
});

test('new, changed, kind-changed, exec-only and removed files each land in their list', () => {
  const current = [f('same', 'a'), f('changed', 'a'), f('exec', 'a'), f('link', 'a', '120000'), f('gone', 'a')];
  const target = [f('same', 'a'), f('changed', 'b'), f('exec', 'a', '100755'), f('link', 'a'), f('new', 'c')];
  const plan = planCheckout(current, target);
  assert.equal(
    plan.write.map((x) => x.path),
    ['changed', 'link', 'new'],
  );
  assert.equal(
    plan.chmod.map((x) => x.path),
    ['exec'],
  );
  assert.equal(plan.remove, ['gone']);
  assert.is(plan.unchanged, 1);
});

test('identical trees need nothing', () => {
  const files = [f('a', 'a'), f('b/c', 'b', '100755')];
  const plan = planCheckout(files, files);
  assert.equal([plan.write.length, plan.chmod.length, plan.remove.length, plan.unchanged], [0, 0, 0, 2]);
});

test.run();
