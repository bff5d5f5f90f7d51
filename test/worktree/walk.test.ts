import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gitSourcesOf } from '../../lib/worktree/git-sources.js';
import { walkWorktree } from '../../lib/worktree/walk.js';
import { compareUtf8 } from '../../lib/core/compare-utf8.js';
import { fc } from '../helpers/property.js';
import { rmSync } from 'node:fs';
import { projectRoot, sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('walk and capture rules');
let box: Sandbox;
test.before.each(() => {
  box = sandbox();
});
test.after.each(() => box.cleanup());

const paths = (root: string): string[] =>
  walkWorktree(root, { sources: gitSourcesOf(root, box.env, new Map()) }).entries.map((e) => e.path);

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

/** What git says a capture should hold: tracked files that exist, and untracked files no ignore rule excludes. */
function gitsCaptureSet(root: string, env: Sandbox['env'] = box.env): string[] {
  const run = spawnSync(
    'git',
    ['-c', 'core.quotepath=false', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: root, env: env as NodeJS.ProcessEnv, encoding: 'utf8' },
  );
  const listed = run.stdout.split('\0').filter((p) => p !== '' && existsSync(join(root, p)));
  return [...new Set(listed)].sort(compareUtf8);
}

test('tracked files an ignore rule matches are captured, as git keeps them; untracked ones in an ignored directory are not', () => {
  box.write('.gitignore', 'test-*\nbuild/\n*.log\n');
  box.write('tests/test-parser.js', 'tracked despite test-*');
  box.write('tests/test-new.js', 'untracked and ignored');
  box.write('build/keep/tracked.txt', 'tracked in an ignored directory');
  box.write('build/keep/other.txt', 'untracked in an ignored directory');
  box.write('build/untouched/x.txt', 'nothing tracked here');
  box.write('a.log', 'tracked log');
  box.write('b.log', 'untracked log');
  box.git(['add', '-f', 'tests/test-parser.js', 'build/keep/tracked.txt', 'a.log', '.gitignore']);
  const captured = paths(box.repo);
  assert.equal(captured, ['.gitignore', 'a.log', 'build/keep/tracked.txt', 'tests/test-parser.js']);
  assert.equal(captured, gitsCaptureSet(box.repo));
});

test("the global excludes file (core.excludesFile, or ~/.config/git/ignore) and a linked worktree's info/exclude are read", () => {
  box.write('.env', 'SECRET=1');
  box.write('notes.md', 'n');
  box.write('local.tmp', 't');
  mkdirSync(join(box.home, '.config', 'git'), { recursive: true });
  writeFileSync(join(box.home, '.config', 'git', 'ignore'), '.env\n');
  writeFileSync(join(box.repo, '.git', 'info', 'exclude'), '*.tmp\n');
  assert.equal(paths(box.repo), ['notes.md']);
  assert.equal(paths(box.repo), gitsCaptureSet(box.repo));
  // core.excludesFile names another file: that one counts, the default place does not.
  writeFileSync(join(box.home, 'excludes'), 'notes.md\n');
  const withConfig = walkWorktree(box.repo, {
    sources: gitSourcesOf(box.repo, box.env, new Map([['core.excludesfile', '~/excludes']])),
  });
  assert.equal(
    withConfig.entries.map((e) => e.path),
    ['.env'],
  );
  // A linked worktree: its .git is a file, its info/exclude is the main repository's.
  box.git(['add', 'notes.md']);
  box.git(['commit', '-q', '-m', 'n']);
  const linked = join(box.dir, 'linked');
  assert.is(box.git(['worktree', 'add', '-q', linked]).status, 0);
  writeFileSync(join(linked, 'scratch.tmp'), 's');
  writeFileSync(join(linked, 'new.txt'), 'x');
  const inLinked = walkWorktree(linked, { sources: gitSourcesOf(linked, box.env, new Map()) }).entries.map(
    (e) => e.path,
  );
  assert.equal(inLinked, ['new.txt', 'notes.md']);
  assert.equal(inLinked, gitsCaptureSet(linked));
});

test('paths coo wrote are captured whatever the ignore rules say; .cooignore keeps out even what git tracks', () => {
  box.write('.gitignore', 'out/\n');
  box.write('out/written.txt', 'coo wrote it');
  box.write('out/other.txt', 'not coo');
  box.write('tracked.txt', 't');
  box.write('.cooignore', 'tracked.txt\n');
  box.git(['add', 'tracked.txt']);
  const walked = walkWorktree(box.repo, {
    sources: gitSourcesOf(box.repo, box.env, new Map()),
    written: new Set(['out/written.txt']),
  });
  assert.equal(
    walked.entries.map((e) => e.path),
    ['.cooignore', '.gitignore', 'out/written.txt'],
  );
});

test("on this repository, the captured set is git's own", () => {
  const git = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: projectRoot, encoding: 'utf8' });
  if (git.status !== 0 || git.stdout.trim() !== projectRoot.replace(/\/$/u, '')) return; // not a git checkout (an unpacked tarball)
  const walked = walkWorktree(projectRoot, { sources: gitSourcesOf(projectRoot, process.env, new Map()) }).entries.map(
    (e) => e.path,
  );
  const listed = gitsCaptureSet(projectRoot, process.env);
  assert.ok(listed.length > 100, `${listed.length} files`);
  assert.equal(walked, listed);
});

