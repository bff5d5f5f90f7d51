import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureJsonDocument, readJsonFile } from '../../lib/core/json-document.js';
import { expectCode } from '../helpers/expect.js';

// Every JSON document coo reads goes through one reader: parsed, checked against its schema, each
// failure one error with the caller's code, `data.path` naming the document and `data.pointer` the place.

const test = suite('JSON documents [C-DOCUMENTS]');
let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'coo-json-'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const journal = {
  version: 1,
  op: 'rollback',
  target: 'a'.repeat(40),
  safety: 'b'.repeat(40),
  startedAt: '2026-01-01T00:00:00.000Z',
};

test('a valid document comes back as it is; a missing file is `missing()` when given, else an error', async () => {
  const path = join(dir, 'journal.json');
  writeFileSync(path, JSON.stringify(journal));
  assert.equal(await readJsonFile(path, { schema: 'journal', code: 'E_STATE_CORRUPT' }), journal);
  assert.is(
    await readJsonFile(join(dir, 'none.json'), { schema: 'journal', code: 'E_STATE_CORRUPT', missing: () => null }),
    null,
  );
  const data = await expectCode(
    readJsonFile(join(dir, 'none.json'), { schema: 'mission', code: 'E_MISSION_INVALID', source: 'm.json' }),
    'E_MISSION_INVALID',
  );
  assert.equal([data['path'], data['errno']], ['m.json', 'ENOENT']);
});

test("unreadable, not JSON, or not the schema: the caller's code, with the path and a pointer into the document", async () => {
  mkdirSync(join(dir, 'a-directory.json'));
  const unreadable = await expectCode(
    readJsonFile(join(dir, 'a-directory.json'), { schema: 'journal', code: 'E_STATE_CORRUPT', missing: () => null }),
    'E_STATE_CORRUPT',
  );
  assert.is(unreadable['errno'], 'EISDIR');
  const notJson = await expectCode(
    ensureJsonDocument('{"version": 1,', { schema: 'config', code: 'E_CONFIG_INVALID', source: '.coo/config.json' }),
    'E_CONFIG_INVALID',
  );
  assert.equal([notJson['path'], notJson['pointer']], ['.coo/config.json', '']);
  const wrong = await expectCode(
    ensureJsonDocument(Buffer.from(JSON.stringify({ ...journal, safety: 7 })), {
      schema: 'journal',
      code: 'E_STATE_CORRUPT',
      source: 'j',
    }),
    'E_STATE_CORRUPT',
  );
  assert.equal([wrong['pointer'], wrong['found']], ['/safety', 7]);
  const extra = await expectCode(
    ensureJsonDocument(JSON.stringify({ ...journal, more: 1 }), {
      schema: 'journal',
      code: 'E_STATE_CORRUPT',
      source: 'j',
    }),
    'E_STATE_CORRUPT',
  );
  assert.is(extra['pointer'], '/more');
});

const config = (text: string | Buffer) =>
  expectCode(
    ensureJsonDocument(text, { schema: 'config', code: 'E_CONFIG_INVALID', source: 'c.json' }),
    'E_CONFIG_INVALID',
  );

test("a key named twice is refused with the caller's code and a pointer to the second one", async () => {
  const data = await config('{"version": 1,\n "governed": [],\n "governed": [{"dir": "x"}]}');
  assert.equal([data['problem'], data['pointer'], data['line'], data['column']], ['duplicate-key', '/governed', 3, 2]);
});

test('100,000 levels of nesting are refused at the bound, before the schema validator recurses into them', async () => {
  const data = await config(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  assert.equal([data['problem'], data['limit']], ['too-deep', 64]);
  const inside = await config(`{"version": 1, "capture": ${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}}`);
  assert.equal([inside['problem'], String(inside['pointer']).slice(0, 12)], ['too-deep', '/capture/x/x']);
});

test('a document over its size bound is refused before it is read; a string over it too', async () => {
  const path = join(dir, 'huge.json');
  const fd = openSync(path, 'w');
  ftruncateSync(fd, 1024 ** 3); // a sparse gigabyte: reading it would take seconds and the memory
  closeSync(fd);
  const started = Date.now();
  const data = await expectCode(
    readJsonFile(path, { schema: 'config', code: 'E_CONFIG_INVALID', maxBytes: 1024 }),
    'E_CONFIG_INVALID',
  );
  assert.equal([data['problem'], data['bytes'], data['limit']], ['too-large', 1024 ** 3, 1024]);
  assert.ok(Date.now() - started < 500);
  const text = await expectCode(
    ensureJsonDocument(`{"version":1,"x":"${'a'.repeat(2000)}"}`, {
      schema: 'config',
      code: 'E_CONFIG_INVALID',
      source: 'c',
      maxBytes: 1024,
    }),
    'E_CONFIG_INVALID',
  );
  assert.is(text['problem'], 'too-large');
});

test('bytes that are not UTF-8 are refused, not read as replacement characters', async () => {
  const bytes = Buffer.concat([
    Buffer.from('{"version": 1, "governed": [{"dir": "a'),
    Buffer.from([0xff]),
    Buffer.from('"}]}'),
  ]);
  const data = await config(bytes);
  assert.is(data['problem'], 'syntax');
});

test('every failure names its problem: unreadable, syntax, schema', async () => {
  assert.is((await config('{"version": 1,'))['problem'], 'syntax');
  assert.is((await config('{"version": 2}'))['problem'], 'schema');
  const missing = await expectCode(
    readJsonFile(join(dir, 'none.json'), { schema: 'config', code: 'E_CONFIG_INVALID' }),
    'E_CONFIG_INVALID',
  );
  assert.is(missing['problem'], 'unreadable');
});

test.run();
