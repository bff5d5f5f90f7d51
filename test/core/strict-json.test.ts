import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStrictJson } from '../../lib/core/strict-json.js';
import { fc } from '../helpers/property.js';

// The JSON every document is read with: exactly what JSON.parse accepts and returns, except that
// a key named twice in one object and nesting deeper than the bound are refused, and that an error
// says where without quoting the text.

const test = suite('strict JSON [C-DOCUMENTS]');
const deep = { maxDepth: 1000 };

const verdictOfJsonParse = (text: string): { value: unknown } | null => {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return null;
  }
};

test('property: any JSON text gives exactly what JSON.parse gives', () => {
  fc.assert(
    fc.property(fc.json({ maxDepth: 6 }), (text) => {
      const ours = parseStrictJson(text, deep);
      assert.ok('value' in ours, text);
      assert.equal((ours as { value: unknown }).value, JSON.parse(text));
    }),
    { numRuns: 2000 },
  );
});

test('property: on JSON-like text, accepted exactly when JSON.parse accepts it (no key twice)', () => {
  const unit = fc.constantFrom(...'{}[],:"\\u0123456789-+.eEtrufalsn \n\t\r/bx'.split(''));
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 24 }), (text) => {
      const ours = parseStrictJson(text, deep);
      if ('problem' in ours && ours.problem.kind !== 'syntax') return;
      const theirs = verdictOfJsonParse(text);
      assert.is('value' in ours, theirs !== null, JSON.stringify(text));
      if (theirs && 'value' in ours) assert.equal(ours.value, theirs.value);
    }),
    { numRuns: 20000 },
  );
});

test('what JSON.parse refuses is refused: comments, trailing commas, single quotes, bad numbers, escapes, BOM', () => {
  for (const text of [
    '',
    ' ',
    '{',
    '[1,]',
    '{"a":1,}',
    '01',
    '1.',
    '.5',
    '+1',
    '-',
    'NaN',
    'Infinity',
    "'a'",
    '"\\x"',
    '"\\u12"',
    '"a\nb"',
    '"a\u0000b"',
    '[1 2]',
    '{"a" 1}',
    '{a:1}',
    'tru',
    'nul',
    '\uFEFF{}',
    '// c\n{}',
    '{"a":1}}',
    '[1]x',
  ]) {
    assert.is(verdictOfJsonParse(text), null, `JSON.parse accepts ${JSON.stringify(text)}`);
    const ours = parseStrictJson(text, deep);
    assert.ok('problem' in ours && ours.problem.kind === 'syntax', JSON.stringify(text));
  }
});

test('a key named twice in one object is refused, at its JSON pointer, however it is spelled', () => {
  const twice = (text: string) => {
    const result = parseStrictJson(text, deep);
    assert.ok('problem' in result, text);
    return (result as { problem: { kind: string; pointer: string; line: number; column: number } }).problem;
  };
  const scope = twice('{\n  "scope": {"rules": []},\n  "scope": {"rules": [1]}\n}');
  assert.equal([scope.kind, scope.pointer, scope.line, scope.column], ['duplicate-key', '/scope', 3, 3]);
  assert.is(twice('{"a":1,"\\u0061":2}').pointer, '/a', 'escapes are decoded before keys are compared');
  assert.is(twice('{"x":[{"a/b~":1,"a/b~":2}]}').pointer, '/x/0/a~1b~0');
  assert.is(twice('{"__proto__":1,"__proto__":2}').pointer, '/__proto__');
  assert.ok('value' in parseStrictJson('[{"a":1},{"a":2}]', deep), 'the same key in two objects is fine');
});

test('__proto__ is an own property, as JSON.parse makes it; no prototype is touched', () => {
  const result = parseStrictJson('{"__proto__":{"polluted":true}}', deep) as { value: Record<string, unknown> };
  assert.equal(Object.keys(result.value), ['__proto__']);
  assert.is(Object.getPrototypeOf(result.value), Object.prototype);
  assert.is(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(result.value, JSON.parse('{"__proto__":{"polluted":true}}'));
});

test('nesting is bounded: maxDepth levels pass, one more is refused at its pointer, 100,000 levels at once', () => {
  const nest = (n: number): string => `${'{"a":['.repeat(n)}${']}'.repeat(n)}`;
  assert.ok('value' in parseStrictJson(nest(5), { maxDepth: 10 }));
  const over = parseStrictJson(`{"a":${nest(5)}}`, { maxDepth: 10 });
  assert.ok('problem' in over);
  assert.equal([over.problem.kind, over.problem.pointer], ['too-deep', '/a/a/0/a/0/a/0/a/0/a']);
  const started = Date.now();
  const huge = parseStrictJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, { maxDepth: 64 });
  assert.ok('problem' in huge && huge.problem.kind === 'too-deep');
  assert.ok(Date.now() - started < 1000);
});

test('an error says where, never what the text was', () => {
  const secret = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n';
  const result = parseStrictJson(secret, deep);
  assert.ok('problem' in result);
  assert.equal([result.problem.line, result.problem.column], [1, 1]);
  assert.not.match(JSON.stringify(result.problem), /BEGIN|OPENSSH|b3Bl/u);
  const late = parseStrictJson('{"a": [1, 2,\n  3 4]}', deep);
  assert.ok('problem' in late);
  assert.equal([late.problem.line, late.problem.column, late.problem.pointer], [2, 5, '/a']);
});

test.run();
