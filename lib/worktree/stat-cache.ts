import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../store/atomic-file.js';
import { manifestItem } from '../store/manifest.js';
import type { FileMode } from '../store/tree.js';
import type { WalkEntry } from './walk.js';

// What the last capture learned about each file (stat data, git id, manifest entry), so the next
// one re-hashes only files whose stat changed.
//
// Racy timestamps, as git and jj guard against them: a file whose mtime falls near or after the
// moment the capture began may change again within the same timestamp tick without its stat
// changing, so it is stored as racy and hashed again next time. The margin covers filesystems
// with coarse (up to 2 s) timestamps. ctime is compared, not judged racy: a rewrite that puts the
// mtime back still moves the ctime.
//
// Validity: the cache names the commit whose tree holds every blob it lists. If that commit is
// gone (a prune), the whole cache is dropped; otherwise every listed object exists, so no entry
// needs its own existence check.

/**
 * Kept column by column, as it is stored: a capture of 50,000 files reads it, compares and
 * writes it again without making an object per file.
 */
export interface StatCache {
  /** The commit whose tree holds every listed blob and tree; null for an empty cache. */
  readonly commit: string | null;
  /** How many files (rows) it lists, in path order (the order a capture walks them in). */
  readonly count: number;
  /** Per row: path, oid. */
  readonly words: readonly string[];
  /** Per row: size, mtimeMs, ctimeMs, ino, mode (0/1/2), racy (0/1), where its item starts in `items`. */
  readonly numbers: Float64Array;
  /**
   * Every row's manifest entry (`manifestItem`: CID, mode, path), joined by commas, as UTF-8: the
   * items of consecutive rows are the manifest's text for those files, so a capture that reuses
   * them hashes them as they are instead of writing each one out again.
   */
  readonly items: Buffer;
  /** Tree id of every directory of that commit ('' is the root): git's cache-tree. */
  readonly trees: ReadonlyMap<string, string>;
}

export const racyMarginMs = 2000;

// Stored in one binary file, as git's index is: "COOSTAT5", a little-endian uint32 length and a
// JSON header {commit, files, trees, items}, padding to a multiple of 8, seven float64 numbers per
// file (size, mtimeMs, ctimeMs, ino, mode as 0/1/2, racy as 0/1, item offset), the items (`items`
// bytes), then the text, NUL-separated (path, oid per file; directory, tree id per tree; NUL never
// occurs in either), then a CRC-32 of all that comes before it. Reading 50,000 entries this way
// takes a fifth of the time JSON took, and a damaged file (a wrong CRC, a count or an offset that
// does not add up) reads as an empty cache.

const magic = 'COOSTAT5';
const modeCodes: readonly FileMode[] = ['100644', '100755', '120000'];
const perFile = 7;
const comma = 0x2c;
const cidStart = '{"cid":"'.length;

export const emptyStatCache: StatCache = {
  commit: null,
  count: 0,
  words: [],
  numbers: new Float64Array(0),
  items: Buffer.alloc(0),
  trees: new Map(),
};

interface Header {
  readonly commit: string;
  readonly files: number;
  readonly trees: number;
  readonly items: number;
}

/**
 * Whether every row's mode is known and the item offsets add up: row 0's item starts the region,
 * each later one starts past the comma that ends the one before, and the last ends the region.
 */
function rowsHold(numbers: Float64Array, n: number, items: Buffer): boolean {
  if (n === 0) return items.length === 0;
  if (numbers[6] !== 0) return false;
  for (let i = 0; i < n; i++) {
    if (modeCodes[numbers[i * perFile + 4] as number] === undefined) return false;
    const at = numbers[i * perFile + 6] as number;
    const next = i + 1 < n ? (numbers[(i + 1) * perFile + 6] as number) : items.length + 1;
    if (!Number.isSafeInteger(next) || next < at + 2 || next > items.length + 1) return false;
    if (i + 1 < n && items[next - 1] !== comma) return false;
  }
  return true;
}

function parse(raw: Buffer): StatCache {
  if (raw.length < 16 || raw.toString('latin1', 0, 8) !== magic) return emptyStatCache;
  const body = raw.subarray(0, raw.length - 4);
  if (crc32(body) !== raw.readUInt32LE(raw.length - 4)) return emptyStatCache;
  const headerLength = raw.readUInt32LE(8);
  const header = JSON.parse(raw.toString('utf8', 12, 12 + headerLength)) as Partial<Header>;
  const { commit, files: n, trees: t, items: itemBytes } = header;
  if (
    typeof commit !== 'string' ||
    !Number.isSafeInteger(n) ||
    !Number.isSafeInteger(t) ||
    !Number.isSafeInteger(itemBytes)
  )
    return emptyStatCache;
  const numbersAt = Math.ceil((12 + headerLength) / 8) * 8;
  const itemsAt = numbersAt + (n as number) * perFile * 8;
  const textAt = itemsAt + (itemBytes as number);
  if (textAt > body.length) return emptyStatCache;
  // A view where the file's bytes lie 8-aligned in memory (a file read whole has a buffer of its
  // own), else a copy.
  const numbersOffset = body.byteOffset + numbersAt;
  const numbers =
    numbersOffset % 8 === 0
      ? new Float64Array(body.buffer, numbersOffset, (n as number) * perFile)
      : new Float64Array(body.buffer.slice(numbersOffset, body.byteOffset + itemsAt));
  const items = body.subarray(itemsAt, textAt);
  const words = body.toString('utf8', textAt).split('\0');
  if (words.length !== (n as number) * 2 + (t as number) * 2 || !rowsHold(numbers, n as number, items))
    return emptyStatCache;
  const trees = new Map<string, string>();
  for (let i = (n as number) * 2; i < words.length; i += 2) trees.set(words[i] as string, words[i + 1] as string);
  return { commit, count: n as number, words, numbers, items, trees };
}

