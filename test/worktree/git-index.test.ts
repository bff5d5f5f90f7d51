import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ewahPositions, readTrackedPaths } from '../../lib/worktree/git-index.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// The user's index, read the way git writes it: versions 2, 3 and 4, a split index, a sparse index.
// Native git makes each one and is the judge of what is tracked (`git ls-files`).

const test = suite("reading git's index");
let box: Sandbox;
test.before.each(() => {
  box = sandbox();
  box.git(['init', '-q', '-b', 'main']);
});
test.after.each(() => box.cleanup());

const names = [
  'a.txt',
  'src/x.js',
  'src/deep/y.js',
  'docs/read me.md',
  'é/ü.txt',
  'z',
  'src/deep/longer-name-than-the-one-before.js',
];

function addAll(): void {
  for (const name of names) box.write(name, `${name}\n`);
  assert.is(box.git(['add', '-A']).status, 0);
}

function gitListed(): string[] {
  return box
    .git(['-c', 'core.quotepath=false', 'ls-files', '-z'])
    .stdout.split('\0')
    .filter((p) => p !== '')
    .sort();
}

function expectSame(): void {
  const listed = gitListed();
  const tracked = readTrackedPaths(join(box.repo, '.git'));
  assert.is(tracked.size, listed.length);
  for (const path of listed) assert.ok(tracked.has(path), `git tracks ${path}`);
  assert.not.ok(tracked.has('src'));
  assert.not.ok(tracked.has('untracked.txt'));
  assert.ok(tracked.hasUnder('src'));
  assert.ok(tracked.hasUnder('src/deep'));
  assert.not.ok(tracked.hasUnder('a.txt'));
  assert.not.ok(tracked.hasUnder('nowhere'));
}

test('no index yet: nothing is tracked', () => {
  assert.is(readTrackedPaths(join(box.repo, '.git')).size, 0);
});

test('version 2, and version 3 with intent-to-add and skip-worktree entries', () => {
  addAll();
  expectSame();
  box.write('untracked-then-intended.txt', 'x\n');
  box.git(['add', '-N', 'untracked-then-intended.txt']);
  box.git(['update-index', '--skip-worktree', 'z']);
  assert.match(box.git(['ls-files', '--debug', 'z']).stdout, /flags: 4000/); // the extended flags: a version 3 entry
  expectSame();
  assert.ok(readTrackedPaths(join(box.repo, '.git')).has('untracked-then-intended.txt'));
});

test('version 4: paths compressed against the path before', () => {
  addAll();
  box.git(['update-index', '--index-version', '4']);
  expectSame();
});

test('a split index: the shared index less what the split one deletes, plus what it adds or replaces', () => {
  addAll();
  box.git(['update-index', '--split-index']);
  box.git(['rm', '-q', '--cached', 'src/x.js']);
  box.write('new-after-split.txt', 'n\n');
  box.write('a.txt', 'changed\n');
  box.git(['add', 'new-after-split.txt', 'a.txt']);
  assert.ok(readdirSync(join(box.repo, '.git')).some((f) => f.startsWith('sharedindex.')));
  expectSameBut(['src/x.js'], ['new-after-split.txt']);
});

function expectSameBut(gone: string[], added: string[]): void {
  const tracked = readTrackedPaths(join(box.repo, '.git'));
  const listed = gitListed();
  assert.is(tracked.size, listed.length);
  for (const path of listed) assert.ok(tracked.has(path), path);
  for (const path of gone) assert.not.ok(tracked.has(path), path);
  for (const path of added) assert.ok(listed.includes(path), path);
}

test('a sparse index: a directory outside the cone is one entry, and everything below it is tracked', () => {
  addAll();
  box.git(['commit', '-q', '-m', 'all']);
  assert.is(box.git(['sparse-checkout', 'init', '--cone', '--sparse-index']).status, 0);
  box.git(['sparse-checkout', 'set', 'docs']);
  const listed = box.git(['ls-files', '--sparse']).stdout;
  assert.match(listed, /^src\/$/mu);
  const tracked = readTrackedPaths(join(box.repo, '.git'));
  assert.ok(tracked.has('src/deep/y.js'));
  assert.ok(tracked.hasUnder('src/deep'));
  assert.ok(tracked.has('docs/read me.md'));
});

test('a damaged index is E_GIT_INDEX, not a guess', () => {
  addAll();
  box.write('.git/index', 'DIRC\0\0\0\x09\0\0\0\x01');
  assert.throws(
    () => readTrackedPaths(join(box.repo, '.git')),
    (e: { code: string }) => e.code === 'E_GIT_INDEX',
  );
  box.write('.git/index', 'not an index at all, just text');
  assert.throws(
    () => readTrackedPaths(join(box.repo, '.git')),
    (e: { code: string }) => e.code === 'E_GIT_INDEX',
  );
});

test('EWAH bitmaps: runs of ones, runs of zeros, literal words', () => {
  // 200 bits: a run-length word of two clean words of ones, one literal word with bits 0 and 5, then nothing.
  const buf = Buffer.alloc(8 + 3 * 8 + 4);
  buf.writeUInt32BE(200, 0);
  buf.writeUInt32BE(2, 4);
  buf.writeBigUInt64BE((1n << 33n) | (2n << 1n) | 1n, 8);
  buf.writeBigUInt64BE((1n << 0n) | (1n << 5n), 16);
  const positions = ewahPositions(buf, 0);
  assert.is(positions.length, 130);
  assert.equal(positions.slice(126), [126, 127, 128, 133]);
});

test.run();
