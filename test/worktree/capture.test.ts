import { lstatSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fc } from '../helpers/property.js';
import { initRepo } from '../../lib/state/init.js';
import { captureWorktree, statCachePath } from '../../lib/worktree/capture.js';
import { layoutFor } from '../../lib/store/layout.js';
import { manifestCid } from '../../lib/store/manifest.js';
import { formatCommit } from '../../lib/store/commit.js';
import { writeObject } from '../../lib/store/loose-objects.js';
import { readObjectOfType } from '../../lib/store/objects.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('capture [C-SNAPSHOT]');
let box: Sandbox;
test.before.each(async () => {
  box = sandbox();
  await initRepo({ cwd: box.repo, env: box.env });
});
test.after.each(() => box.cleanup());

/** A capture, committed (as a snapshot does) so that its stat cache is saved. */
async function capture(store = true, maxNewFileBytes = 1 << 30) {
  const layout = layoutFor(box.repo);
  const result = await captureWorktree({
    root: box.repo,
    gitdir: layout.gitdir,
    cachePath: statCachePath(layout.privateDir),
    store,
    maxNewFileBytes,
  });
  if (store) {
    const who = { name: 't', email: 't@t', timestamp: 1, tzOffsetMinutes: 0 };
    result.commitCache(
      writeObject(
        layout.gitdir,
        'commit',
        formatCommit({ tree: result.tree, parents: [], author: who, committer: who, message: 'm\n' }),
      ),
    );
  }
  return result;
}

/** Makes every file look old, so the racy guard does not apply. */
function age(paths: string[], seconds = 3600): void {
  const t = Date.now() / 1000 - seconds;
  for (const p of paths) utimesSync(join(box.repo, p), t, t);
}

test('the tree id is the one native git computes for the same working tree', async () => {
  box.write('a.txt', 'hello\n');
  box.write('empty', '');
  box.write('bin/run.sh', '#!/bin/sh\necho hi\n', 0o755);
  box.write('d\u00e9j\u00e0/\u6587\u4ef6.md', 'unicode\n');
  box.write('nested/deep/er/file', 'x'.repeat(70_000));
  box.link('link', 'a.txt');
  box.write('.gitignore', '*.tmp\n');
  box.write('junk.tmp', 'ignored');
  const result = await capture();
  assert.is(result.tree, gitTreeOfWorktree(box));
  assert.is(box.git(['--git-dir', '.coo/state.git', 'fsck', '--strict']).status, 0);
});

test('the stat cache: an unchanged tree is not hashed again; a change is', async () => {
  box.write('a.txt', 'one');
  box.write('b.txt', 'two');
  age(['a.txt', 'b.txt', '.coo/config.json', '.coo/allowed_signers', '.coo/.gitignore']);
  const first = await capture();
  assert.is(first.hashed, 5);
  const second = await capture();
  assert.is(second.hashed, 0);
  assert.is(second.tree, first.tree);
  box.write('a.txt', 'ONE');
  const third = await capture();
  assert.is(third.hashed, 1);
  assert.is(third.tree, gitTreeOfWorktree(box));
});

test('a few changed files leave the stat cache as it was; it is written again once the drift is worth it', async () => {
  const names = Array.from({ length: 40 }, (_, i) => `f${i}.txt`);
  for (const name of names) box.write(name, 'one');
  age([...names, '.coo/config.json', '.coo/allowed_signers', '.coo/.gitignore']);
  const cachePath = statCachePath(layoutFor(box.repo).privateDir);
  assert.is((await capture()).hashed, 43);
  const saved = readFileSync(cachePath);
  box.write('f1.txt', 'three');
  age(['f1.txt']);
  const small = await capture();
  assert.is(small.hashed, 1);
  assert.is(small.tree, gitTreeOfWorktree(box));
  assert.ok(readFileSync(cachePath).equals(saved), 'one changed file: the cache is kept');
  const again = await capture();
  assert.equal([again.hashed, again.tree], [1, small.tree]); // the drifted file, hashed once more
  for (const name of names) box.write(name, 'four');
  age(names);
  const large = await capture();
  assert.is(large.hashed, 40);
  assert.is(large.tree, gitTreeOfWorktree(box));
  assert.not.ok(readFileSync(cachePath).equals(saved), 'forty changed files: the cache is written');
  assert.is((await capture()).hashed, 0);
});

