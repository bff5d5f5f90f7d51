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

/** A path of exactly `bytes` bytes, in components of at most 200. */
function pathOfBytes(bytes: number): string {
  const parts: string[] = [];
  let left = bytes;
  while (left > 201) {
    parts.push('a'.repeat(200));
    left -= 201;
  }
  parts.push('b'.repeat(left));
  return parts.join('/');
}

test("the length limit is the kernel's: 4095 bytes with the root (PATH_MAX less its NUL), so the root counts", () => {
  assert.is(Buffer.byteLength(pathOfBytes(4096)), 4096);
  assert.is(checkGatewayPath(pathOfBytes(4096))?.code, 'E_PATH_TOO_LONG');
  assert.is(checkGatewayPath(pathOfBytes(4095)), null);
  const root = '/srv/repo';
  assert.is(checkGatewayPath(pathOfBytes(4095 - root.length - 1), { root }), null);
  assert.is(checkGatewayPath(pathOfBytes(4096 - root.length - 1), { root })?.code, 'E_PATH_TOO_LONG');
});

test('NUL is E_PATH_INVALID, as documented (no name can hold it), before any other control character', () => {
  assert.is(checkGatewayPath('a\u0000b')?.code, 'E_PATH_INVALID');
  assert.is(checkGatewayPath('a\u0001b')?.code, 'E_PATH_CONTROL_CHAR');
});

test('a first component a shell expands (~, ~user, ~+, ~-, ~N) is reserved; ~ elsewhere is a name', () => {
  for (const path of ['~', '~/notes.md', '~root/.bashrc', '~+/x', '~-', '~1/x', '~a.b-c_d/x'])
    assert.is(checkGatewayPath(path)?.code, 'E_PATH_RESERVED_NAME', path);
  for (const path of ['docs/~', 'a/~root/x', '~$lock.docx', 'x~', '~1.txt'])
    assert.is(checkGatewayPath(path), null, path);
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
