import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureJsonDocument, readJsonFile } from '../../lib/core/json-document.js';
import { expectCode } from '../helpers/expect.js';

// Every JSON document coo reads goes through one reader: parsed, checked against its schema, each
// failure one error with the caller's code, `data.path` naming the document and `data.pointer` the place.

const test = suite('JSON documents');
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

test.run();
