import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { undo } from '../../lib/state/undo.js';
import { gatewayWrite } from '../../lib/gateway/gateway.js';
import { isInside } from '../../lib/gateway/boundary.js';
import { log } from '../../lib/state/log.js';
import type { WriteOp } from '../../lib/gateway/write-set.js';
import { coo, cooProcess } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('write gateway [C-WRITE]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const w = (path: string, content: string, mode?: '100644' | '100755' | '120000'): WriteOp => ({
  kind: 'write',
  path,
  content: Buffer.from(content),
  ...(mode ? { mode } : {}),
});
const state = (...args: string[]): string => box.git(['--git-dir', '.coo/state.git', ...args]).stdout.trim();
test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('keep.txt', 'keep\n');
  box.write('dir/inside.txt', 'inside\n');
});
test.after.each(() => box.cleanup());

test('a write set becomes one commit on `writes`, then the working tree; git agrees and undo reverts it', async () => {
  const result = await gatewayWrite({
    ...o,
    ops: [
      w('new/a.txt', 'a\n'),
      w('run.sh', '#!/bin/sh\n', '100755'),
      w('link', 'keep.txt', '120000'),
      { kind: 'delete', path: 'keep.txt' },
    ],
    message: 'four changes',
  });
  assert.equal(
    result.changes.map((c) => [c.path, c.kind]),
    [
      ['new/a.txt', 'create'],
      ['run.sh', 'create'],
      ['link', 'create'],
      ['keep.txt', 'delete'],
    ],
  );
  assert.is(state('rev-parse', 'writes'), result.commit);
  assert.is(state('rev-parse', 'writes^{tree}'), gitTreeOfWorktree(box));
  assert.is(box.read('new/a.txt'), 'a\n');
  assert.not.ok(existsSync(join(box.repo, 'keep.txt')));
  assert.is(box.git(['--git-dir', '.coo/state.git', 'fsck', '--strict']).status, 0);
  assert.ok(state('log', '-1', '--format=%B', 'writes').includes('Coo-Op: write'));
  await undo(o);
  assert.is(box.read('keep.txt'), 'keep\n');
  assert.not.ok(existsSync(join(box.repo, 'new')));
});

test('one violation refuses the whole set: nothing written, no ref moved, no operation logged, every violation listed', async () => {
  await gatewayWrite({ ...o, ops: [w('first.txt', '1')] });
  const before = { tree: gitTreeOfWorktree(box), writes: state('rev-parse', 'writes'), ops: (await log(o)).length };
  const ops = [
    w('ok.txt', 'fine'),
    w('.git/config', 'x'),
    w('../escape', 'x'),
    w('CON', 'x'),
    w('a\u200bb', 'x'),
    w('ok.txt', 'again'),
  ];
  const data = await expectCode(gatewayWrite({ ...o, ops }), 'E_PATH_TRAVERSAL');
  const violations = data['violations'] as { path: string; check: string; code: string }[];
  assert.equal(
    violations.map((v) => [v.check, v.code, v.path]),
    [
      ['syntax', 'E_PATH_TRAVERSAL', '../escape'],
      ['syntax', 'E_PATH_INVISIBLE_CHAR', 'a\u200bb'],
      ['reserved', 'E_PATH_DOTGIT', '.git/config'],
      ['reserved', 'E_PATH_RESERVED_NAME', 'CON'],
      ['collisions', 'E_WRITE_DUPLICATE', 'ok.txt'],
    ],
  );
  assert.is(gitTreeOfWorktree(box), before.tree);
  assert.is(state('rev-parse', 'writes'), before.writes);
  assert.is((await log(o)).length, before.ops);
  assert.not.ok(existsSync(join(box.repo, 'ok.txt')));
});

test('judged first: a refused write moves no ref, whether the write set alone or the tree refuses it', async () => {
  await gatewayWrite({ ...o, ops: [w('first.txt', '1')] });
  box.write('changed.txt', 'a change since the last write\n');
  const refs = (): string => state('for-each-ref', '--format=%(refname) %(objectname)');
  const before = refs();
  // The write set alone: a protected path and a path git refuses, before the tree is read.
  await expectCode(
    gatewayWrite({ ...o, ops: [w('.coo/config.json', '{}'), w('ok.txt', 'x')] }),
    'E_GOVERNANCE_PROTECTED',
  );
  assert.is(refs(), before);
  // The tree: a case twin of a file that exists, found only once the tree is captured.
  await expectCode(gatewayWrite({ ...o, ops: [w('KEEP.txt', 'twin'), w('ok.txt', 'x')] }), 'E_PATH_CASE_TWIN');
  assert.is(refs(), before);
  assert.not.ok(existsSync(join(box.repo, 'ok.txt')));
  // A write that passes records its safety snapshot first, then `writes`.
  const done = await gatewayWrite({ ...o, ops: [w('ok.txt', 'x')] });
  assert.is(state('rev-parse', 'safety'), done.safety);
  assert.is(state('rev-parse', `${done.commit}^{tree}`), gitTreeOfWorktree(box));
});

