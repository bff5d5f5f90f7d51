import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hashObject, type ObjectType } from '../../lib/store/git-object.js';
import { hasObject, readObject } from '../../lib/store/objects.js';
import { bulkObjects, objectWriter } from '../../lib/store/object-writer.js';
import { entryHeader, packDir } from '../../lib/store/pack-format.js';
import { compress } from '../../lib/store/loose-objects.js';
import { forgetPacks, inPack, packedIdsWithPrefix, packedObject } from '../../lib/store/pack-reader.js';
import { foldAt, PackWriter } from '../../lib/store/pack-writer.js';
import { resolveCommit } from '../../lib/store/rev-parse.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('packs [C-STORE]');
let box: Sandbox;
let gitdir: string;
test.before.each(() => {
  box = sandbox();
  gitdir = box.bare('state.git');
});
test.after.each(() => {
  forgetPacks(gitdir);
  box.cleanup();
});

function objects(n: number): { oid: string; type: ObjectType; content: Buffer }[] {
  const out = [];
  for (let i = 0; i < n; i++) {
    // Sizes across the one-byte/multi-byte size header boundary, some empty, some compressible.
    const content = Buffer.from(i % 7 === 0 ? '' : `object ${i} `.repeat(i % 50));
    out.push({ oid: hashObject('blob', content), type: 'blob' as const, content });
  }
  return out;
}

test('a pack coo writes is one git verifies, with the very index git would build for it', () => {
  const all = objects(300);
  const pack = new PackWriter(gitdir);
  for (const o of all) pack.add(o.oid, o.type, o.content);
  const again = all[1];
  assert.ok(again);
  pack.add(again.oid, 'blob', again.content); // the same object twice is stored once
  const name = pack.finish();
  const idx = join(packDir(gitdir), `${name}.idx`);
  const verify = box.git(['--git-dir', gitdir, 'verify-pack', '-v', idx]);
  assert.is(verify.status, 0, verify.stderr);
  assert.match(verify.stdout, `non delta: ${new Set(all.map((o) => o.oid)).size} objects`);
  // git index-pack rebuilds the index from the pack alone: byte for byte what coo wrote.
  const rebuilt = join(box.dir, 'rebuilt.idx');
  assert.is(box.git(['index-pack', '-o', rebuilt, join(packDir(gitdir), `${name}.pack`)]).status, 0);
  assert.equal(readFileSync(rebuilt), readFileSync(idx));
  assert.is(box.git(['--git-dir', gitdir, 'fsck', '--strict']).status, 0);
  for (const o of all.slice(0, 40))
    assert.equal(box.git(['--git-dir', gitdir, 'cat-file', 'blob', o.oid]).stdout, o.content.toString());
});

test('coo reads every object of its pack back, checked, and says which it lacks', async () => {
  const all = objects(200);
  const pack = new PackWriter(gitdir);
  for (const o of all) pack.add(o.oid, o.type, o.content);
  pack.finish();
  for (const o of all) {
    assert.equal(await readObject(gitdir, o.oid), { type: 'blob', content: o.content });
    assert.ok(await hasObject(gitdir, o.oid));
  }
  const absent = hashObject('blob', Buffer.from('never stored'));
  assert.is(packedObject(gitdir, absent), null);
  assert.not.ok(await hasObject(gitdir, absent));
});

