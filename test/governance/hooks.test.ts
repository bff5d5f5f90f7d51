import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cooProcess } from '../helpers/cli.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// Real git, real hooks: each hook runs bin/coo in its own process, as it would for a user.

const test = suite('git hooks [C-HOOKS] [C-GUARD]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const ok = (args: string[]): void => {
  const run = cooProcess(args, o);
  assert.is(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
};
test.before.each(() => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  box.write('specs/constitution.md', 'rule 1\n');
  box.write('src/app.js', 'app\n');
  box.git(['add', '-A']);
  box.git(['commit', '-q', '-m', 'start']);
  ok(['init']);
  ok(['protect', 'add', 'specs/**', '--approve']);
});
test.after.each(() => box.cleanup());

test('a commit touching a protected path is refused; --no-verify is refused too (reference-transaction); others pass', () => {
  ok(['hooks', 'install']);
  box.write('src/app.js', 'app 2\n');
  box.git(['add', 'src/app.js']);
  assert.is(box.git(['commit', '-q', '-m', 'allowed']).status, 0);
  const head = box.git(['rev-parse', 'HEAD']).stdout;
  box.write('specs/constitution.md', 'rule 1, weakened\n');
  box.git(['add', 'specs/constitution.md']);
  const refused = box.git(['commit', '-q', '-m', 'touch the constitution']);
  assert.is.not(refused.status, 0);
  assert.ok(refused.stderr.includes('E_GOVERNANCE_PROTECTED'), refused.stderr);
  const sneaky = box.git(['commit', '-q', '--no-verify', '-m', 'touch it anyway']);
  assert.is.not(sneaky.status, 0);
  assert.ok(sneaky.stderr.includes('E_GOVERNANCE_PROTECTED'), sneaky.stderr);
  assert.is(box.git(['rev-parse', 'HEAD']).stdout, head);
});

test('plumbing is caught too: commit-tree + update-ref', () => {
  ok(['hooks', 'install']);
  box.write('specs/constitution.md', 'rewritten by plumbing\n');
  box.git(['add', 'specs/constitution.md']);
  const tree = box.git(['write-tree']).stdout.trim();
  const commit = box.git(['commit-tree', tree, '-p', 'HEAD', '-m', 'plumbing']).stdout.trim();
  const moved = box.git(['update-ref', 'refs/heads/master', commit]);
  assert.is.not(moved.status, 0);
  assert.is.not(box.git(['rev-parse', 'HEAD']).stdout.trim(), commit);
});

test('a branch moved to a commit the guard cannot read (its objects in an alternate store) is refused, not let through', () => {
  // A source repository holds a commit that weakens the constitution; this repository borrows its
  // objects (objects/info/alternates, as `git clone --shared` sets up) without holding them.
  const source = join(box.dir, 'source');
  assert.is(box.git(['clone', '-q', box.repo, source]).status, 0);
  writeFileSync(join(source, 'specs', 'constitution.md'), 'rule 1, weakened elsewhere\n');
  box.git(['commit', '-q', '-am', 'weaken'], { cwd: source });
  const weakened = box.git(['rev-parse', 'HEAD'], { cwd: source }).stdout.trim();
  writeFileSync(join(box.repo, '.git', 'objects', 'info', 'alternates'), `${join(source, '.git', 'objects')}\n`);
  assert.is(box.git(['cat-file', '-t', weakened]).stdout.trim(), 'commit'); // git reads it through the alternate
  ok(['hooks', 'install']);
  const head = box.git(['rev-parse', 'HEAD']).stdout.trim();
  const branch = box.git(['symbolic-ref', 'HEAD']).stdout.trim();
  const moved = box.git(['update-ref', branch, weakened]);
  assert.is.not(moved.status, 0);
  assert.ok(moved.stderr.includes('E_GUARD_UNREADABLE'), moved.stderr);
  assert.is(box.git(['rev-parse', branch]).stdout.trim(), head);
});

test('an existing hook is chained and still runs; uninstall puts it back', () => {
  box.write('.git/hooks/pre-commit', '#!/bin/sh\necho ran >> "$(git rev-parse --git-dir)/chained-ran"\n', 0o755);
  ok(['hooks', 'install']);
  assert.ok(existsSync(join(box.repo, '.git/hooks/pre-commit.coo-chained')));
  box.write('src/app.js', 'app 3\n');
  box.git(['add', 'src/app.js']);
  assert.is(box.git(['commit', '-q', '-m', 'runs both']).status, 0);
  assert.is(readFileSync(join(box.repo, '.git/chained-ran'), 'utf8'), 'ran\n');
  ok(['hooks', 'uninstall']);
  assert.ok(readFileSync(join(box.repo, '.git/hooks/pre-commit'), 'utf8').includes('chained-ran'));
  assert.not.ok(existsSync(join(box.repo, '.git/hooks/reference-transaction')));
});

test('core.hooksPath is honoured (husky keeps its hooks in .husky/_)', () => {
  box.git(['config', 'core.hooksPath', '.husky/_']);
  box.write('.husky/_/pre-commit', '#!/bin/sh\nexit 0\n', 0o755);
  ok(['hooks', 'install']);
  assert.ok(existsSync(join(box.repo, '.husky/_/pre-commit.coo-chained')));
  assert.ok(readFileSync(join(box.repo, '.husky/_/reference-transaction'), 'utf8').includes('coo-hook'));
  box.write('specs/constitution.md', 'changed\n');
  box.git(['add', 'specs/constitution.md']);
  assert.is.not(box.git(['commit', '-q', '--no-verify', '-m', 'x']).status, 0);
});

test('core.hooksPath set through includeIf is where the hooks go, as git reads it', () => {
  writeFileSync(join(box.home, '.gitconfig'), `[includeIf "gitdir:${box.repo}/"]\n\tpath = hooks.inc\n`);
  writeFileSync(join(box.home, 'hooks.inc'), '[core]\n\thooksPath = .githooks\n');
  ok(['hooks', 'install']);
  assert.ok(readFileSync(join(box.repo, '.githooks/pre-commit'), 'utf8').includes('coo-hook'));
  assert.not.ok(existsSync(join(box.repo, '.git/hooks/pre-commit')));
  box.write('specs/constitution.md', 'changed\n');
  box.git(['add', 'specs/constitution.md']);
  assert.is.not(box.git(['commit', '-q', '-m', 'x']).status, 0);
});

test('what hooks cannot stop (as the README says): -c core.hooksPath=/dev/null', () => {
  ok(['hooks', 'install']);
  box.write('specs/constitution.md', 'changed without hooks\n');
  box.git(['add', 'specs/constitution.md']);
  assert.is(box.git(['-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-m', 'bypass']).status, 0);
  // …but coo itself still notices: the tripwire stops the next gateway write.
  const writes = cooProcess(['write', 'src/x.txt', '--json'], { ...o, input: 'x' });
  assert.is(writes.json<{ code: string }>().code, 'E_PROTECTED_TAMPERED');
});

test('outside a git repository, hooks install says so', () => {
  const plain = sandbox({ gitInit: false });
  try {
    const run = cooProcess(['hooks', 'install', '--json'], { cwd: plain.repo, env: plain.env });
    assert.is(run.code, 2);
    assert.is(run.json<{ code: string }>().code, 'E_NOT_A_GIT_REPO');
  } finally {
    plain.cleanup();
  }
});

test.run();