test('the same bad input gives the same bytes of error, every time', async () => {
  const run = async (): Promise<string> =>
    (await coo(['write', 'sub/.GIT/hooks/pre-commit', '--json'], { ...o, input: 'x' })).stdout;
  const first = await run();
  assert.is(JSON.parse(first).code, 'E_PATH_DOTGIT');
  assert.is(await run(), first);
  assert.is(await run(), first);
});

test('collisions: file over a directory, directory over a file, case twins, missing deletes, changed bases', async () => {
  await expectCode(gatewayWrite({ ...o, ops: [w('dir', 'a file where a directory is')] }), 'E_COLLISION_FILE_DIR');
  await expectCode(gatewayWrite({ ...o, ops: [w('keep.txt/child', 'under a file')] }), 'E_COLLISION_FILE_DIR');
  await expectCode(gatewayWrite({ ...o, ops: [w('KEEP.txt', 'twin')] }), 'E_PATH_CASE_TWIN');
  await expectCode(gatewayWrite({ ...o, ops: [{ kind: 'delete', path: 'nope.txt' }] }), 'E_PATH_NOT_FOUND');
  const keepOid = box.git(['hash-object', 'keep.txt']).stdout.trim();
  await expectCode(
    gatewayWrite({
      ...o,
      ops: [{ kind: 'write', path: 'keep.txt', content: Buffer.from('x'), expect: '0'.repeat(40) }],
    }),
    'E_CHANGED_SINCE_BASE',
  );
  await gatewayWrite({
    ...o,
    ops: [{ kind: 'write', path: 'keep.txt', content: Buffer.from('based on what I read\n'), expect: keepOid }],
  });
  // Said explicitly, a directory may become a file (and a file may give way to one).
  await gatewayWrite({ ...o, ops: [{ kind: 'delete', path: 'dir/inside.txt' }, w('dir', 'now a file')] });
  assert.is(box.read('dir'), 'now a file');
});

test('filesystem boundary: symlinked parents, hard links, FIFOs and uncaptured files are refused', async () => {
  const outside = join(box.dir, 'outside');
  mkdirSync(outside);
  symlinkSync(outside, join(box.repo, 'escape'));
  // A captured link is a tree entry: writing below it is a file/directory collision…
  await expectCode(gatewayWrite({ ...o, ops: [w('escape/pwned.txt', 'x')] }), 'E_COLLISION_FILE_DIR');
  // …and an ignored one is caught on disk by the boundary check.
  box.write('.gitignore', 'escape\n');
  await expectCode(gatewayWrite({ ...o, ops: [w('escape/pwned.txt', 'x')] }), 'E_SYMLINK_IN_PATH');
  assert.equal(readdirSync(outside), []);
  linkSync(join(box.repo, 'keep.txt'), join(box.dir, 'hardlink-elsewhere'));
  await expectCode(gatewayWrite({ ...o, ops: [w('keep.txt', 'x')] }), 'E_PATH_HARDLINK');
  assert.is(spawnSync('mkfifo', [join(box.repo, 'fifo')]).status, 0);
  await expectCode(gatewayWrite({ ...o, ops: [w('fifo', 'x')] }), 'E_PATH_SPECIAL_FILE');
  box.write('.gitignore', 'escape\nignored.log\n');
  box.write('ignored.log', 'precious');
  await expectCode(gatewayWrite({ ...o, ops: [w('ignored.log', 'x')] }), 'E_WORKTREE_CONFLICT');
  assert.is(box.read('ignored.log'), 'precious');
});

test('case twins are judged on every component: a new SRC/ beside src/, within the tree and within the set', async () => {
  const twin = await expectCode(gatewayWrite({ ...o, ops: [w('DIR/new.txt', 'x')] }), 'E_PATH_CASE_TWIN');
  assert.equal((twin['violations'] as { data: unknown }[])[0]?.data, { existing: 'dir' });
  await expectCode(gatewayWrite({ ...o, ops: [w('Dir/deeper/new.txt', 'x')] }), 'E_PATH_CASE_TWIN');
  await expectCode(gatewayWrite({ ...o, ops: [w('KEEP.txt/x', 'x')] }), 'E_PATH_CASE_TWIN');
  await expectCode(gatewayWrite({ ...o, ops: [w('lib/a.js', 'a'), w('LIB/b.js', 'b')] }), 'E_PATH_CASE_TWIN');
  assert.not.ok(existsSync(join(box.repo, 'DIR')));
  assert.not.ok(existsSync(join(box.repo, 'lib')));
  await gatewayWrite({ ...o, ops: [w('dir/new.txt', 'same spelling'), w('lib/a.js', 'a'), w('lib/b.js', 'b')] });
  // Once nothing remains under dir/, another spelling is free.
  await gatewayWrite({
    ...o,
    ops: [{ kind: 'delete', path: 'dir/inside.txt' }, { kind: 'delete', path: 'dir/new.txt' }, w('DIR/x', 'x')],
  });
});

