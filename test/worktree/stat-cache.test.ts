import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fc } from '../helpers/property.js';
import {
  cidAt,
  isCleanAt,
  itemsOf,
  loadStatCache,
  modeAt,
  oidAt,
  pathAt,
  racyMarginMs,
  saveStatCache,
} from '../../lib/worktree/stat-cache.js';
import { manifestItem } from '../../lib/store/manifest.js';
import type { WalkEntry } from '../../lib/worktree/walk.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('stat cache [C-SNAPSHOT]');
let box: Sandbox;
test.before.each(() => {
  box = sandbox();
});
test.after.each(() => box.cleanup());

const oid = (i: number): string => i.toString(16).padStart(40, '0');
const started = 1_700_000_000_000;

function sample(n: number): [WalkEntry, { oid: string; cid: string }][] {
  return Array.from({ length: n }, (_, i) => [
    {
      path: i % 7 === 6 ? `d${i % 3}/"quoted\\${i}"` : `d${i % 3}/ü ${i}.txt`,
      mode: (['100644', '100755', '120000'] as const)[i % 3] as '100644',
      size: i * 1000,
      mtimeMs: started - 5000 + i * 0.000123,
      ctimeMs: started - 4000.5,
      ino: 2 ** 40 + i,
    },
    { oid: oid(i), cid: `bafkrei${i}` },
  ]);
}

/** Saves a cache of `files` (rows in that order) and returns where. */
function saved(files: ReturnType<typeof sample>, trees: ReadonlyMap<string, string> = new Map([['', oid(5)]])): string {
  const path = join(box.dir, 'cache');
  saveStatCache(
    path,
    oid(7),
    files.map((f) => f[0]),
    files.map((f) => f[1]),
    trees,
    started,
  );
  return path;
}

test('what is saved is what is read back, racy entries marked, trees included', () => {
  const files = sample(50);
  const [first] = files;
  assert.ok(first);
  files.push([
    { ...first[0], path: 'late.txt', mtimeMs: started - racyMarginMs + 1 },
    { oid: oid(99), cid: 'bafkreilate' },
  ]);
  const trees = new Map([
    ['', oid(1000)],
    ['d0', oid(1001)],
    ['d1/deep', oid(1002)],
  ]);
  const cache = loadStatCache(saved(files, trees));
  assert.is(cache.commit, oid(7));
  assert.equal(cache.trees, trees);
  assert.is(cache.count, files.length);
  for (const [row, [w, h]] of files.entries()) {
    assert.equal(
      [pathAt(cache, row), modeAt(cache, row), oidAt(cache, row), cidAt(cache, row)],
      [w.path, w.mode, h.oid, h.cid],
    );
    // Clean for the same stat unless racy; any stat field that moves makes it dirty.
    assert.is(isCleanAt(cache, row, w), w.path !== 'late.txt');
    for (const moved of [
      { size: w.size + 1 },
      { mtimeMs: w.mtimeMs + 0.001 },
      { ctimeMs: w.ctimeMs + 1 },
      { ino: w.ino + 1 },
      { mode: w.mode === '100644' ? '100755' : '100644' },
    ] as const) {
      assert.not.ok(isCleanAt(cache, row, { ...w, ...moved } as WalkEntry));
    }
  }
});

test("the items of any run of rows are those files' manifest text, joined by commas", () => {
  const files = sample(40);
  const cache = loadStatCache(saved(files));
  fc.assert(
    fc.property(fc.nat(files.length - 1), fc.nat(files.length - 1), (a, b) => {
      const [from, to] = a <= b ? [a, b] : [b, a];
      const expected = files
        .slice(from, to + 1)
        .map(([w, h]) => manifestItem({ path: w.path, mode: w.mode, cid: h.cid }));
      assert.is(itemsOf(cache, from, to).toString('utf8'), expected.join(','));
    }),
  );
});

test('any damage, a truncation or an older format reads as an empty cache (everything is hashed again)', () => {
  const path = saved(sample(20));
  const good = readFileSync(path);
  fc.assert(
    fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
      const bad = Buffer.from(good);
      bad.writeUInt8(bad.readUInt8(at) ^ flip, at);
      writeFileSync(path, bad);
      assert.is(loadStatCache(path).commit, null);
    }),
  );
  for (const cut of [0, 10, good.length - 5, good.length - 1]) {
    writeFileSync(path, good.subarray(0, cut));
    assert.is(loadStatCache(path).count, 0);
  }
  writeFileSync(path, JSON.stringify({ version: 3, commit: oid(7), path: [] }));
  assert.is(loadStatCache(path).commit, null);
  assert.is(loadStatCache(join(box.dir, 'missing')).commit, null);
});

test.run();