test('packs git made: whole objects are read directly, deltas through isomorphic-git', async () => {
  const work = join(box.dir, 'work');
  box.git(['init', '-q', work]);
  const base = 'line of text that repeats\n'.repeat(200);
  for (let i = 0; i < 6; i++) {
    writeFileSync(join(work, 'f.txt'), `${base}change ${i}\n`);
    box.git(['-C', work, 'add', '.']);
    box.git(['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', `c${i}`]);
  }
  box.git(['-C', work, 'gc', '-q', '--aggressive']);
  const gitDir = join(work, '.git');
  const list = box.git([
    '--git-dir',
    gitDir,
    'verify-pack',
    '-v',
    ...readdirSync(join(gitDir, 'objects', 'pack'))
      .filter((n) => n.endsWith('.idx'))
      .map((n) => join(gitDir, 'objects', 'pack', n)),
  ]).stdout;
  const rows = list.split('\n').filter((l) => /^[0-9a-f]{40} /u.test(l));
  const deltas = rows.filter((l) => l.split(/\s+/u).length > 5).map((l) => l.slice(0, 40));
  const whole = rows.filter((l) => l.split(/\s+/u).length === 5).map((l) => l.slice(0, 40));
  assert.ok(deltas.length > 0 && whole.length > 0, list);
  for (const oid of [...deltas, ...whole]) {
    const expected = box.git(['--git-dir', gitDir, 'cat-file', '-p', oid]).stdout;
    const type = box.git(['--git-dir', gitDir, 'cat-file', '-t', oid]).stdout.trim();
    const found = await readObject(gitDir, oid);
    assert.is(found.type, type);
    if (type !== 'tree') assert.is(found.content.toString(), expected);
    assert.is(packedObject(gitDir, oid) === 'delta', deltas.includes(oid), oid);
  }
  forgetPacks(gitDir);
});

test('a damaged pack is reported as corrupt state, never returned', async () => {
  const all = objects(20);
  const pack = new PackWriter(gitdir);
  for (const o of all) pack.add(o.oid, o.type, o.content);
  const name = pack.finish();
  const file = join(packDir(gitdir), `${name}.pack`);
  const bytes = readFileSync(file);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 30) ^ 0xff, bytes.length - 30); // inside the last object's compressed data
  chmodSync(file, 0o644);
  writeFileSync(file, bytes);
  forgetPacks(gitdir);
  let failures = 0;
  for (const o of all) {
    try {
      const found = await readObject(gitdir, o.oid);
      assert.equal(found.content, o.content);
    } catch (err) {
      assert.is((err as { code?: string }).code, 'E_STATE_CORRUPT');
      failures += 1;
    }
  }
  assert.is(failures, 1);
});

test('the bulk writer packs many objects, leaves out what the repository has, and resolves abbreviations', async () => {
  const all = objects(1050);
  const first = objectWriter(gitdir, all.length);
  for (const o of all.slice(0, 600)) first.put(o.oid, o.type, o.content);
  first.close();
  const second = objectWriter(gitdir, all.length);
  for (const o of all) second.put(o.oid, o.type, o.content);
  second.close();
  const packs = readdirSync(packDir(gitdir)).filter((n) => n.endsWith('.pack'));
  assert.is(packs.length, 2);
  const counts = packs.map(
    (p) =>
      box
        .git(['--git-dir', gitdir, 'verify-pack', '-v', join(packDir(gitdir), p.replace(/pack$/u, 'idx'))])
        .stdout.match(/non delta: (\d+)/u)?.[1],
  );
  const had = new Set(all.slice(0, 600).map((o) => o.oid));
  const added = new Set(
    all
      .slice(600)
      .map((o) => o.oid)
      .filter((oid) => !had.has(oid)),
  );
  assert.equal(
    counts.map(Number).sort((a, b) => a - b),
    [had.size, added.size].sort((a, b) => a - b),
  );
  for (const o of all) assert.ok(inPack(gitdir, o.oid));
  const oid = all[3]?.oid;
  assert.ok(oid);
  assert.equal(packedIdsWithPrefix(gitdir, oid.slice(0, 7)), [oid]);
  // An abbreviated id names a packed commit as it names a loose one.
  const tree = hashObject('tree', Buffer.alloc(0));
  const commit = Buffer.from(`tree ${tree}\nauthor a <a> 0 +0000\ncommitter a <a> 0 +0000\n\nm\n`);
  const commitOid = hashObject('commit', commit);
  const pack = new PackWriter(gitdir);
  pack.add(commitOid, 'commit', commit);
  pack.finish();
  assert.is((await resolveCommit(gitdir, commitOid.slice(0, 10))).oid, commitOid);
});

