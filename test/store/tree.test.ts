import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fc } from '../helpers/property.js';
import { writeObject } from '../../lib/store/loose-objects.js';
import { readFlatTree, writeTreeFromFiles, type FileRecord } from '../../lib/store/flat-tree.js';
import { formatTree, parseTree } from '../../lib/store/tree.js';
import { hashObject } from '../../lib/store/git-object.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('trees [C-STORE]');
let box: Sandbox;
let gitdir: string;
test.before.each(() => {
  box = sandbox({ gitInit: false });
  gitdir = box.bare();
});
test.after.each(() => box.cleanup());

/** The root tree id native git computes for the same files (through a scratch index). */
function gitTreeOf(files: readonly FileRecord[]): string {
  const env = { GIT_INDEX_FILE: join(box.dir, 'scratch-index') };
  box.git(['--git-dir', gitdir, 'read-tree', '--empty'], { env });
  const input = files.map((f) => `${f.mode} ${f.oid}\t${f.path}`).join('\n');
  const added = box.git(['--git-dir', gitdir, 'update-index', '--add', '--index-info'], { env, input });
  assert.is(added.status, 0, added.stderr);
  return box.git(['--git-dir', gitdir, 'write-tree'], { env }).stdout.trim();
}

test('entry order follows git: a directory sorts as if its name ended in /', () => {
  const blob = writeObject(gitdir, 'blob', Buffer.from('x'));
  const files: FileRecord[] = ['a', 'a-b', 'a.txt', 'a/b', 'a0', 'b/c/d', '\u00e9', 'z'].map((path) => ({
    path,
    mode: '100644',
    oid: blob,
  }));
  files.push({ path: 'run.sh', mode: '100755', oid: blob }, { path: 'link', mode: '120000', oid: blob });
  const ours = writeTreeFromFiles(
    files.filter((f) => f.path !== 'a'),
    (type, c) => writeObject(gitdir, type, c),
  );
  assert.is(ours, gitTreeOf(files.filter((f) => f.path !== 'a')));
  assert.is(box.git(['--git-dir', gitdir, 'fsck', '--strict']).status, 0);
});

test("the empty tree has git's well-known id", () => {
  assert.is(
    writeTreeFromFiles([], (type, c) => hashObject(type, c)),
    '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  );
});

test('a path that is both a file and a directory is refused', () => {
  const blob = writeObject(gitdir, 'blob', Buffer.from('x'));
  assert.throws(() =>
    writeTreeFromFiles(
      [
        { path: 'a', mode: '100644', oid: blob },
        { path: 'a/b', mode: '100644', oid: blob },
      ],
      (t, c) => hashObject(t, c),
    ),
  );
});

test('a tree entry whose id is not 40 hex digits is refused, never written with stray bytes', () => {
  const good = 'a'.repeat(40);
  assert.is(formatTree([{ name: 'f', mode: '100644', oid: good }]).length, 'f'.length + 6 + 2 + 20);
  for (const oid of ['', 'a'.repeat(39), 'a'.repeat(41), 'z'.repeat(40), `${'a'.repeat(38)}zz`]) {
    assert.throws(
      () => formatTree([{ name: 'f', mode: '100644', oid }]),
      (err: Error & { code?: string }) => err.code === 'E_INTERNAL',
      oid,
    );
  }
});

test('parseTree refuses duplicate names and bad modes', () => {
  const oid = 'a'.repeat(40);
  const dup = Buffer.concat([
    formatTree([{ name: 'x', mode: '100644', oid }]),
    formatTree([{ name: 'x', mode: '100644', oid }]),
  ]);
  assert.throws(
    () => parseTree(dup),
    (e: { code: string }) => e.code === 'E_STATE_CORRUPT',
  );
  const bad = Buffer.concat([Buffer.from('100664 x\0'), Buffer.from(oid, 'hex')]);
  assert.throws(
    () => parseTree(bad),
    (e: { code: string }) => e.code === 'E_STATE_CORRUPT',
  );
});

const name = fc.constantFrom('a', 'b', 'a.b', 'a-b', 'A', '\u00e9', '\u{1f600}', 'z z', '_');
const pathArb = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));

test('property: any file set gives the same root tree id as native git, and reads back identically', async () => {
  const blob = writeObject(gitdir, 'blob', Buffer.from('content'));
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(pathArb, { minLength: 1, maxLength: 12 }), async (paths) => {
      // Drop paths that would make a file also a directory.
      const kept = paths.filter((p) => !paths.some((q) => q !== p && q.startsWith(`${p}/`)));
      const files = kept.map((path, i) => ({
        path,
        mode: (['100644', '100755', '120000'] as const)[i % 3] as FileRecord['mode'],
        oid: blob,
      }));
      const ours = writeTreeFromFiles(files, (type, c) => writeObject(gitdir, type, c));
      assert.is(ours, gitTreeOf(files));
      const back = await readFlatTree(gitdir, ours);
      assert.equal(back.files.map((f) => f.path).sort(), kept.slice().sort());
    }),
    { numRuns: 25 },
  );
});

test.run();
