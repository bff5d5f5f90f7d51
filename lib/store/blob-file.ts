import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflate } from 'node:zlib';
import { CooError } from '../core/coo-error.js';
import { looseObjectPath } from './loose-objects.js';
import { readObjectOfType } from './objects.js';
import { objectHeader } from './git-object.js';

// Blob content to and from files without holding large blobs in memory: a big loose object is
// inflated as a stream straight into the destination, checked against its id on the way.

const streamAbove = 1024 * 1024; // compressed bytes on disk

/** Writes blob `oid` to `path` (which must not exist), creating it with `mode` (umask applies). */
export async function writeBlobToFile(gitdir: string, oid: string, path: string, mode: number): Promise<void> {
  const loose = looseObjectPath(gitdir, oid);
  const size = statSync(loose, { throwIfNoEntry: false })?.size ?? 0;
  if (size <= streamAbove) {
    writeFileSync(path, await readObjectOfType(gitdir, oid, 'blob'), { mode, flag: 'wx' });
    return;
  }
  const sha1 = createHash('sha1');
  let header: Buffer | null = Buffer.alloc(0);
  const strip = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sha1.update(chunk);
      if (header === null) return done(null, chunk);
      header = Buffer.concat([header, chunk]);
      const nul = header.indexOf(0);
      if (nul < 0) return done();
      if (!/^blob [0-9]+$/u.test(header.toString('latin1', 0, nul)))
        return done(new CooError('E_STATE_CORRUPT', `object ${oid} is not a blob`, { oid }));
      const body = header.subarray(nul + 1);
      header = null;
      done(null, body);
    },
  });
  await pipeline(createReadStream(loose), createInflate(), strip, createWriteStream(path, { mode, flags: 'wx' }));
  if (sha1.digest('hex') !== oid) throw new CooError('E_STATE_CORRUPT', `object ${oid} does not match its id`, { oid });
}

/** The git blob id of a file's (or a symlink's) current content, streaming large files. */
export async function hashPathContent(path: string, isLink: boolean): Promise<string> {
  if (isLink) {
    const target = readlinkSync(path, { encoding: 'buffer' });
    return createHash('sha1').update(objectHeader('blob', target.length)).update(target).digest('hex');
  }
  const size = statSync(path).size;
  if (size <= 8 * streamAbove) {
    const content = readFileSync(path);
    return createHash('sha1').update(objectHeader('blob', content.length)).update(content).digest('hex');
  }
  const sha1 = createHash('sha1').update(objectHeader('blob', size));
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
    sha1.update(chunk);
  return sha1.digest('hex');
}