test('the length limit counts the root, before any I/O: a path the kernel would refuse is E_PATH_TOO_LONG, one that fits is written', async () => {
  const ofBytes = (bytes: number): string => {
    const parts: string[] = [];
    for (; bytes > 201; bytes -= 201) parts.push('a'.repeat(200));
    return [...parts, 'b'.repeat(bytes)].join('/');
  };
  const before = state('for-each-ref', '--format=%(refname) %(objectname)');
  // 4,096 bytes: longer than any path the kernel takes (PATH_MAX counts the NUL).
  await expectCode(gatewayWrite({ ...o, ops: [w(ofBytes(4096), 'x')] }), 'E_PATH_TOO_LONG');
  const root = box.repo;
  const room = 4095 - Buffer.byteLength(root) - 1;
  const over = await expectCode(gatewayWrite({ ...o, ops: [w(ofBytes(room + 1), 'x')] }), 'E_PATH_TOO_LONG');
  assert.is((over['violations'] as { check: string }[])[0]?.check, 'limits');
  assert.is(state('for-each-ref', '--format=%(refname) %(objectname)'), before, 'refused before anything was stored');
  const fits = ofBytes(room);
  await gatewayWrite({ ...o, ops: [w(fits, 'at the limit\n')] });
  assert.is(box.read(fits), 'at the limit\n');
});

test('NUL in a path is E_PATH_INVALID; a first component a shell expands (~, ~user) is E_PATH_RESERVED_NAME', async () => {
  await expectCode(gatewayWrite({ ...o, ops: [w('a\u0000b', 'x')] }), 'E_PATH_INVALID');
  for (const path of ['~/x', '~', '~root/.ssh/authorized_keys', '~+/x'])
    await expectCode(gatewayWrite({ ...o, ops: [w(path, 'x')] }), 'E_PATH_RESERVED_NAME');
  const cli = await coo(['write', '~/.bashrc', '--json'], { ...o, input: 'x' });
  assert.equal([cli.code, cli.json()['code']], [3, 'E_PATH_RESERVED_NAME']);
  assert.not.ok(existsSync(join(box.repo, '~')));
  await gatewayWrite({ ...o, ops: [w('notes/~draft.md', 'fine')] });
});

test("a root whose name is a prefix of a sibling's is not its parent", () => {
  assert.ok(isInside('/srv/repo', '/srv/repo/a'));
  assert.ok(isInside('/srv/repo', '/srv/repo'));
  assert.not.ok(isInside('/srv/repo', '/srv/repo-evil'));
  assert.not.ok(isInside('/srv/repo', '/srv/rep'));
});

test("a mission's scope and ceilings bound the write", async () => {
  const mission = {
    mission: 'M-1',
    rules: [
      { rule: 'create' as const, pattern: 'docs/**' },
      { rule: 'modify' as const, pattern: 'keep.txt' },
    ],
    ceilings: { maxFiles: 2, maxFileBytes: 100 },
  };
  await gatewayWrite({ ...o, mission, ops: [w('docs/a.md', 'a'), w('keep.txt', 'k')] });
  const denied = await expectCode(gatewayWrite({ ...o, mission, ops: [w('src/x.ts', 'x')] }), 'E_SCOPE_DENIED');
  assert.equal(
    (denied['violations'] as { path: string }[]).map((v) => v.path),
    ['src/x.ts'],
  );
  await expectCode(gatewayWrite({ ...o, mission, ops: [{ kind: 'delete', path: 'keep.txt' }] }), 'E_SCOPE_DENIED');
  await expectCode(gatewayWrite({ ...o, mission, ops: [w('docs/big.md', 'x'.repeat(101))] }), 'E_CEILING_FILE_SIZE');
  await expectCode(
    gatewayWrite({ ...o, mission, ops: [w('docs/1.md', '1'), w('docs/2.md', '2'), w('docs/3.md', '3')] }),
    'E_CEILING_FILES',
  );
  assert.ok(state('log', '-1', '--format=%B', 'writes').includes('Coo-Mission: M-1'));
});

