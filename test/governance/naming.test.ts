import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultIndexName, defaultNaming, type GovernedDir } from '../../lib/core/config.js';
import { compareVersions, parseArtefact } from '../../lib/governance/naming.js';
import { formatIndex, indexRows, parseIndex } from '../../lib/governance/index-file.js';

const test = suite('naming, versions and INDEX');
const rule: GovernedDir = { dir: 'docs/reports', naming: defaultNaming, index: defaultIndexName };

test("the plan's artefact names parse into name and version", () => {
  assert.equal(parseArtefact(rule, 'Tier1_Hardening_Completion_Report_v0.1.md'), {
    file: 'Tier1_Hardening_Completion_Report_v0.1.md',
    name: 'Tier1_Hardening_Completion_Report',
    version: [0, 1],
  });
  assert.equal(parseArtefact(rule, 'Tier1_Enhancement_Log_v1.2.3.md')?.version, [1, 2, 3]);
  for (const bad of ['report.md', 'Report_v.md', 'Report_v0.1.txt', 'Report v0.1.md', '_v0.1.md', 'INDEX.md'])
    assert.is(parseArtefact(rule, bad), null, bad);
});

test('versions compare numerically, part by part', () => {
  assert.ok(compareVersions([0, 10], [0, 9]) > 0);
  assert.ok(compareVersions([1], [0, 99]) > 0);
  assert.is(compareVersions([1, 0], [1]), 0);
  assert.ok(compareVersions([0, 1], [0, 1, 1]) < 0);
});

test('the INDEX is deterministic (sorted by name, then version) and parses back', () => {
  const files = [
    { name: 'B_Log_v0.2.md', bytes: 2, sha256: 'b'.repeat(64) },
    { name: 'A_Report_v0.10.md', bytes: 10, sha256: 'c'.repeat(64) },
    { name: 'A_Report_v0.9.md', bytes: 9, sha256: 'a'.repeat(64) },
    { name: 'INDEX.md', bytes: 1, sha256: 'd'.repeat(64) },
    { name: 'stray.txt', bytes: 1, sha256: 'e'.repeat(64) },
  ];
  const rows = indexRows(rule, files);
  assert.equal(
    rows.map((r) => r.file),
    ['A_Report_v0.9.md', 'A_Report_v0.10.md', 'B_Log_v0.2.md'],
  );
  const text = formatIndex(rule, rows);
  assert.is(text, formatIndex(rule, indexRows(rule, [...files].reverse())));
  assert.equal(parseIndex(text), rows);
  assert.is(parseIndex('# some other file\n| a | b |\n'), null);
  assert.is(parseIndex(text.replace('a'.repeat(64), 'not-a-hash')), null);
});

test.run();
