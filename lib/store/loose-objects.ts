import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zc, createDeflate, deflateSync, inflateSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { CooError } from '../core/coo-error.js';
import { hashObject, objectHeader, parseObject, type ObjectType } from './git-object.js';
import { tempPathFor, writeFileAtomic } from './atomic-file.js';
import { crashPoint } from './crash-point.js';

// coo's own writer of git loose objects. isomorphic-git's writer hashes with webcrypto, deflates
// with pako at level 6 and writes in place (a crash leaves a truncated object that later writes
// never repair); this one uses node:crypto and zlib at level 1 (git's default for loose objects)
// and writes every object to a temp file that is renamed into place, so an object file is either
// absent or whole.

const level = 1;
const knownDirs = new Set<string>();

export function looseObjectPath(gitdir: string, oid: string): string {
  return join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
}

export function hasLooseObject(gitdir: string, oid: string): boolean {
  return existsSync(looseObjectPath(gitdir, oid));
}

function ensureFanout(gitdir: string, oid: string, again = false): string {
  const dir = join(gitdir, 'objects', oid.slice(0, 2));
  if (again || !knownDirs.has(dir)) {
    mkdirSync(dir, { recursive: true });
    knownDirs.add(dir);
  }
  return looseObjectPath(gitdir, oid);
}

const isMissingDir = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

// The fan-out directories this process made are remembered, to save a mkdir per object; a
// directory removed since (a scratch repository deleted and made again at the same path) is made
// again when a write finds it gone.
function storeDeflated(gitdir: string, oid: string, deflated: Uint8Array): void {
  try {
    writeFileAtomic(ensureFanout(gitdir, oid), deflated, { mode: 0o444 });
  } catch (err) {
    if (!isMissingDir(err)) throw err;
    writeFileAtomic(ensureFanout(gitdir, oid, true), deflated, { mode: 0o444 });
  }
  crashPoint('object-written');
}

/** Writes one object (if absent) and returns its id. For trees, commits and small blobs. */
export function writeObject(gitdir: string, type: ObjectType, content: Uint8Array): string {
  const oid = hashObject(type, content);
  writeObjectWithId(gitdir, oid, type, content);
  return oid;
}

/** Writes an object (if absent) whose id the caller computed from exactly these bytes. */
export function writeObjectWithId(gitdir: string, oid: string, type: ObjectType, content: Uint8Array): void {
  if (!hasLooseObject(gitdir, oid))
    storeDeflated(gitdir, oid, compress(Buffer.concat([objectHeader(type, content.length), content])));
}

/**
 * zlib at git's loose-object level. The output buffer is sized to the input: by default zlib
 * returns a slice of a fresh 16 KiB chunk, so 50,000 small objects made 800 MB of garbage
 * outside the heap; small chunks come from Node's shared buffer pool instead. So are the window
 * and the hash table: zlib's defaults (32 KiB, 64 KiB) are set up and cleared on every call, which
 * made a 300-byte tree cost 110 µs to compress; a window just larger than the input finds the
 * same matches (the output is as small) in a third of the time. Any inflater reads the result.
 */
export function compress(bytes: Uint8Array): Buffer {
  const bits = Math.min(15, Math.max(9, Math.ceil(Math.log2(bytes.length + 262)))); // 262: zlib's lookahead margin
  return deflateSync(bytes, {
    level,
    windowBits: bits,
    memLevel: Math.max(1, bits - 7),
    chunkSize: Math.max(64, Math.min(16 * 1024, bytes.length + 64)),
  });
}

export interface StreamedBlob {
  readonly oid: string;
  readonly sha256: Buffer;
}

/**
 * Hashes and stores a file of any size in one pass without holding it in memory: SHA-1 (git id),
 * SHA-256 (CID) and deflate run over the same chunks; the object lands under its id only at the end.
 */
export async function writeBlobFromFile(gitdir: string, file: string, size: number): Promise<StreamedBlob> {
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  const header = objectHeader('blob', size);
  sha1.update(header);
  let seen = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      sha1.update(chunk);
      sha256.update(chunk);
      done(null, chunk);
    },
  });
  const deflater = createDeflate({ level, strategy: zc.Z_DEFAULT_STRATEGY });
  deflater.write(header);
  const temp = tempPathFor(join(gitdir, 'objects', 'blob'));
  try {
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      tap,
      deflater,
      createWriteStream(temp, { mode: 0o444 }),
    );
    if (seen !== size) {
      throw new CooError('E_FILE_CHANGED_DURING_CAPTURE', `${file} changed size while it was read`, {
        path: file,
        expected: size,
        read: seen,
      });
    }
    const oid = sha1.digest('hex');
    if (hasLooseObject(gitdir, oid)) rmSync(temp, { force: true });
    else {
      try {
        renameSync(temp, ensureFanout(gitdir, oid));
      } catch (err) {
        if (!isMissingDir(err)) throw err;
        renameSync(temp, ensureFanout(gitdir, oid, true));
      }
    }
    crashPoint('object-written');
    return { oid, sha256: sha256.digest() };
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Reads a loose object, checking its header and its id; null when there is no such loose file. */
export function readLooseObject(gitdir: string, oid: string): { type: ObjectType; content: Buffer } | null {
  let deflated: Buffer;
  try {
    deflated = readFileSync(looseObjectPath(gitdir, oid));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: ReturnType<typeof parseObject>;
  try {
    parsed = parseObject(inflateSync(deflated));
  } catch (cause) {
    throw new CooError('E_STATE_CORRUPT', `object ${oid} cannot be decompressed`, { oid }, { cause });
  }
  if (!parsed || hashObject(parsed.type, parsed.content) !== oid) {
    throw new CooError('E_STATE_CORRUPT', `object ${oid} does not match its id`, { oid });
  }
  return parsed;
}
