import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { rollback } from '../../lib/baseline/rollback.js';
import { undo } from '../../lib/state/undo.js';
import { log } from '../../lib/state/log.js';
import { formatCommit } from '../../lib/store/commit.js';
import { writeObject } from '../../lib/store/loose-objects.js';
import { formatTree } from '../../lib/store/tree.js';
import { updateRef } from '../../lib/store/refs.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('rollback [C-ROLLBACK] [C-UNDO]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
});
test.after.each(() => box.cleanup());

function populate(): void {
  box.write('a.txt', 'alpha\n');
  box.write('bin/run.sh', '#!/bin/sh\n', 0o755);
  box.write('bin/tool', 'tool\n', 0o644);
  box.write('data.bin', Buffer.from([0, 1, 2, 255, 254, 0, 10]));
  box.write('dir/nested/deep.txt', 'deep\n');
  box.write('becomes-dir', 'a file first\n');
  box.write('becomes-file/child.txt', 'in a dir first\n');
  box.link('link-to-a', 'a.txt');
  box.link('dangling', 'missing/target');
  box.write('.gitignore', '*.log\n');
}

test('the working tree becomes byte-identical: content, exec bit, symlinks, deletions, additions, file<->dir', async () => {
  populate();
  const snap = await snapshot({ ...o, message: 'good' });
  // Everything an agent or a shell could do to it:
  box.write('a.txt', 'ALPHA changed\n');
  box.write('bin/run.sh', '#!/bin/sh\n', 0o644);
  box.write('bin/tool', 'tool\n', 0o755);
  rmSync(join(box.repo, 'data.bin'));
  rmSync(join(box.repo, 'dir'), { recursive: true });
  rmSync(join(box.repo, 'becomes-dir'));
  box.write('becomes-dir/inside.txt', 'now a dir\n');
  rmSync(join(box.repo, 'becomes-file'), { recursive: true });
  box.write('becomes-file', 'now a file\n');
  rmSync(join(box.repo, 'link-to-a'));
  box.write('link-to-a', 'a regular file now\n');
  rmSync(join(box.repo, 'dangling'));
  box.link('dangling', 'elsewhere');
  box.write('added/by/agent.txt', 'new\n');
  const result = await rollback({ ...o, to: 'snapshots' });
  assert.is(gitTreeOfWorktree(box), snap.tree);
  assert.is(result.target, snap.commit);
  assert.is(box.read('a.txt'), 'alpha\n');
  assert.ok((statSync(join(box.repo, 'bin/run.sh')).mode & 0o100) !== 0);
  assert.ok((statSync(join(box.repo, 'bin/tool')).mode & 0o100) === 0);
  assert.is(readlinkSync(join(box.repo, 'link-to-a')), 'a.txt');
  assert.is(readlinkSync(join(box.repo, 'dangling')), 'missing/target');
  assert.not.ok(existsSync(join(box.repo, 'added')));
  assert.ok(lstatSync(join(box.repo, 'becomes-dir')).isFile());
  assert.ok(lstatSync(join(box.repo, 'becomes-file')).isDirectory());
  assert.equal(readFileSync(join(box.repo, 'data.bin')), Buffer.from([0, 1, 2, 255, 254, 0, 10]));
});

test('ignored files, .git and .coo are never touched', async () => {
  populate();
  box.write('keep.log', 'ignored, precious\n');
  box.git(['add', 'a.txt']);
  box.git(['commit', '-q', '-m', 'user commit']);
  const head = box.git(['rev-parse', 'HEAD']).stdout;
  const index = readFileSync(join(box.repo, '.git', 'index'));
  await snapshot(o);
  box.write('keep.log', 'ignored, changed since, still precious\n');
  writeFileSync(join(box.repo, '.coo', 'config.json'), '{"version":1,"capture":{"maxNewFileBytes":5000}}\n');
  box.write('a.txt', 'changed\n');
  await rollback({ ...o, to: 'snapshots' });
  assert.is(box.read('keep.log'), 'ignored, changed since, still precious\n');
  assert.is(box.read('.coo/config.json'), '{"version":1,"capture":{"maxNewFileBytes":5000}}\n');
  assert.is(box.git(['rev-parse', 'HEAD']).stdout, head);
  assert.equal(readFileSync(join(box.repo, '.git', 'index')), index);
  assert.is(box.read('a.txt'), 'alpha\n');
});