test('from the CLI: stdin, --from, --exec, --symlink, --set, rm, and a mission file', async () => {
  box.write('source.txt', 'from a file\n');
  assert.is((await coo(['write', 'one.txt'], { ...o, input: 'from stdin\n' })).code, 0);
  assert.is((await coo(['write', 'two.sh', '--from', 'source.txt', '--exec'], o)).code, 0);
  assert.is((await coo(['write', 'three', '--symlink', 'one.txt'], o)).code, 0);
  box.write(
    'set.json',
    JSON.stringify([
      { path: 'four.txt', content: 'four' },
      { path: 'one.txt', delete: true },
    ]),
  );
  const set = await coo(['write', '--set', 'set.json', '--json'], o);
  assert.is(set.code, 0, set.stderr);
  assert.is((await coo(['rm', 'four.txt', 'two.sh'], o)).code, 0);
  assert.equal(
    ['one.txt', 'two.sh', 'four.txt'].map((p) => existsSync(join(box.repo, p))),
    [false, false, false],
  );
  box.write(
    'mission.json',
    JSON.stringify({
      version: 1,
      id: 'M-2',
      scope: { rules: [{ rule: 'create', pattern: 'out/**' }] },
      steps: [{ kind: 'command', run: 'true' }],
    }),
  );
  const refused = cooProcess(['write', 'elsewhere.txt', '--mission', 'mission.json', '--json'], { ...o, input: 'x' });
  assert.is(refused.code, 3);
  assert.is(refused.json<{ code: string }>().code, 'E_SCOPE_DENIED');
  assert.is(cooProcess(['write', 'out/ok.txt', '--mission', 'mission.json'], { ...o, input: 'x' }).code, 0);
  box.write(
    'bad-mission.json',
    JSON.stringify({ version: 1, id: 'has space', scope: { rules: [] }, steps: [{ kind: 'command', run: 'true' }] }),
  );
  const bad = await coo(['write', 'x.txt', '--mission', 'bad-mission.json', '--json'], { ...o, input: 'x' });
  assert.equal(
    [
      bad.code,
      bad.json<{ code: string; data: { pointer: string } }>().code,
      bad.json<{ data: { pointer: string } }>().data.pointer,
    ],
    [2, 'E_MISSION_INVALID', '/id'],
  );
});

test('after a snapshot, the gateway reuses the stat cache and its writes show in coo diff', async () => {
  await snapshot(o);
  await gatewayWrite({ ...o, ops: [w('keep.txt', 'changed through the gateway\n')] });
  const diff = await coo(['diff', '--stat', '--json'], o);
  assert.equal(
    diff.json<{ changes: { path: string }[] }>().changes.map((c) => c.path),
    ['keep.txt'],
  );
});

test('a write into an ignored directory can be undone, written again and removed: coo knows what it wrote', async () => {
  box.write('.gitignore', 'generated/\n');
  box.write('generated/by-hand.txt', "not coo's");
  await snapshot(o);
  const first = await gatewayWrite({ ...o, ops: [w('generated/report.txt', 'one\n')] });
  assert.equal(
    first.changes.map((c) => c.kind),
    ['create'],
  );
  assert.is(box.read('generated/report.txt'), 'one\n');
  const undone = await undo(o);
  assert.is(undone.removed, 1);
  assert.not.ok(existsSync(join(box.repo, 'generated', 'report.txt')));
  assert.is(box.read('generated/by-hand.txt'), "not coo's");
  await gatewayWrite({ ...o, ops: [w('generated/report.txt', 'one\n')] });
  const again = await gatewayWrite({ ...o, ops: [w('generated/report.txt', 'two\n')] });
  assert.equal(
    again.changes.map((c) => c.kind),
    ['modify'],
  );
  await gatewayWrite({ ...o, ops: [{ kind: 'delete', path: 'generated/report.txt' }] });
  assert.not.ok(existsSync(join(box.repo, 'generated', 'report.txt')));
  // A file in the ignored directory that coo did not write is still no business of coo's.
  await expectCode(gatewayWrite({ ...o, ops: [w('generated/by-hand.txt', 'overwrite')] }), 'E_WORKTREE_CONFLICT');
});

test('a large write set stores its objects in one pack; git reads it and undo reverts it', async () => {
  const ops = Array.from({ length: 30 }, (_, i) => w(`bulk/d${i % 3}/f${i}.txt`, `content ${i}\n`));
  const result = await gatewayWrite({ ...o, ops, message: 'thirty files' });
  assert.is(state('rev-parse', 'writes^{tree}'), gitTreeOfWorktree(box));
  const packs = readdirSync(join(box.repo, '.coo', 'state.git', 'objects', 'pack')).filter((n) => n.endsWith('.pack'));
  assert.ok(packs.length >= 1, 'the blobs and trees went into a pack');
  for (let i = 0; i < 30; i += 7)
    assert.is(state('cat-file', 'blob', `${result.commit}:bulk/d${i % 3}/f${i}.txt`), `content ${i}`);
  assert.is(box.git(['--git-dir', '.coo/state.git', 'fsck', '--strict']).status, 0);
  await undo(o);
  assert.not.ok(existsSync(join(box.repo, 'bulk')));
});

test.run();
