import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { walkWorktree } from '../../lib/worktree/walk.js';
import { compareUtf8 } from '../../lib/core/compare-utf8.js';
import { fc } from '../helpers/property.js';
import { rmSync } from 'node:fs';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('walk and capture rules');
let box: Sandbox;
test.before.each(() => {
  box = sandbox();
});
test.after.each(() => box.cleanup());

const paths = (root: string): string[] => walkWorktree(root).entries.map((e) => e.path);

test('.gitignore files at every level, negation, .cooignore re-including, .git/info/exclude', () => {
  box.write('.gitignore', '*.log\nbuild/\n');
  box.write('keep.txt', 'k');
  box.write('a.log', 'ignored');
  box.write('build/out.js', 'built');
  box.write('sub/.gitignore', '!keep.log\n');
  box.write('sub/keep.log', 're-included below');
  box.write('sub/other.log', 'still ignored');
  box.write('.cooignore', '!build/\nscratch/\n');
  box.write('scratch/tmp.txt', 'coo ignores it, git would not');
  box.write('secret.txt', 'excluded locally');
  writeFileSync(join(box.repo, '.git', 'info', 'exclude'), 'secret.txt\n');
  assert.equal(paths(box.repo), [
    '.cooignore',
    '.gitignore',
    'build/out.js',
    'keep.txt',
    'sub/.gitignore',
    'sub/keep.log',
  ]);
});

test("git metadata is never entered: the root .git silently, a nested repository's recorded", () => {
  box.write('x.txt', 'x');
  mkdirSync(join(box.repo, 'vendor', 'lib'), { recursive: true });
  box.git(['init', '-q'], { cwd: join(box.repo, 'vendor', 'lib') });
  box.write('vendor/lib/file.c', 'int x;');
  box.write('worktree-link/.git', 'gitdir: /elsewhere\n');
  const walked = walkWorktree(box.repo);
  assert.equal(
    walked.entries.map((e) => e.path),
    ['vendor/lib/file.c', 'x.txt'],
  );
  assert.equal(
    walked.skipped.map((s) => s.path),
    ['vendor/lib/.git', 'worktree-link/.git'],
  );
  assert.ok(walked.skipped.every((s) => s.reason.includes('git metadata')));
});

test("coo's private directories are never captured, .coo/config.json is", () => {
  for (const p of ['.coo/state.git/HEAD', '.coo/work/m/x', '.coo/keys/id_ed25519', '.coo/tmp/t', '.coo/config.json'])
    box.write(p, 'x');
  assert.equal(paths(box.repo), ['.coo/config.json']);
});

test('symlinks are captured as links and never followed; modes come from the exec bit', () => {
  box.write('dir/file.txt', 'content');
  box.write('run.sh', '#!/bin/sh\n', 0o755);
  box.write('plain.sh', '#!/bin/sh\n', 0o644);
  box.link('to-dir', 'dir');
  box.link('dangling', 'nowhere/at/all');
  box.link('outside', '/etc');
  const walked = walkWorktree(box.repo);
  assert.equal(
    walked.entries.map((e) => [e.path, e.mode]),
    [
      ['dangling', '120000'],
      ['dir/file.txt', '100644'],
      ['outside', '120000'],
      ['plain.sh', '100644'],
      ['run.sh', '100755'],
      ['to-dir', '120000'],
    ],
  );
});

test('special files and unsafe names are skipped and recorded with the reason', () => {
  box.write('ok.txt', 'fine');
  assert.is(spawnSync('mkfifo', [join(box.repo, 'pipe')]).status, 0);
  box.write('win\\name.txt', 'a backslash');
  box.write('.GIT/config', 'a .git spelling');
  box.write('...', 'dots only');
  const walked = walkWorktree(box.repo);
  assert.equal(
    walked.entries.map((e) => e.path),
    ['ok.txt'],
  );
  const reasons = Object.fromEntries(walked.skipped.map((s) => [s.path, s.reason]));
  assert.is(reasons['pipe'], 'not a regular file or symbolic link');
  assert.ok(reasons['win\\name.txt']?.startsWith('unsafe name'));
  assert.ok(reasons['.GIT']?.includes('git metadata'));
  assert.ok(reasons['...']?.startsWith('unsafe name'));
});

test('an ignored directory is not entered, so its contents cannot be re-included (as in git)', () => {
  box.write('.gitignore', 'out/\n!out/keep.txt\n');
  box.write('out/keep.txt', 'k');
  box.write('a.txt', 'a');
  assert.equal(paths(box.repo), ['.gitignore', 'a.txt']);
  assert.is(box.git(['status', '--porcelain', '--untracked-files=all']).stdout.includes('out/keep.txt'), false);
});

test("property: paths come out in git's byte order, a directory sorting as its name and a slash", () => {
  const name = fc.constantFrom('a', 'a.b', 'a-b', 'a0', 'a b', 'b', 'é', 'ｚ', '\u{1F600}', '\uFB01');
  fc.assert(
    fc.property(
      fc.uniqueArray(
        fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join('/')),
        { maxLength: 12 },
      ),
      (files) => {
        rmSync(join(box.repo, 'w'), { recursive: true, force: true });
        mkdirSync(join(box.repo, 'w'));
        for (const file of files) {
          try {
            mkdirSync(join(box.repo, 'w', file, '..'), { recursive: true });
            writeFileSync(join(box.repo, 'w', file), 'x');
          } catch {
            // a path that needs a file to be a directory too: skip it
          }
        }
        const walked = paths(box.repo);
        assert.equal(walked, [...walked].sort(compareUtf8));
      },
    ),
    { numRuns: 60 },
  );
});

test.run();
