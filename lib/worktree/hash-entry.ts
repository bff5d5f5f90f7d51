import { createHash, hash } from 'node:crypto';
import { closeSync, createReadStream, lstatSync, openSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { CooError, ioError } from '../core/coo-error.js';
import { objectHeader } from '../store/git-object.js';
import { writeBlobFromFile } from '../store/loose-objects.js';
import { blobCid } from '../store/manifest.js';
import type { ObjectWriter } from '../store/object-writer.js';
import type { Hashed } from './stat-cache.js';
import { fileModeOf, walkEntryOf, type Skipped, type WalkEntry } from './walk.js';

// One file of a capture, hashed twice (git's SHA-1 id over `blob <size>\0` and the content; the
// SHA-256 CID of the content) and stored: small files through one reused buffer, files over
// 2 MiB streamed without being held in memory.

const streamAbove = 2 * 1024 * 1024;

async function hashFileStreaming(abs: string, size: number): Promise<Hashed> {
  const sha1 = createHash('sha1').update(objectHeader('blob', size));
  const sha256 = createHash('sha256');
  let seen = 0;
  for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    seen += chunk.length;
    sha1.update(chunk);
    sha256.update(chunk);
  }
  if (seen !== size)
    throw new CooError('E_FILE_CHANGED_DURING_CAPTURE', `${abs} changed size while it was read`, { path: abs });
  return { oid: sha1.digest('hex'), cid: blobCid(sha256.digest()) };
}

// Files up to `streamAbove` are read into one reused buffer, behind room for the object header,
// so that hashing 50,000 small files allocates nothing per file (the content and two hashes of
// each used to be garbage, and the heap grew by their sum before a collection came).
const headerRoom = 32;
export const scratchBytes = headerRoom + streamAbove + 1;

interface ReadBlob {
  /** `blob <size>\0` and the content: what the git id hashes. */
  readonly whole: Buffer;
  readonly content: Buffer;
}

function blobOf(scratch: Buffer, content: Buffer): ReadBlob {
  return readInto(scratch, (target) => content.copy(target));
}

function readInto(scratch: Buffer, fill: (target: Buffer) => number): ReadBlob {
  const got = fill(scratch.subarray(headerRoom));
  const header = objectHeader('blob', got);
  header.copy(scratch, headerRoom - header.length);
  return {
    whole: scratch.subarray(headerRoom - header.length, headerRoom + got),
    content: scratch.subarray(headerRoom, headerRoom + got),
  };
}

/** Reads a file expected to hold `size` bytes, and one byte more if there is one (it grew since its stat). */
function readBlob(scratch: Buffer, abs: string, size: number): ReadBlob {
  const fd = openSync(abs, 'r');
  try {
    // One byte more than expected is asked for, to see a file that grew.
    return readInto(scratch, (target) => {
      let got = 0;
      for (let n = -1; n !== 0 && got <= size; got += n)
        n = readSync(fd, target, got, Math.min(size + 1, target.length) - got, null);
      return got;
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * Hashes one file (git id and CID) and, given a writer, stores it. A file whose stat moved while it
 * was read (a rewrite in place, of the same size too) is taken again with its new stat, up to three
 * times, then skipped and recorded: a capture never holds a blob that mixes versions. One that
 * vanishes or turns into something else is skipped.
 * `scratch` is a buffer of at least `scratchBytes` the caller reuses for every file. A small file
 * whose id turns out to be `stored` (the stat cache's, for a file hashed again) is not stored again.
 */
export async function hashEntry(
  where: { readonly root: string; readonly gitdir: string },
  entry: WalkEntry,
  writer: ObjectWriter | null,
  scratch: Buffer,
  stored?: string,
): Promise<{ entry: WalkEntry; hashed: Hashed } | Skipped> {
  const abs = join(where.root, entry.path);
  let current = entry;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const readStart = Date.now();
      if (current.mode !== '120000' && current.size > streamAbove) {
        const read = (): Promise<Hashed> =>
          writer
            ? writeBlobFromFile(where.gitdir, abs, current.size).then((b) => ({ oid: b.oid, cid: blobCid(b.sha256) }))
            : hashFileStreaming(abs, current.size);
        // A blob stored from a read that raced a writer is unreachable litter, never referenced.
        const hashed = await read();
        if (await settled(abs, current, readStart, async () => (await read()).oid === hashed.oid))
          return { entry: current, hashed };
        throw new CooError('E_FILE_CHANGED_DURING_CAPTURE', `${abs} changed while it was read`, { path: abs });
      }
      const readOnce = (): ReadBlob =>
        current.mode === '120000'
          ? blobOf(scratch, readlinkSync(abs, { encoding: 'buffer' }))
          : readBlob(scratch, abs, current.size);
      const object = readOnce();
      const oid = hash('sha1', object.whole, 'hex');
      // A second read, only for a file changed a moment ago, goes to a buffer of its own (the scratch holds the first).
      const readsAgain = (): boolean => {
        const again = current.mode === '120000' ? readlinkSync(abs, { encoding: 'buffer' }) : readFileSync(abs);
        return again.equals(object.content);
      };
      if (object.content.length !== current.size || !(await settled(abs, current, readStart, readsAgain))) {
        throw new CooError('E_FILE_CHANGED_DURING_CAPTURE', `${abs} changed while it was read`, { path: abs });
      }
      const cid = blobCid(hash('sha256', object.content, 'buffer'));
      if (oid !== stored) writer?.put(oid, 'blob', object.content);
      return { entry: current, hashed: { oid, cid } };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { path: entry.path, reason: 'deleted while the snapshot was taken' };
      if (code !== 'E_FILE_CHANGED_DURING_CAPTURE') throw ioError(err, `reading ${entry.path}`);
    }
    // It changed between stat and read: take its stat again and retry.
    const stat = lstatSync(abs, { throwIfNoEntry: false });
    const mode = stat && fileModeOf(stat);
    if (!stat || !mode) return { path: entry.path, reason: 'replaced while the snapshot was taken' };
    current = walkEntryOf(entry.path, stat, mode);
  }
  return { path: entry.path, reason: 'kept changing while it was read (taken three times)' };
}

/**
 * The kernel stamps mtime and ctime from a coarse clock (one tick, up to 10 ms), so a write in the
 * same tick as the stat a read started from leaves both as they were. A file whose stamps are that
 * recent is read a second time, and counts as settled only if both reads agree.
 */
const racyMs = 50;

async function settled(
  abs: string,
  before: WalkEntry,
  readStart: number,
  readsAgain: () => boolean | Promise<boolean>,
): Promise<boolean> {
  if (!unchangedSince(abs, before)) return false;
  if (Math.max(before.mtimeMs, before.ctimeMs) < readStart - racyMs) return true;
  return (await readsAgain()) && unchangedSince(abs, before);
}

/**
 * Whether the file still has the stat it was read under: size, mtime, ctime and inode. A writer
 * that rewrote it in place while it was read, even to the same size, moved its mtime and ctime,
 * so the read may mix versions and is taken again.
 */
function unchangedSince(abs: string, before: WalkEntry): boolean {
  const after = lstatSync(abs, { throwIfNoEntry: false });
  return (
    !!after &&
    after.size === before.size &&
    after.mtimeMs === before.mtimeMs &&
    after.ctimeMs === before.ctimeMs &&
    after.ino === before.ino
  );
}