test('racy guard: a same-size rewrite with the mtime put back is still seen', async () => {
  box.write('a.txt', 'aaaa');
  const first = await capture(); // a.txt was written just now: racy, so recorded as such
  const { mtime } = statSync(join(box.repo, 'a.txt'));
  writeFileSync(join(box.repo, 'a.txt'), 'bbbb');
  utimesSync(join(box.repo, 'a.txt'), mtime, mtime);
  const second = await capture();
  assert.is.not(second.tree, first.tree);
  assert.is(second.tree, gitTreeOfWorktree(box));
});

test('an old file rewritten with its mtime put back is caught by its ctime', async () => {
  box.write('a.txt', 'aaaa');
  age(['a.txt']);
  const first = await capture();
  const { mtime } = statSync(join(box.repo, 'a.txt'));
  writeFileSync(join(box.repo, 'a.txt'), 'bbbb');
  utimesSync(join(box.repo, 'a.txt'), mtime, mtime);
  const second = await capture();
  assert.is.not(second.tree, first.tree);
});

test('a cache whose commit was pruned is dropped whole, so no vanished object is ever trusted', async () => {
  box.write('a.txt', 'one');
  age(['a.txt', '.coo/config.json', '.coo/allowed_signers', '.coo/.gitignore']);
  await capture();
  const gitdir = layoutFor(box.repo).gitdir;
  box.git(['--git-dir', gitdir, 'prune', '--expire=now']); // nothing refers to the commit: all of it goes
  assert.is(box.git(['--git-dir', gitdir, 'count-objects']).stdout.startsWith('0 objects'), true);
  const again = await capture();
  assert.equal([again.hashed, again.reused], [4, 0]);
  assert.is(box.git(['--git-dir', gitdir, 'fsck', '--strict', again.tree]).status, 0);
});

// 'a.b' and 'a0' sort on either side of a directory 'a' ('.' < '/' < '0'): tree order, not name order.
const segment = fc.constantFrom('a', 'b', 'a.b', 'a0');
const op = fc.record({
  kind: fc.constantFrom('write', 'remove', 'chmod'),
  path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/')),
  content: fc.string({ maxLength: 3 }),
});

