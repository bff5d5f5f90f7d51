import { readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fc } from '../helpers/property.js';
import {
  checkPathComponent,
  checkRepoPath,
  ensureValidRepoPath,
  isPlainComponent,
  isValidRepoPath,
} from '../../lib/core/repo-path.js';
import { isDotGitComponent } from '../../lib/core/dotgit.js';
import { fixtures } from '../helpers/sandbox.js';

const valid = JSON.parse(readFileSync(join(fixtures, 'paths', 'repo-valid.json'), 'utf8')) as string[];
const invalid = JSON.parse(readFileSync(join(fixtures, 'paths', 'repo-invalid.json'), 'utf8')) as {
  path: string;
  code: string;
}[];

const test = suite('repo paths [C-PATHS]');

test('every valid fixture passes both validators', () => {
  for (const path of valid) {
    assert.ok(isValidRepoPath(path), JSON.stringify(path));
    ensureValidRepoPath(path);
  }
});

test('every invalid fixture fails both validators with its own code', () => {
  for (const { path, code } of invalid) {
    assert.not.ok(isValidRepoPath(path), JSON.stringify(path));
    assert.is(checkRepoPath(path)?.code, code, JSON.stringify(path));
    try {
      ensureValidRepoPath(path);
      assert.unreachable(`accepted ${JSON.stringify(path)}`);
    } catch (err) {
      assert.is((err as { code: string }).code, code);
      assert.is((err as { data: { path: string } }).data.path, path);
    }
  }
});

const component = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '',
    '.git',
    '.GIT',
    'git~1',
    '\\',
    'C:',
    '..\\..',
    ' ',
    '.. ',
    '...',
    'a',
    'b.txt',
    '\u200c',
    '\uff0e',
    ':',
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
const anyPath = fc.array(component, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('/'));
const root = '/srv/repo';

test('property: an accepted path never resolves outside the root and is already normal', () => {
  fc.assert(
    fc.property(anyPath, (path) => {
      if (!isValidRepoPath(path)) return;
      const abs = resolve(root, path);
      assert.ok(abs.startsWith(`${root}/`), `${JSON.stringify(path)} -> ${abs}`);
      assert.is(posix.normalize(path), path);
      assert.not.ok(path.split('/').some(isDotGitComponent));
    }),
    { numRuns: 5000 },
  );
});

test('property: a name the walk waves through at a glance passes every component rule and is no .git', () => {
  const tricky = fc.constantFrom(
    'git',
    'GIT',
    'gIt',
    '.',
    ' ',
    '..',
    '.git',
    'git~1',
    '\\',
    '/',
    '\0',
    ':',
    '\u200c',
    '\uff47',
    'a',
    'b.txt',
    '-',
    '~',
  );
  const name = fc.oneof(
    fc.array(tricky, { maxLength: 6 }).map((parts) => parts.join('')),
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );
  fc.assert(
    fc.property(name, (n) => {
      if (isPlainComponent(n)) assert.ok(checkPathComponent(n) === null && !isDotGitComponent(n), JSON.stringify(n));
    }),
    { numRuns: 3000 },
  );
  for (const n of ['a', 'b.txt', 'README.md', 'x y', '...a']) assert.ok(isPlainComponent(n), n);
  for (const n of ['', '.', '..', ' . ', '.git', 'GIT~1', 'legit', 'a\\b', 'x'.repeat(256), '\u00e9'])
    assert.not.ok(isPlainComponent(n), n);
});

test('property: the two validators always agree', () => {
  fc.assert(
    fc.property(anyPath, (path) => isValidRepoPath(path) === (checkRepoPath(path) === null)),
    { numRuns: 2000 },
  );
});

test.run();
