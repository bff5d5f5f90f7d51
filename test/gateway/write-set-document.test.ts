import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeBase64Strict } from '../../lib/gateway/write-set-document.js';
import { initRepo } from '../../lib/state/init.js';
import { coo } from '../helpers/cli.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// `coo write --set FILE`: a write set is a document with a schema. Nothing in it is ignored or
// read leniently, and its `from` files never reach coo's own files, a .git, or outside the tree.

const test = suite('write set documents [C-WRITE] [C-DOCUMENTS]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
let keep: string;
test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('keep.txt', 'keep\n');
  keep = box.git(['hash-object', 'keep.txt']).stdout.trim();
});
test.after.each(() => box.cleanup());

const writeSet = async (doc: unknown, raw?: string) => {
  writeFileSync(join(box.dir, 'set.json'), raw ?? JSON.stringify(doc));
  const run = await coo(['write', '--set', join(box.dir, 'set.json'), '--json'], o);
  const out = run.json<{ code?: string; data?: Record<string, unknown> }>();
  return { code: run.code, error: out.code, data: out.data ?? {} };
};
const refusedAs = async (doc: unknown, error: string, pointer?: string) => {
  const run = await writeSet(doc);
  assert.is(run.error, error, JSON.stringify(doc));
  if (pointer !== undefined) assert.is(run.data['pointer'], pointer, JSON.stringify(doc));
  assert.is(box.read('keep.txt'), 'keep\n');
  assert.not.ok(existsSync(join(box.repo, 'new.txt')));
  return run;
};

test('[null], a bare value, an empty set and an entry with no content are E_WRITE_SET_INVALID at the entry', async () => {
  const run = await refusedAs([null], 'E_WRITE_SET_INVALID', '/0');
  assert.equal([run.code, run.data['problem']], [2, 'schema']);
  await refusedAs({ path: 'new.txt', content: 'x' }, 'E_WRITE_SET_INVALID', '');
  await refusedAs([], 'E_WRITE_SET_INVALID', '');
  await refusedAs([{ path: 'new.txt' }], 'E_WRITE_SET_INVALID');
  await refusedAs([{ path: 'new.txt', content: 'x', contentBase64: 'eA==' }], 'E_WRITE_SET_INVALID');
  await refusedAs([{ path: 'new.txt', delete: false }], 'E_WRITE_SET_INVALID');
});

test('an unknown field is refused, not ignored; `expect` is honoured', async () => {
  await refusedAs([{ path: 'new.txt', content: 'x', expected: null }], 'E_WRITE_SET_INVALID', '/0/expected');
  await refusedAs([{ path: 'keep.txt', delete: true, force: true }], 'E_WRITE_SET_INVALID', '/0/force');
  await refusedAs([{ path: 'keep.txt', content: 'new', expect: 'a'.repeat(40) }], 'E_CHANGED_SINCE_BASE');
  await refusedAs([{ path: 'keep.txt', content: 'new', expect: null }], 'E_CHANGED_SINCE_BASE');
  await refusedAs([{ path: 'keep.txt', delete: true, expect: 'b'.repeat(40) }], 'E_CHANGED_SINCE_BASE');
  await refusedAs([{ path: 'keep.txt', content: 'new', expect: 'not an id' }], 'E_WRITE_SET_INVALID', '/0/expect');
  const ok = await writeSet([
    { path: 'keep.txt', content: 'new\n', expect: keep },
    { path: 'new.txt', content: 'n\n', expect: null },
  ]);
  assert.is(ok.code, 0);
  assert.is(box.read('keep.txt'), 'new\n');
});

test('base64 is decoded strictly: no missing padding, stray bits, other alphabets, spaces or line breaks', async () => {
  for (const bad of ['YQ', 'YR==', 'Y Q==', 'YQ==\n', '-_8=', 'YQ==YQ==', '====', 'YQ=', '*'])
    await refusedAs([{ path: 'new.txt', contentBase64: bad }], 'E_WRITE_SET_INVALID', '/0/contentBase64');
  assert.equal(decodeBase64Strict(''), Buffer.alloc(0));
  assert.equal(decodeBase64Strict('+/8='), Buffer.from([0xfb, 0xff]));
  const ok = await writeSet([{ path: 'new.txt', contentBase64: Buffer.from('exact\n').toString('base64') }]);
  assert.is(ok.code, 0);
  assert.is(box.read('new.txt'), 'exact\n');
});