test('every rollback can be undone: the safety snapshot holds the tree from before', async () => {
  populate();
  await snapshot(o);
  box.write('a.txt', 'work in progress the agent must not lose\n');
  box.write('new.txt', 'also new\n');
  const before = gitTreeOfWorktree(box);
  const back = await rollback({ ...o, to: 'snapshots' });
  assert.is(box.read('a.txt'), 'alpha\n');
  const undone = await undo(o);
  assert.is(undone.target, back.safety);
  assert.is(gitTreeOfWorktree(box), before);
  assert.is(box.read('new.txt'), 'also new\n');
  // and the undo itself can be undone
  await undo(o);
  assert.is(box.read('a.txt'), 'alpha\n');
  const ops = (await log(o)).map((e) => e.op);
  assert.equal(ops.slice(0, 4), ['undo', 'undo', 'rollback', 'snapshot']);
});

test('rollback to the same snapshot twice changes nothing the second time', async () => {
  populate();
  await snapshot(o);
  box.write('a.txt', 'x\n');
  await rollback({ ...o, to: 'snapshots' });
  const again = await rollback({ ...o, to: 'snapshots' });
  assert.equal([again.written, again.removed, again.chmod], [0, 0, 0]);
});

test('an uncaptured file in the way is a conflict: refused before anything is written', async () => {
  box.write('a.txt', 'alpha\n');
  box.write('later.txt', 'captured\n');
  await snapshot(o);
  rmSync(join(box.repo, 'later.txt'));
  box.write('.gitignore', 'later.txt\n');
  box.write('later.txt', 'ignored now, and precious\n');
  box.write('a.txt', 'changed\n');
  const safety = box.git(['--git-dir', '.coo/state.git', 'rev-parse', '-q', '--verify', 'safety']).stdout;
  const data = await expectCode(rollback({ ...o, to: 'snapshots' }), 'E_WORKTREE_CONFLICT');
  assert.equal(data['paths'], ['later.txt']);
  // Judged before the safety snapshot is recorded: a refused rollback moves no ref.
  assert.is(box.git(['--git-dir', '.coo/state.git', 'rev-parse', '-q', '--verify', 'safety']).stdout, safety);
  assert.is(box.read('later.txt'), 'ignored now, and precious\n');
  assert.is(box.read('a.txt'), 'changed\n');
});

test('a symbolic link on the way is never written through', async () => {
  box.write('dir/file.txt', 'inside\n');
  await snapshot(o);
  const outside = join(box.dir, 'outside');
  mkdirSync(outside);
  rmSync(join(box.repo, 'dir'), { recursive: true });
  symlinkSync(outside, join(box.repo, 'dir'));
  box.write('.gitignore', 'dir\n'); // the link is not captured, so coo may not remove it
  await expectCode(rollback({ ...o, to: 'snapshots' }), 'E_SYMLINK_IN_PATH');
  assert.not.ok(existsSync(join(outside, 'file.txt')));
  // A captured link is part of the state: it is replaced by the real directory, and the target is untouched.
  rmSync(join(box.repo, '.gitignore'));
  await rollback({ ...o, to: 'snapshots' });
  assert.ok(lstatSync(join(box.repo, 'dir')).isDirectory());
  assert.is(box.read('dir/file.txt'), 'inside\n');
  assert.not.ok(existsSync(join(outside, 'file.txt')));
});

