import { createHash, hash } from 'node:crypto';
import { closeSync, createReadStream, lstatSync, openSync, readlinkSync, readSync } from 'node:fs';
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
 * Hashes one file (git id and CID) and, given a writer, stores it; a file that changes while it is
 * read is taken again (up to three times), one that vanishes or turns into something else is skipped.
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
      if (current.mode !== '120000' && current.size > streamAbove) {
        if (!writer) return { entry: current, hashed: await hashFileStreaming(abs, current.size) };
        const blob = await writeBlobFromFile(where.gitdir, abs, current.size);
        return { entry: current, hashed: { oid: blob.oid, cid: blobCid(blob.sha256) } };
      }
      const object =
        current.mode === '120000'
          ? blobOf(scratch, readlinkSync(abs, { encoding: 'buffer' }))
          : readBlob(scratch, abs, current.size);
      if (object.content.length === current.size) {
        const oid = hash('sha1', object.whole, 'hex');
        const cid = blobCid(hash('sha256', object.content, 'buffer'));
        if (oid !== stored) writer?.put(oid, 'blob', object.content);
        return { entry: current, hashed: { oid, cid } };
      }
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
  throw new CooError('E_FILE_CHANGED_DURING_CAPTURE', `${entry.path} kept changing while it was read`, {
    path: entry.path,
  });
}
