import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkScope, decidingRule, type MissionScope } from '../../lib/governance/scope.js';

const test = suite('mission scope and ceilings');

const scope: MissionScope = {
  mission: 'M-1',
  rules: [
    { rule: 'disallow', pattern: 'src/secret/**' },
    { rule: 'create', pattern: 'docs/**' },
    { rule: 'modify', pattern: 'src/**' },
    { rule: 'allow', pattern: 'tmp/**' },
  ],
  ceilings: {},
};

test('the first rule that matches and fits the change decides; nothing matching is denied', () => {
  assert.equal(decidingRule(scope.rules, { path: 'docs/new.md', kind: 'create' }), { index: 1, allowed: true });
  assert.equal(decidingRule(scope.rules, { path: 'docs/old.md', kind: 'modify' }), { index: -1, allowed: false });
  assert.equal(decidingRule(scope.rules, { path: 'src/a.ts', kind: 'modify' }), { index: 2, allowed: true });
  assert.equal(decidingRule(scope.rules, { path: 'src/a.ts', kind: 'delete' }), { index: -1, allowed: false });
  assert.equal(decidingRule(scope.rules, { path: 'src/secret/key', kind: 'modify' }), { index: 0, allowed: false });
  assert.equal(decidingRule(scope.rules, { path: 'tmp/x', kind: 'delete' }), { index: 3, allowed: true });
  assert.equal(decidingRule(scope.rules, { path: 'README.md', kind: 'create' }), { index: -1, allowed: false });
});

test('patterns match on canonical keys: a different case does not slip past a rule', () => {
  assert.equal(decidingRule(scope.rules, { path: 'SRC/SECRET/key', kind: 'modify' }), { index: 0, allowed: false });
});

test('ceilings: files, bytes, largest file, depth', () => {
  const tight: MissionScope = {
    ...scope,
    rules: [{ rule: 'allow', pattern: '**' }],
    ceilings: { maxFiles: 2, maxBytes: 10, maxFileBytes: 6, maxDepth: 2 },
  };
  const found = checkScope(tight, [
    { path: 'a', kind: 'create', bytes: 7 },
    { path: 'b/c/d', kind: 'create', bytes: 1 },
    { path: 'e', kind: 'delete', bytes: 0 },
  ]);
  assert.equal(
    found.map((v) => [v.path, v.code]),
    [
      ['a', 'E_CEILING_FILE_SIZE'],
      ['b/c/d', 'E_CEILING_DEPTH'],
      ['', 'E_CEILING_FILES'],
    ],
  );
  assert.equal(
    checkScope(tight, [
      { path: 'a', kind: 'create', bytes: 6 },
      { path: 'b', kind: 'create', bytes: 6 },
    ]).map((v) => v.code),
    ['E_CEILING_BYTES'],
  );
});

test.run();