test('a key named twice, or a document nested too deep, is refused', async () => {
  const twice = await writeSet(null, '[{"path": "new.txt", "content": "a", "path": "keep.txt"}]');
  assert.equal(
    [twice.error, twice.data['problem'], twice.data['pointer']],
    ['E_WRITE_SET_INVALID', 'duplicate-key', '/0/path'],
  );
  const deep = await writeSet(null, `[${'['.repeat(100_000)}${']'.repeat(100_000)}]`);
  assert.equal([deep.error, deep.data['problem']], ['E_WRITE_SET_INVALID', 'too-deep']);
});

test("`from` never reads coo's own files, a .git, or anything outside the repository, through any link", async () => {
  const key = join('.coo', 'keys', 'id_ed25519');
  assert.ok(existsSync(join(box.repo, key)), 'coo init made a key');
  await refusedAs([{ path: 'new.txt', from: join(box.repo, key) }], 'E_PATH_PRIVATE');
  await refusedAs([{ path: 'new.txt', from: join(box.repo, '.coo', 'config.json') }], 'E_PATH_PRIVATE');
  await refusedAs([{ path: 'new.txt', from: join(box.repo, '.coo', 'state.git', 'HEAD') }], 'E_PATH_PRIVATE');
  await refusedAs([{ path: 'new.txt', from: join(box.repo, '.git', 'config') }], 'E_PATH_DOTGIT');
  symlinkSync(join(box.repo, key), join(box.repo, 'innocent.txt'));
  await refusedAs([{ path: 'new.txt', from: join(box.repo, 'innocent.txt') }], 'E_PATH_PRIVATE');
  mkdirSync(join(box.repo, 'sub'));
  symlinkSync(join(box.repo, '.coo'), join(box.repo, 'sub', 'c'));
  await refusedAs([{ path: 'new.txt', from: join(box.repo, 'sub', 'c', 'keys', 'id_ed25519') }], 'E_PATH_PRIVATE');
  writeFileSync(join(box.dir, 'outside.txt'), 'outside\n');
  await refusedAs([{ path: 'new.txt', from: join(box.dir, 'outside.txt') }], 'E_PATH_OUTSIDE_ROOT');
  await refusedAs([{ path: 'new.txt', from: '../outside.txt' }], 'E_PATH_OUTSIDE_ROOT');
  box.write('src/data.txt', 'data\n');
  const ok = await writeSet([{ path: 'new.txt', from: 'src/data.txt' }]);
  assert.is(ok.code, 0);
  assert.is(box.read('new.txt'), 'data\n');
  const grep = box.git(['--git-dir', '.coo/state.git', 'grep', '-l', 'OPENSSH', 'writes']);
  assert.is(grep.stdout, '', 'no key in any write');
});

test("--from may name a file outside the repository, never coo's own files or a .git", async () => {
  const key = join(box.repo, '.coo', 'keys', 'id_ed25519');
  const cli = (from: string) => coo(['write', 'new.txt', '--from', from, '--json'], o);
  assert.equal((await cli(key)).json()['code'], 'E_PATH_PRIVATE');
  assert.equal((await cli('.git/config')).json()['code'], 'E_PATH_DOTGIT');
  assert.not.ok(existsSync(join(box.repo, 'new.txt')));
  writeFileSync(join(box.dir, 'outside.txt'), 'outside\n');
  assert.is((await cli(join(box.dir, 'outside.txt'))).code, 0);
  assert.is(box.read('new.txt'), 'outside\n');
});

test("paths in a write set get the gateway's codes: NUL is E_PATH_INVALID, ~ first is E_PATH_RESERVED_NAME", async () => {
  await refusedAs([{ path: 'a\u0000b', content: 'x' }], 'E_PATH_INVALID');
  await refusedAs([{ path: '~/.bashrc', content: 'x' }], 'E_PATH_RESERVED_NAME');
  await refusedAs([{ path: 'KEEP.TXT/new.txt', content: 'x' }], 'E_PATH_CASE_TWIN');
});

test.run();
