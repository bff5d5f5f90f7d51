import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultNaming } from '../../lib/core/config.js';
import { compileNamingRule, type NamingRule } from '../../lib/core/naming-rule.js';

// Naming rules come from the config and run on every name in a governed directory: RE2 (linear
// time), refused at load when they do not compile or lack their groups.

const test = suite('naming rules [C-DOCUMENTS]');

const rule = (source: string): NamingRule => {
  const compiled = compileNamingRule(source);
  assert.not.ok('problem' in compiled, source);
  return compiled as NamingRule;
};

test('the default rule finds name and version as a JavaScript RegExp would', () => {
  const r = rule(defaultNaming);
  for (const file of ['Tier1_Hardening_Completion_Report_v0.1.md', 'A_v1.md', 'x_v1.2.3.md', 'bad.md', 'A_v1.md.bak']) {
    const js = new RegExp(defaultNaming, 'u').exec(file);
    const ours = r.exec(file);
    assert.equal(ours && [ours.name, ours.version], js && [js.groups?.['name'], js.groups?.['version']], file);
  }
  assert.equal(rule('(?<name>[a-z]+)-(?<version>[0-9]+)').exec('see notes-12.txt'), { name: 'notes', version: '12' });
  assert.equal(rule('(?i)^(?<name>\\p{L}+)_v(?<version>\\d+)$').exec('Été_v2'), { name: 'Été', version: '2' });
});

test('what RE2 cannot compile, or a rule without both groups, is a problem, not an exception', () => {
  for (const source of [
    '(',
    '^(?<name>a)(?=b)(?<version>1)',
    '(?<name>a)\\1(?<version>1)',
    '^(?<name>a)$',
    'x'.repeat(1025),
  ])
    assert.ok('problem' in compileNamingRule(source), source);
});

test('a rule that backtracks catastrophically in JavaScript runs in linear time', () => {
  const r = rule('^(?<name>(a+)+)_v(?<version>[0-9]+)\\.md$');
  const started = Date.now();
  assert.is(r.exec(`${'a'.repeat(100_000)}!.md`), null);
  assert.equal(r.exec('aaa_v2.md'), { name: 'aaa', version: '2' });
  assert.ok(Date.now() - started < 2000);
});

test.run();