/** Reads the cache; the caller drops it if its commit no longer exists. */
export function loadStatCache(path: string): StatCache {
  try {
    return parse(readFileSync(path));
  } catch {
    return emptyStatCache; // missing or damaged: everything is hashed again, which is always correct
  }
}

/** Whether row `row` vouches for a file seen with this stat (same kind, size, times, inode; not racy). */
export function isCleanAt(cache: StatCache, row: number, seen: WalkEntry): boolean {
  const at = row * perFile;
  const n = cache.numbers;
  return (
    n[at + 5] === 0 &&
    modeCodes[n[at + 4] as number] === seen.mode &&
    n[at] === seen.size &&
    n[at + 1] === seen.mtimeMs &&
    n[at + 2] === seen.ctimeMs &&
    n[at + 3] === seen.ino
  );
}

export function modeAt(cache: StatCache, row: number): FileMode {
  return modeCodes[cache.numbers[row * perFile + 4] as number] as FileMode;
}

export const pathAt = (cache: StatCache, row: number): string => cache.words[row * 2] as string;
export const oidAt = (cache: StatCache, row: number): string => cache.words[row * 2 + 1] as string;

/** The items of rows `from` to `to` (inclusive), joined by commas, as the manifest has them. */
export function itemsOf(cache: StatCache, from: number, to: number): Buffer {
  const end = to + 1 < cache.count ? (cache.numbers[(to + 1) * perFile + 6] as number) - 1 : cache.items.length;
  return cache.items.subarray(cache.numbers[from * perFile + 6] as number, end);
}

/** The CID in row `row`'s item (base32 text, which never holds a quote). */
export function cidAt(cache: StatCache, row: number): string {
  const start = (cache.numbers[row * perFile + 6] as number) + cidStart;
  return cache.items.toString('latin1', start, cache.items.indexOf(0x22, start));
}

export function hasRacyRows(cache: StatCache): boolean {
  for (let at = 5; at < cache.numbers.length; at += perFile) if (cache.numbers[at] === 1) return true;
  return false;
}

export interface Hashed {
  readonly oid: string;
  readonly cid: string;
}

/** Writes the cache for a capture that began at `startedMs` and was committed as `commit`: row i is `seen[i]`, stored as `files[i]`. */
export function saveStatCache(
  path: string,
  commit: string,
  seen: readonly WalkEntry[],
  files: readonly Hashed[],
  trees: ReadonlyMap<string, string>,
  startedMs: number,
): void {
  const threshold = startedMs - racyMarginMs;
  const n = seen.length;
  const numbers = new Float64Array(n * perFile);
  const words = new Array<string>(n * 2 + trees.size * 2);
  const itemTexts = new Array<string>(n);
  let itemAt = 0;
  for (let i = 0; i < n; i++) {
    const w = seen[i] as WalkEntry;
    const h = files[i] as Hashed;
    const at = i * perFile;
    const item = manifestItem({ path: w.path, mode: w.mode, cid: h.cid });
    numbers[at] = w.size;
    numbers[at + 1] = w.mtimeMs;
    numbers[at + 2] = w.ctimeMs;
    numbers[at + 3] = w.ino;
    numbers[at + 4] = modeCodes.indexOf(w.mode);
    numbers[at + 5] = w.mtimeMs >= threshold ? 1 : 0;
    numbers[at + 6] = itemAt;
    itemAt += Buffer.byteLength(item) + 1;
    itemTexts[i] = item;
    words[i * 2] = w.path;
    words[i * 2 + 1] = h.oid;
  }
  let k = n * 2;
  for (const [dir, oid] of trees) {
    words[k++] = dir;
    words[k++] = oid;
  }
  const itemBytes = Math.max(0, itemAt - 1);
  const header = Buffer.from(
    JSON.stringify({ commit, files: n, trees: trees.size, items: itemBytes } satisfies Header),
  );
  const lead = Buffer.alloc(Math.ceil((12 + header.length) / 8) * 8);
  lead.write(magic, 0, 'latin1');
  lead.writeUInt32LE(header.length, 8);
  header.copy(lead, 12);
  // Written piece by piece, 4,096 items or words at a time: as one 7 MB string and its copies it
  // cost more time and memory than the writing.
  function* pieces(): Generator<Buffer> {
    let crc = 0;
    const piece = (bytes: Buffer): Buffer => {
      crc = crc32(bytes, crc);
      return bytes;
    };
    yield piece(lead);
    yield piece(Buffer.from(numbers.buffer));
    for (let i = 0; i < itemTexts.length; i += 4096)
      yield piece(Buffer.from(`${i === 0 ? '' : ','}${itemTexts.slice(i, i + 4096).join(',')}`));
    for (let i = 0; i < words.length; i += 4096)
      yield piece(Buffer.from(`${i === 0 ? '' : '\0'}${words.slice(i, i + 4096).join('\0')}`));
    const tail = Buffer.alloc(4);
    tail.writeUInt32LE(crc);
    yield tail;
  }
  writeFileAtomic(path, pieces());
}
