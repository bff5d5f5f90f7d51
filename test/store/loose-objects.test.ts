import { readFileSync, writeFileSync, mkdirSync, chmodSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hashObject } from '../../lib/store/git-object.js';
import {
  compress,
  looseObjectPath,
  readLooseObject,
  writeBlobFromFile,
  writeObject,
} from '../../lib/store/loose-objects.js';
import { bulkObjects, objectWriter } from '../../lib/store/object-writer.js';
import { fc } from '../helpers/property.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('loose objects [C-STORE]');
let box: Sandbox;
let gitdir: string;
test.before.each(() => {
  box = sandbox({ gitInit: false });
  gitdir = box.bare();
});
test.after.each(() => box.cleanup());

test('ids match git hash-object, and git reads what coo wrote', () => {
  for (const content of ['', 'hello\n', 'x'.repeat(100_000), '\u00e9\u0000binary']) {
    const buf = Buffer.from(content);
    const oid = writeObject(gitdir, 'blob', buf);
    writeFileSync(join(box.dir, 'f'), buf);
    assert.is(oid, box.git(['hash-object', join(box.dir, 'f')]).stdout.trim());
    assert.is(box.git(['--git-dir', gitdir, 'cat-file', '-p', oid]).stdout, buf.toString('utf8'));
  }
  assert.is(box.git(['--git-dir', gitdir, 'fsck', '--strict']).status, 0);
});

test("property: compress, with its window sized to the input, inflates back and is as small as zlib's defaults", () => {
  const content = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }),
    fc
      .tuple(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 3000 }))
      .map(([s, n]) => Buffer.from(s.repeat(n).slice(0, 70_000))),
  );
  fc.assert(
    fc.property(content, (bytes) => {
      const packed = compress(bytes);
      assert.ok(inflateSync(packed).equals(Buffer.from(bytes)));
      assert.ok(
        packed.length <= deflateSync(bytes, { level: 1 }).length + 8,
        `${packed.length} bytes for ${bytes.length}`,
      );
    }),
    { numRuns: 300 },
  );
});

test('a repository removed and made again at the same path takes objects again, in every write path', async () => {
  const big = join(box.dir, 'big');
  writeFileSync(big, 'streamed\n');
  for (let round = 0; round < 2; round++) {
    rmSync(gitdir, { recursive: true, force: true });
    assert.is(box.git(['init', '-q', '--bare', gitdir]).status, 0);
    const oid = writeObject(gitdir, 'blob', Buffer.from('same content\n'));
    const bulk = objectWriter(gitdir, bulkObjects); // the pack path
    bulk.put(hashObject('blob', Buffer.from('async\n')), 'blob', Buffer.from('async\n'));
    bulk.close();
    const streamed = await writeBlobFromFile(gitdir, big, 9);
    for (const id of [oid, hashObject('blob', Buffer.from('async\n')), streamed.oid])
      assert.is(box.git(['--git-dir', gitdir, 'cat-file', '-t', id]).stdout.trim(), 'blob', `round ${round}`);
  }
});

test('writing an existing object is a no-op and leaves no temp file', () => {
  const oid = writeObject(gitdir, 'blob', Buffer.from('same'));
  const before = readFileSync(looseObjectPath(gitdir, oid));
  writeObject(gitdir, 'blob', Buffer.from('same'));
  assert.equal(readFileSync(looseObjectPath(gitdir, oid)), before);
  const dir = join(gitdir, 'objects', oid.slice(0, 2));
  assert.equal(box.git(['--git-dir', gitdir, 'count-objects', '-v']).stdout.match(/garbage: (\d+)/)?.[1], '0');
  assert.ok(existsSync(dir));
});

test('a large file is stored by streaming, and its id and sha256 are right', async () => {
  const file = join(box.dir, 'big.bin');
  const content = Buffer.alloc(5 * 1024 * 1024 + 7);
  for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
  writeFileSync(file, content);
  const blob = await writeBlobFromFile(gitdir, file, content.length);
  assert.is(blob.oid, hashObject('blob', content));
  assert.is(
    blob.sha256.toString('hex'),
    (await import('node:crypto')).createHash('sha256').update(content).digest('hex'),
  );
  assert.is(box.git(['--git-dir', gitdir, 'cat-file', '-s', blob.oid]).stdout.trim(), String(content.length));
  assert.is(box.git(['--git-dir', gitdir, 'fsck', '--strict']).status, 0);
});

test('a file that changes size while streamed fails with E_FILE_CHANGED_DURING_CAPTURE and stores nothing', async () => {
  const file = join(box.dir, 'grow.bin');
  writeFileSync(file, Buffer.alloc(3 * 1024 * 1024));
  try {
    await writeBlobFromFile(gitdir, file, 1024);
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code: string }).code, 'E_FILE_CHANGED_DURING_CAPTURE');
  }
  assert.is(box.git(['--git-dir', gitdir, 'count-objects']).stdout.trim(), '0 objects, 0 kilobytes');
});

test('reading detects an object whose content does not match its id', () => {
  const oid = writeObject(gitdir, 'blob', Buffer.from('original'));
  const path = looseObjectPath(gitdir, oid);
  chmodSync(path, 0o644);
  writeFileSync(path, deflateSync(Buffer.from('blob 8\0tampered')));
  try {
    readLooseObject(gitdir, oid);
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code: string }).code, 'E_STATE_CORRUPT');
  }
  mkdirSync(join(gitdir, 'objects', 'ab'), { recursive: true });
  assert.is(readLooseObject(gitdir, 'ab'.padEnd(40, '0')), null);
});

test.run();
