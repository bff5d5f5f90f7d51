import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../lib/index.js';
import { catalogue } from '../lib/core/catalogue.js';
import { commands } from '../lib/cli/main.js';
import { projectRoot } from './helpers/sandbox.js';

// CONTRACTS.md against the code and the tests: every contract is proved by a test that names it,
// every tag a test carries names a contract, and every operation coo offers (a public function, a
// CLI command) has a contract whose functions, commands and error codes all exist.

const test = suite('operation contracts');

const fields = ['Library', 'CLI', 'Inputs', 'Preconditions', 'Effects', 'Postconditions', 'Errors'] as const;
type Field = (typeof fields)[number];

interface Contract {
  readonly id: string;
  readonly fields: Readonly<Record<Field, string>>;
}

function parseContracts(text: string): Contract[] {
  const out: Contract[] = [];
  for (const section of text.split(/^### /mu).slice(1)) {
    const id = /^(C-[A-Z0-9-]+): /u.exec(section)?.[1];
    assert.ok(id, `a contract heading must be "### C-ID: title": ${section.split('\n')[0]}`);
    const found: Partial<Record<Field, string>> = {};
    for (const match of section.matchAll(/^- \*\*([A-Za-z]+)\*\*: (.*)$/gmu))
      found[match[1] as Field] = match[2] as string;
    for (const field of fields) assert.ok(found[field] !== undefined, `${id} has no ${field}`);
    out.push({ id, fields: found as Record<Field, string> });
  }
  return out;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

const contracts = parseContracts(readFileSync(join(projectRoot, 'CONTRACTS.md'), 'utf8'));
const ids = new Set(contracts.map((c) => c.id));
const backticked = (s: string): string[] => [...s.matchAll(/`([^`]+)`/gu)].map((m) => m[1] as string);

test('contract ids are unique and every contract has all seven fields', () => {
  assert.ok(contracts.length >= 30, `${contracts.length} contracts`);
  assert.is(ids.size, contracts.length, 'duplicate contract id');
});

test('every contract is proved by at least one test that names it, and every tag names a contract', () => {
  const tagged = new Map<string, string[]>();
  for (const file of testFiles(join(projectRoot, 'test'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\[(C-[A-Z0-9-]+)\]/gu)) {
      const id = m[1] as string;
      tagged.set(id, [...(tagged.get(id) ?? []), relative(projectRoot, file)]);
    }
  }
  const unknown = [...tagged.keys()].filter((id) => !ids.has(id));
  assert.equal(
    unknown,
    [],
    `tests name contracts CONTRACTS.md does not have: ${unknown.map((id) => `${id} (${tagged.get(id)?.join(', ')})`).join('; ')}`,
  );
  const untested = contracts.map((c) => c.id).filter((id) => !tagged.has(id));
  assert.equal(untested, [], `contracts with no test: ${untested.join(', ')}`);
});

test('every library function a contract names is exported, and every export has a contract', () => {
  const named = new Set(contracts.flatMap((c) => backticked(c.fields.Library)));
  const exported = new Set(Object.keys(api));
  const missing = [...named].filter((n) => !exported.has(n));
  assert.equal(missing, [], `contracts name functions lib/index.ts does not export: ${missing.join(', ')}`);
  const uncovered = [...exported].filter((n) => !named.has(n)).sort();
  assert.equal(uncovered, [], `exports with no contract: ${uncovered.join(', ')}`);
});

test('every CLI command a contract names exists, and every command has a contract', () => {
  const known = new Map<string, Set<string> | null>();
  for (const entry of commands) {
    const name = entry.command.split(' ')[0] as string;
    known.set(
      name,
      'subcommands' in entry ? new Set(entry.subcommands.map((s) => s.command.split(' ')[0] as string)) : null,
    );
  }
  const covered = new Set<string>();
  for (const c of contracts) {
    for (const usage of backticked(c.fields.CLI)) {
      const words = usage.split(/\s+/u);
      assert.is(words[0], 'coo', `${c.id}: ${usage}`);
      const name = words[1] as string;
      assert.ok(known.has(name), `${c.id} names a command coo does not have: ${usage}`);
      const subs = known.get(name);
      if (subs) {
        assert.ok(subs.has(words[2] as string), `${c.id} names an action coo ${name} does not have: ${usage}`);
        covered.add(`${name} ${words[2]}`);
      } else covered.add(name);
    }
  }
  const all = [...known].flatMap(([name, subs]) => (subs ? [...subs].map((s) => `${name} ${s}`) : [name]));
  const uncovered = all.filter((n) => !covered.has(n));
  assert.equal(uncovered, [], `commands with no contract: ${uncovered.join(', ')}`);
});

test('every error code a contract names is in the catalogue', () => {
  for (const c of contracts) {
    for (const code of c.fields.Errors.match(/E_[A-Z0-9_]+/gu) ?? [])
      assert.ok(Object.hasOwn(catalogue, code), `${c.id} names ${code}, which the catalogue does not have`);
  }
});

test.run();
