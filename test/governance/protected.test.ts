import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { findTampering, keepsPin, makeRegistry } from '../../lib/governance/protected.js';

const test = suite('protected registry and tripwire');
const pin = (c: string): string => `sha256:${c.repeat(64)}`;
const registry = makeRegistry([{ pattern: 'specs/**', pins: { 'specs/a.md': pin('a') } }], {
  '.coo/config.json': pin('c'),
});

test('.coo/ is always protected; patterns match on canonical keys', () => {
  for (const path of ['.coo/config.json', '.coo/anything/new', 'specs/a.md', 'SPECS/A.md', 'specs/deep/new.md'])
    assert.ok(registry.isProtected(path), path);
  for (const path of ['spec/a.md', 'src/specs/a.md', 'a.md']) assert.not.ok(registry.isProtected(path), path);
});

test('a change keeps the pin only if it leaves exactly the pinned content', () => {
  assert.ok(keepsPin(registry, { path: 'specs/a.md', after: pin('a') }));
  assert.not.ok(keepsPin(registry, { path: 'specs/a.md', after: pin('b') }));
  assert.not.ok(keepsPin(registry, { path: 'specs/a.md', after: null }));
  assert.not.ok(keepsPin(registry, { path: 'specs/new.md', after: pin('a') }));
});

test('the tripwire names changed, added and removed protected files with both hashes', () => {
  const files = new Map([
    ['specs/a.md', pin('x')],
    ['specs/added.md', pin('y')],
    ['other.txt', pin('z')],
  ]);
  assert.equal(findTampering(registry, files), [
    { path: '.coo/config.json', expected: pin('c'), found: null },
    { path: 'specs/a.md', expected: pin('a'), found: pin('x') },
    { path: 'specs/added.md', expected: null, found: pin('y') },
  ]);
  assert.equal(
    findTampering(
      registry,
      new Map([
        ['specs/a.md', pin('a')],
        ['.coo/config.json', pin('c')],
      ]),
    ),
    [],
  );
});

test.run();
