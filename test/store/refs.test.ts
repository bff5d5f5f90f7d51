import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatCommit } from '../../lib/store/commit.js';
import { writeObject } from '../../lib/store/loose-objects.js';
import { isValidRefName, listRefs, readRef, updateRef } from '../../lib/store/refs.js';
import { resolveCommit } from '../../lib/store/rev-parse.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('refs and revisions [C-STORE]');
let box: Sandbox;
let gitdir: string;
const who = { name: 'T', email: 't@e', timestamp: 1700000000, tzOffsetMinutes: 0 };
function commit(parents: string[], message: string): string {
  return writeObject(
    gitdir,
    'commit',
    formatCommit({ tree: '4b825dc642cb6eb9a060e54bf8d69288fbee4904', parents, author: who, committer: who, message }),
  );
}
test.before.each(() => {
  box = sandbox({ gitInit: false });
  gitdir = box.bare();
});
test.after.each(() => box.cleanup());

test('update, read, and native git sees the same value', () => {
  const a = commit([], 'a\n');
  updateRef(gitdir, 'refs/heads/snapshots', a, null);
  assert.is(readRef(gitdir, 'refs/heads/snapshots'), a);
  assert.is(box.git(['--git-dir', gitdir, 'rev-parse', 'snapshots']).stdout.trim(), a);
  assert.not.ok(existsSync(join(gitdir, 'refs/heads/snapshots.lock')));
});

test('a compare-and-swap against a moved ref fails with E_LOCKED and leaves the ref alone', () => {
  const a = commit([], 'a\n');
  const b = commit([a], 'b\n');
  updateRef(gitdir, 'refs/heads/x', a, null);
  assert.throws(
    () => updateRef(gitdir, 'refs/heads/x', b, b),
    (e: { code: string }) => e.code === 'E_LOCKED',
  );
  assert.throws(
    () => updateRef(gitdir, 'refs/heads/x', b, null),
    (e: { code: string }) => e.code === 'E_LOCKED',
  );
  assert.is(readRef(gitdir, 'refs/heads/x'), a);
});

test('a ref locked by native git (its .lock file) is not written', () => {
  const a = commit([], 'a\n');
  writeFileSync(join(gitdir, 'refs/heads/held.lock'), '');
  assert.throws(
    () => updateRef(gitdir, 'refs/heads/held', a),
    (e: { code: string }) => e.code === 'E_LOCKED',
  );
  assert.is(readRef(gitdir, 'refs/heads/held'), null);
});

test('packed refs (after git pack-refs) are read, and a loose update wins', () => {
  const a = commit([], 'a\n');
  const b = commit([a], 'b\n');
  updateRef(gitdir, 'refs/tags/amu0/ONE', a, null);
  box.git(['--git-dir', gitdir, 'pack-refs', '--all']);
  assert.not.ok(existsSync(join(gitdir, 'refs/tags/amu0/ONE')));
  assert.is(readRef(gitdir, 'refs/tags/amu0/ONE'), a);
  assert.equal([...listRefs(gitdir, 'refs/tags/amu0/')], [['refs/tags/amu0/ONE', a]]);
  updateRef(gitdir, 'refs/tags/amu0/ONE', b, a);
  assert.is(readRef(gitdir, 'refs/tags/amu0/ONE'), b);
});

test('invalid ref names are refused', () => {
  for (const bad of [
    'refs/heads/a..b',
    'refs/heads/.hidden',
    'refs/heads/x.lock',
    'refs/heads/a b',
    'heads/x',
    'refs/heads/x/',
    'refs/heads/a~1',
  ]) {
    assert.not.ok(isValidRefName(bad), bad);
    assert.throws(
      () => updateRef(gitdir, bad, 'a'.repeat(40)),
      (e: { code: string }) => e.code === 'E_REF_INVALID',
    );
  }
  assert.ok(isValidRefName('refs/heads/runs/M-1/2'));
});

test('revisions resolve as git resolves them: short names, ~N, ^N, abbreviations', async () => {
  const a = commit([], 'a\n');
  const b = commit([a], 'b\n');
  const side = commit([], 'side\n');
  const c = commit([b, side], 'c\n');
  updateRef(gitdir, 'refs/heads/snapshots', c);
  updateRef(gitdir, 'refs/tags/amu0/NAME', b);
  for (const rev of [
    'snapshots',
    'snapshots~1',
    'snapshots^',
    'snapshots^2',
    'snapshots~2',
    'amu0/NAME',
    'amu0/NAME~1',
    c.slice(0, 8),
    c,
  ]) {
    const ours = (await resolveCommit(gitdir, rev)).oid;
    assert.is(ours, box.git(['--git-dir', gitdir, 'rev-parse', `${rev}^{commit}`]).stdout.trim(), rev);
  }
  assert.is((await resolveCommit(gitdir, 'snapshots')).ref, 'refs/heads/snapshots');
});

test('unknown, malformed and too-deep revisions fail with their codes', async () => {
  const a = commit([], 'a\n');
  updateRef(gitdir, 'refs/heads/snapshots', a);
  for (const [rev, code] of [
    ['nope', 'E_REF_NOT_FOUND'],
    ['snapshots~1', 'E_REF_NOT_FOUND'],
    ['a..b', 'E_REF_INVALID'],
    ['HEAD@{1}', 'E_REF_INVALID'],
    ['x:y', 'E_REF_INVALID'],
  ] as const) {
    try {
      await resolveCommit(gitdir, rev);
      assert.unreachable(rev);
    } catch (err) {
      assert.is((err as { code: string }).code, code, rev);
    }
  }
});

test('an ambiguous abbreviation is refused', async () => {
  const seen = new Map<string, string>();
  let pair: [string, string] | null = null;
  for (let i = 0; !pair; i++) {
    const oid = commit([], `m${i}\n`);
    const prefix = oid.slice(0, 4);
    const other = seen.get(prefix);
    if (other) pair = [other, oid];
    seen.set(prefix, oid);
  }
  try {
    await resolveCommit(gitdir, pair[0].slice(0, 4));
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code: string }).code, 'E_REF_AMBIGUOUS');
  }
});

test.run();