/** Every file under `dir` (relative to the repository), depth first. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(box.repo, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(`${dir}/${e.name}`) : [`${dir}/${e.name}`],
  );
}

test("property: after any sequence of changes, the (cache-tree) capture equals native git's tree", async () => {
  // A few changed files keep the cache the first capture saved, so each run starts without one:
  // its later rounds then compare against a cache of its own files. An aged round makes those
  // files' rows clean, so the capture reuses them (and their trees) instead of hashing them again.
  const round = fc.record({ ops: fc.array(op, { minLength: 1, maxLength: 4 }), aged: fc.boolean() });
  await fc.assert(
    fc.asyncProperty(fc.array(round, { minLength: 2, maxLength: 4 }), async (rounds) => {
      rmSync(join(box.repo, 'p'), { recursive: true, force: true });
      rmSync(statCachePath(layoutFor(box.repo).privateDir), { force: true });
      for (const { ops, aged } of rounds) {
        for (const { kind, path, content } of ops) {
          // Clear the way as a shell would (rm -rf the path, and any parent that is a file).
          const parts = path.split('/');
          for (let i = 1; i < parts.length; i++) {
            const parent = join(box.repo, 'p', ...parts.slice(0, i));
            if (lstatSync(parent, { throwIfNoEntry: false })?.isFile()) rmSync(parent);
          }
          rmSync(join(box.repo, 'p', path), { recursive: true, force: true });
          if (kind !== 'remove') box.write(`p/${path}`, content, kind === 'chmod' ? 0o755 : 0o644);
        }
        age(['.coo/config.json']);
        if (aged && lstatSync(join(box.repo, 'p'), { throwIfNoEntry: false })) age(filesUnder('p'));
        const result = await capture();
        assert.is(result.tree, gitTreeOfWorktree(box));
        // Hashed partly from the cache's items: the same as the manifest written out from the files.
        assert.is(result.manifest, manifestCid(result.files));
        assert.is(result.fileCount, result.files.length);
      }
    }),
    { numRuns: 40 },
  );
});

test('a file gone from a directory nothing else touched rebuilds its trees, wherever it sorts', async () => {
  // The cache's rows and the walk are paired in one pass in path order: a gone row can come
  // before the first walked file, between two, or after the last; each must mark its directories.
  const files = ['q/a', 'q/a.b', 'q/a0', 'q/m/x', 'q/m/y', 'q/z'];
  for (const gone of ['q/a', 'q/a0', 'q/m/x', 'q/z', 'q/m/y']) {
    rmSync(join(box.repo, 'q'), { recursive: true, force: true });
    for (const f of files) box.write(f, f);
    age([...files, '.coo/config.json', '.coo/allowed_signers', '.coo/.gitignore']);
    rmSync(statCachePath(layoutFor(box.repo).privateDir), { force: true });
    await capture();
    rmSync(join(box.repo, gone));
    const again = await capture();
    assert.is(again.reused, files.length - 1 + 3, gone); // and coo's own three .coo files
    assert.is(again.tree, gitTreeOfWorktree(box), gone);
  }
});

test('a damaged or missing cache only costs time, never correctness', async () => {
  box.write('a.txt', 'one');
  const first = await capture();
  const cache = statCachePath(layoutFor(box.repo).privateDir);
  writeFileSync(cache, '{"version":1,"entries":[["a.txt"');
  const second = await capture();
  assert.is(second.tree, first.tree);
  rmSync(cache);
  assert.is((await capture()).tree, first.tree);
});

test('a new file over the size limit is skipped and recorded; a file already captured stays captured', async () => {
  box.write('small.txt', 'x');
  box.write('big.bin', Buffer.alloc(2000));
  const first = await capture(true, 1000);
  assert.equal(
    first.files.map((f) => f.path).filter((p) => !p.startsWith('.coo')),
    ['small.txt'],
  );
  assert.equal(
    first.skipped.map((s) => s.path),
    ['big.bin'],
  );
  assert.ok(first.skipped[0]?.reason.includes('2000 > 1000'));
  box.write('small.txt', 'y'.repeat(5000));
  const second = await capture(true, 1000);
  assert.ok(second.files.some((f) => f.path === 'small.txt' && f.size === 5000));
});

test('a file rewritten in place while it is read, to the same size, is never stored as a mix of versions', async () => {
  // A writer rewrites a file of 8 MiB (streamed in 1 MiB reads) over and over, all A then all B,
  // in place and never changing its size. Every capture holds one whole version, or skips the file
  // and records it; none holds a blob with both letters.
  const size = 8 * 1024 * 1024;
  box.write('busy.bin', Buffer.alloc(size, 0x41));
  const script = `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(join(box.repo, 'busy.bin'))},'r+');const a=Buffer.alloc(${size},0x41),b=Buffer.alloc(${size},0x42);for(let i=0;;i++){fs.writeSync(fd,i%2?b:a,0,${size},0)}`;
  const writer = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 200));
    const layout = layoutFor(box.repo);
    for (let i = 0; i < 6; i++) {
      const result = await captureWorktree({
        root: box.repo,
        gitdir: layout.gitdir,
        cachePath: join(box.dir, `no-cache-${i}`),
        store: true,
        maxNewFileBytes: 1 << 30,
      });
      const file = result.files.find((f) => f.path === 'busy.bin');
      if (!file) {
        assert.ok(result.skipped.some((s) => s.path === 'busy.bin' && s.reason.startsWith('kept changing')));
        continue;
      }
      const content = await readObjectOfType(layout.gitdir, file.oid, 'blob');
      assert.is(content.length, size);
      const first = content[0] as number;
      assert.ok(
        content.every((byte) => byte === first),
        `capture ${i} stored a blob mixing two versions`,
      );
    }
  } finally {
    writer.kill('SIGKILL');
  }
});

test('a capture that does not store writes no objects', async () => {
  box.write('only-hashed.txt', 'never stored');
  const result = await capture(false);
  const oid = result.files.find((f) => f.path === 'only-hashed.txt')?.oid as string;
  assert.is.not(box.git(['--git-dir', '.coo/state.git', 'cat-file', '-e', oid]).status, 0);
  assert.is(box.git(['--git-dir', '.coo/state.git', 'count-objects']).stdout.startsWith('0 objects'), true);
});

test.run();
