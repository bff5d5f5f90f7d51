import { readFileSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fc } from '../helpers/property.js';
import {
  canonicalKey,
  checkGatewayPath,
  ensureValidGatewayPath,
  isValidGatewayPath,
} from '../../lib/core/gateway-path.js';
import { isValidRepoPath } from '../../lib/core/repo-path.js';
import { fixtures } from '../helpers/sandbox.js';

const read = <T>(name: string): T => JSON.parse(readFileSync(join(fixtures, 'paths', name), 'utf8')) as T;
const valid = read<string[]>('gateway-valid.json');
const invalid = read<{ path: string; code: string }[]>('gateway-invalid.json');
const invalidLinks = read<{ path: string; code: string }[]>('gateway-invalid-symlink.json');

const test = suite('gateway paths [C-PATHS]');

test('every valid fixture passes both validators', () => {
  for (const path of valid) {
    assert.ok(isValidGatewayPath(path), JSON.stringify(path));
    ensureValidGatewayPath(path);
  }
});

test('every invalid fixture fails both validators with its own code', () => {
  for (const { path, code } of invalid) {
    assert.not.ok(isValidGatewayPath(path), JSON.stringify(path));
    assert.is(checkGatewayPath(path)?.code, code, JSON.stringify(path));
    assert.throws(
      () => ensureValidGatewayPath(path),
      (e: { code: string; data: { path: string } }) => e.code === code && e.data.path === path,
    );
  }
});

test('.gitmodules and friends, in every spelling, may not be symbolic links (they may be files)', () => {
  for (const { path, code } of invalidLinks) {
    assert.is(checkGatewayPath(path, { symlink: true })?.code, code, path);
  }
  assert.ok(isValidGatewayPath('.gitmodules'));
  assert.ok(isValidGatewayPath('link', { symlink: true }));
});

test('the gateway is stricter than the capture rules: whatever it accepts, rollback can restore', () => {
  for (const path of valid) assert.ok(isValidRepoPath(path), path);
});

test('canonical keys fold case and Unicode form, so twins collide', () => {
  assert.is(canonicalKey('SPECS/X.md'), canonicalKey('specs/x.md'));
  assert.is(canonicalKey('cafe\u0301'), canonicalKey('caf\u00e9'));
  assert.is(canonicalKey('STRASSE'), canonicalKey('stra\u00dfe'));
  assert.is.not(canonicalKey('a'), canonicalKey('b'));
});

const component = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '',
    '.git',
    'GIT~1',
    'CON',
    'a:b',
    '\\',
    'C:',
    ' ',
    'x.',
    '\u202e',
    '\u200b',
    '\ud800',
    'e\u0301',
    'ok',
    'a.txt',
  ),
  fc.string({ maxLength: 5 }),
  fc.string({ unit: 'grapheme', maxLength: 3 }),
);
const anyPath = fc.array(component, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));

test('property: an accepted path stays inside the root on POSIX and on Windows, and is NFC', () => {
  fc.assert(
    fc.property(anyPath, (path) => {
      if (!isValidGatewayPath(path)) return;
      assert.ok(posix.resolve('/srv/repo', path).startsWith('/srv/repo/'), path);
      assert.ok(win32.resolve('C:\\repo', path).startsWith('C:\\repo\\'), path);
      assert.is(path, path.normalize('NFC'));
      assert.ok(isValidRepoPath(path));
    }),
    { numRuns: 5000 },
  );
});

test('property: the same input always gives the same problem', () => {
  fc.assert(
    fc.property(anyPath, (path) => {
      const first = JSON.stringify(checkGatewayPath(path));
      const again = JSON.stringify(checkGatewayPath(path));
      return first === again;
    }),
  );
});

test.run();