test("property: the captured set is git's own (ls-files --cached --others --exclude-standard) on generated trees", () => {
  const dirs = ['', 'src/', 'src/deep/', 'build/', 'test-data/', 'logs/'];
  const names = ['a.js', 'b.log', 'test-x.js', 'keep.log', 'c.tmp', 'd.txt'];
  const patterns = [
    '*.log',
    '!keep.log',
    'build/',
    'test-*',
    '*.tmp',
    'deep/',
    '/d.txt',
    'src/*.js',
    'logs',
    '!src/deep/a.js',
  ];
  const file = fc.tuple(fc.constantFrom(...dirs), fc.constantFrom(...names)).map(([d, n]) => `${d}${n}`);
  fc.assert(
    fc.property(
      fc.uniqueArray(file, { minLength: 1, maxLength: 14 }),
      fc.array(fc.tuple(fc.constantFrom('', 'src/', 'logs/'), fc.subarray(patterns, { minLength: 1, maxLength: 4 })), {
        maxLength: 3,
      }),
      fc.subarray(patterns, { maxLength: 2 }),
      fc.subarray(patterns, { maxLength: 2 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (files, ignoreFiles, exclude, global, trackPicks) => {
        rmSync(join(box.repo, '.git', 'index'), { force: true });
        for (const entry of [
          'src',
          'build',
          'test-data',
          'logs',
          'a.js',
          'b.log',
          'test-x.js',
          'keep.log',
          'c.tmp',
          'd.txt',
          '.gitignore',
        ]) {
          rmSync(join(box.repo, entry), { recursive: true, force: true });
        }
        for (const f of files) box.write(f, f);
        for (const [dir, lines] of ignoreFiles)
          if (dir === '' || files.some((f) => f.startsWith(dir)))
            box.write(`${dir}.gitignore`, `${lines.join('\n')}\n`);
        writeFileSync(join(box.repo, '.git', 'info', 'exclude'), `${exclude.join('\n')}\n`);
        mkdirSync(join(box.home, '.config', 'git'), { recursive: true });
        writeFileSync(join(box.home, '.config', 'git', 'ignore'), `${global.join('\n')}\n`);
        const toTrack = [...new Set(trackPicks.map((n) => files[n % files.length] as string))];
        if (toTrack.length > 0) box.git(['add', '-f', '--', ...toTrack]);
        assert.equal(paths(box.repo), gitsCaptureSet(box.repo));
      },
    ),
    { numRuns: 80 },
  );
});

test.run();