test('small packs are folded into the next one once there are enough; a pack with deltas is left alone', async () => {
  // A pack git made with deltas, dropped into the state repository.
  const work = join(box.dir, 'work');
  box.git(['init', '-q', work]);
  for (let i = 0; i < 4; i++) {
    writeFileSync(join(work, 'f.txt'), `${'same line\n'.repeat(300)}v${i}\n`);
    box.git(['-C', work, 'add', '.']);
    box.git(['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', `c${i}`]);
  }
  box.git(['-C', work, 'gc', '-q', '--aggressive']);
  const gitPacks = join(work, '.git', 'objects', 'pack');
  for (const name of readdirSync(gitPacks))
    writeFileSync(join(packDir(gitdir), name), readFileSync(join(gitPacks, name)));
  const all = objects((foldAt - 1) * 10);
  for (let k = 0; k < foldAt - 1; k++) {
    const writer = objectWriter(gitdir, bulkObjects);
    for (const o of all.slice(k * 10, k * 10 + 10)) writer.put(o.oid, o.type, o.content);
    writer.close();
  }
  const packs = (): string[] => readdirSync(packDir(gitdir)).filter((n) => n.endsWith('.pack'));
  assert.is(packs().length, foldAt); // ours and git's: the next pack folds
  const extra = Buffer.from('the one that folds');
  const writer = objectWriter(gitdir, bulkObjects);
  writer.put(hashObject('blob', extra), 'blob', extra);
  writer.close();
  assert.is(packs().length, 2, packs().join(' ')); // the new pack holding everything of ours, and git's
  for (const o of [...all, { oid: hashObject('blob', extra), content: extra }])
    assert.equal((await readObject(gitdir, o.oid)).content, o.content);
  assert.is(box.git(['--git-dir', gitdir, 'fsck', '--strict']).status, 0);
  for (const idx of readdirSync(packDir(gitdir)).filter((n) => n.endsWith('.idx')))
    assert.is(box.git(['--git-dir', gitdir, 'verify-pack', join(packDir(gitdir), idx)]).status, 0);
});

test("a repository deleted and made again at the same path is not answered from the old one's packs", async () => {
  const all = objects(40);
  for (let round = 0; round < 2; round++) {
    rmSync(gitdir, { recursive: true, force: true });
    assert.is(box.git(['init', '-q', '--bare', gitdir]).status, 0);
    for (const o of all)
      assert.not.ok(await hasObject(gitdir, o.oid), `round ${round}: the new repository has nothing yet`);
    const writer = objectWriter(gitdir, all.length);
    for (const o of all) writer.put(o.oid, o.type, o.content);
    writer.close();
    for (const o of all) assert.equal((await readObject(gitdir, o.oid)).content, o.content);
  }
});

test("an object past 2 GiB in a pack is found through the index's 64-bit offsets", async () => {
  const content = Buffer.from('far into a large pack\n');
  const oid = hashObject('blob', content);
  const entry = Buffer.concat([entryHeader('blob', content.length), compress(content)]);
  const at = 2 ** 31 + 4096;
  mkdirSync(packDir(gitdir), { recursive: true });
  const name = `pack-${'ab'.repeat(20)}`;
  // A sparse pack: its header, the one entry past 2 GiB, a trailer (coo's reader checks objects, not the trailer).
  const fd = openSync(join(packDir(gitdir), `${name}.pack`), 'w');
  writeSync(fd, Buffer.from('PACK\0\0\0\x02\0\0\0\x01', 'latin1'), 0, 12, 0);
  writeSync(fd, entry, 0, entry.length, at);
  writeSync(fd, Buffer.alloc(20), 0, 20, at + entry.length);
  closeSync(fd);
  const idx = Buffer.alloc(8 + 1024 + 28 + 8 + 40);
  idx.writeUInt32BE(0xff744f63, 0);
  idx.writeUInt32BE(2, 4);
  for (let byte = Number.parseInt(oid.slice(0, 2), 16); byte < 256; byte++) idx.writeUInt32BE(1, 8 + byte * 4);
  idx.write(oid, 8 + 1024, 'hex');
  idx.writeUInt32BE(0x80000000, 8 + 1024 + 24); // "see the 64-bit table, entry 0"
  idx.writeUInt32BE(Math.floor(at / 2 ** 32), 8 + 1024 + 28);
  idx.writeUInt32BE(at % 2 ** 32, 8 + 1024 + 32);
  writeFileSync(join(packDir(gitdir), `${name}.idx`), idx);
  assert.ok(inPack(gitdir, oid));
  assert.equal(packedObject(gitdir, oid), { type: 'blob', content });
});

test.run();
