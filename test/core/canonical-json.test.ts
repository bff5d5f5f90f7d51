import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fc } from '../helpers/property.js';
import { canonicalJson } from '../../lib/core/canonical-json.js';
import { compareUtf8 } from '../../lib/core/compare-utf8.js';

const test = suite('canonical JSON');

test('sorts keys at every depth, no whitespace', () => {
  assert.is(canonicalJson({ b: 1, a: [{ z: true, y: null }, 'x'] }), '{"a":[{"y":null,"z":true},"x"],"b":1}');
});

test('drops undefined members, keeps null', () => {
  assert.is(canonicalJson({ a: undefined, b: null }), '{"b":null}');
});

test('refuses floats and non-JSON values', () => {
  assert.throws(() => canonicalJson({ a: 1.5 }));
  assert.throws(() => canonicalJson({ a: Number.NaN }));
  assert.throws(() => canonicalJson({ a: () => 1 }));
  assert.throws(() => canonicalJson({ a: 2n }));
});

test('property: key order of the input never changes the output', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean())), (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse());
      assert.is(canonicalJson(obj), canonicalJson(reversed));
      assert.is(canonicalJson(JSON.parse(canonicalJson(obj))), canonicalJson(obj));
    }),
  );
});

const utf8 = suite('compareUtf8');

utf8('property: orders strings exactly as their UTF-8 bytes', () => {
  const str = fc.string({
    unit: fc.constantFrom(
      'a',
      'z',
      '\u00e9',
      '\ue000',
      '\uffff',
      '\u{1f600}',
      '\u{10000}',
      '/',
      '.',
    ) as fc.Arbitrary<string>,
    maxLength: 5,
  });
  fc.assert(
    fc.property(str, str, (a, b) => {
      assert.is(Math.sign(compareUtf8(a, b)), Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }),
    { numRuns: 5000 },
  );
});

test.run();
utf8.run();
