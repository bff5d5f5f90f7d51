import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

// Write-then-rename in the target's own directory, so a reader (or a crash) sees either the old
// file or the whole new one. write-file-atomic does the same for async callers but registers an
// exit handler per call and cannot be told where its temp file goes; the state repo needs temp
// names that `coo` recognises and sweeps after a crash (`*.coo-tmp-<pid>-<n>`), so this is ours.

let counter = 0;

export function tempPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.coo-tmp-${process.pid}-${counter}`);
}

export const tempNamePattern = /\.coo-tmp-([0-9]+)-[0-9]+$/u;

export interface AtomicWriteOptions {
  readonly mode?: number;
  /** Flush the file to disk before the rename (for small files whose loss would cost a recovery). */
  readonly fsync?: boolean;
}

/** Writes `data` (or its pieces, one after another, so a large file need not be one buffer first). */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Iterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): void {
  const temp = tempPathFor(path);
  const pieces = typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', options.mode ?? 0o644);
    for (const bytes of pieces) {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    }
    if (options.fsync) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
}