test('a state holding unsafe paths is refused whole, before the safety snapshot and before any write', async () => {
  box.write('a.txt', 'alpha\n');
  await snapshot(o);
  const gitdir = join(box.repo, '.coo', 'state.git');
  const blob = writeObject(gitdir, 'blob', Buffer.from('[core]\n\thooksPath = /tmp/evil\n'));
  const who = { name: 'x', email: 'x@x', timestamp: 1, tzOffsetMinutes: 0 };
  for (const [name, code] of [
    ['..', 'E_PATH_TRAVERSAL'],
    ['.GIT', 'E_PATH_DOTGIT'],
    ['.git', 'E_PATH_DOTGIT'],
    ['a\\b', 'E_PATH_BACKSLASH'],
  ] as const) {
    const inner = writeObject(gitdir, 'tree', formatTree([{ name: 'config', mode: '100644', oid: blob }]));
    const tree = writeObject(
      gitdir,
      'tree',
      formatTree([
        { name, mode: '40000', oid: inner },
        { name: 'ok.txt', mode: '100644', oid: blob },
      ]),
    );
    const commit = writeObject(
      gitdir,
      'commit',
      formatCommit({ tree, parents: [], author: who, committer: who, message: 'evil\n' }),
    );
    updateRef(gitdir, 'refs/heads/evil', commit);
    const opsBefore = (await log(o)).length;
    const data = await expectCode(rollback({ ...o, to: 'evil' }), code);
    assert.ok((data['paths'] as { path: string }[]).some((p) => p.path === `${name}/config`));
    assert.not.ok(existsSync(join(box.repo, 'ok.txt')));
    assert.is((await log(o)).length, opsBefore);
  }
  assert.is(box.read('a.txt'), 'alpha\n');
});

test('rollback with no REF needs a baseline; unknown names fail clearly', async () => {
  box.write('a.txt', 'alpha\n');
  await snapshot(o);
  await expectCode(rollback(o), 'E_NO_BASELINE');
  await expectCode(rollback({ ...o, to: 'no-such-state' }), 'E_REF_NOT_FOUND');
  await expectCode(undo(o), 'E_NOTHING_TO_UNDO');
});

test('a large file is restored by streaming and checked', async () => {
  const big = Buffer.alloc(6 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
  box.write('big.bin', big);
  const snap = await snapshot(o);
  box.write('big.bin', 'small now');
  await rollback({ ...o, to: 'snapshots' });
  assert.equal(readFileSync(join(box.repo, 'big.bin')), big);
  assert.is(gitTreeOfWorktree(box), snap.tree);
});

test('a replaced file keeps its own permission bits; a new file gets the umask', async () => {
  box.write('secret.txt', 'v1\n', 0o600);
  await snapshot(o);
  box.write('secret.txt', 'v2\n', 0o600);
  await rollback({ ...o, to: 'snapshots' });
  assert.is(statSync(join(box.repo, 'secret.txt')).mode & 0o777, 0o600);
});

test('subtrees the stat cache already knows are not read again, and are still restored byte for byte', async () => {
  for (let i = 0; i < 30; i++) box.write(`p${i % 3}/q${i % 5}/f${i}.txt`, `first ${i}\n`);
  const a = await snapshot({ ...o, message: 'A' });
  box.write('p0/q0/f0.txt', 'second\n');
  rmSync(join(box.repo, 'p1/q1/f1.txt'));
  box.write('p2/new.txt', 'new\n');
  const b = await snapshot({ ...o, message: 'B' });
  // Now the cache holds B's trees; the working tree drifts from B in a subtree B shares with A.
  box.write('p1/q2/f7.txt', 'drifted\n');
  box.write('p0/q4/f4.txt', 'drifted too\n');
  rmSync(join(box.repo, 'p2/q3/f8.txt'));
  const toA = await rollback({ ...o, to: a.commit });
  assert.is(gitTreeOfWorktree(box), a.tree);
  // Every file of the target is counted once, written or unchanged, whether or not its directory was planned.
  const inA = box
    .git(['--git-dir', '.coo/state.git', 'ls-tree', '-r', '--name-only', a.commit])
    .stdout.trim()
    .split('\n')
    .filter((p) => !p.startsWith('.coo/'));
  assert.is(toA.written + toA.chmod + toA.unchanged, inA.length);
  assert.equal([toA.written, toA.removed], [4, 2]); // f0, f1, f7, f8 back; new.txt and the stray p0/q4/f4.txt go
  box.write('p1/q2/f7.txt', 'drifted again\n');
  await rollback({ ...o, to: b.commit });
  assert.is(gitTreeOfWorktree(box), b.tree);
  await rollback({ ...o, to: b.commit }); // idempotent: nothing to write
  assert.is(gitTreeOfWorktree(box), b.tree);
});

test.run();
