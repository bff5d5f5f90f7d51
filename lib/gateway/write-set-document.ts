import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { isDotGitComponent } from '../core/dotgit.js';
import { canonicalKey } from '../core/gateway-path.js';
import { ensureJsonDocument } from '../core/json-document.js';
import { cooDirName } from '../store/layout.js';
import type { FileMode } from '../store/tree.js';
import type { WriteOp } from './write-set.js';

// A write set as a document (`coo write --set FILE`, schemas/write-set.schema.json): read as every
// document is (bounded, strict JSON, no key twice), checked against its schema (no unknown field,
// `expect` included, is ever ignored), its base64 decoded strictly, and its `from` files read only
// from inside the repository and never from coo's own files or a `.git`: a document an agent wrote
// must not be a way to copy coo's signing key, its state or git's config into the tree.

export const writeSetMaxBytes = 256 * 1024 * 1024;

interface Entry {
  readonly path: string;
  readonly delete?: true;
  readonly content?: string;
  readonly contentBase64?: string;
  readonly from?: string;
  readonly mode?: FileMode;
  readonly expect?: string | null;
}

/** Base64 as RFC 4648 writes it (standard alphabet, padding, nothing else); null otherwise. */
export function decodeBase64Strict(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

export interface WriteSetSource {
  /** Where `from` paths count from (the current directory). */
  readonly cwd: string;
  /** The repository root. */
  readonly root: string;
}

/** The write set a document holds, every `from` read; refused whole on the first problem. */
export async function parseWriteSetDocument(text: Buffer, source: string, where: WriteSetSource): Promise<WriteOp[]> {
  const entries = await ensureJsonDocument<Entry[]>(text, {
    schema: 'write-set',
    code: 'E_WRITE_SET_INVALID',
    source,
    maxBytes: writeSetMaxBytes,
  });
  return entries.map((e, i): WriteOp => {
    const expect = e.expect === undefined ? {} : { expect: e.expect };
    if (e.delete === true) return { kind: 'delete', path: e.path, ...expect };
    let content: Buffer;
    if (e.content !== undefined) content = Buffer.from(e.content);
    else if (e.contentBase64 !== undefined) {
      const decoded = decodeBase64Strict(e.contentBase64);
      if (!decoded)
        throw new CooError('E_WRITE_SET_INVALID', `${source}: at /${i}/contentBase64: not strict base64`, {
          path: source,
          pointer: `/${i}/contentBase64`,
          problem: 'base64',
        });
      content = decoded;
    } else content = readContentFile(e.from as string, { ...where, insideOnly: true });
    return { kind: 'write', path: e.path, content, mode: e.mode ?? '100644', ...expect };
  });
}

/**
 * The bytes of a file named to be written elsewhere (`from`, `--from`), counted from `cwd`. Never a
 * file under `.coo/` or a `.git` of the repository (whatever the spelling, through whatever
 * symbolic link); with `insideOnly`, never one outside the repository either. The file read is the
 * one that was checked: it is opened without following a link and must be the same inode.
 */
export function readContentFile(file: string, options: WriteSetSource & { readonly insideOnly: boolean }): Buffer {
  const real = realpathSync(resolve(options.cwd, file));
  const rootReal = realpathSync(options.root);
  const rel = relative(rootReal, real);
  const outside = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  if (outside) {
    if (options.insideOnly)
      throw new CooError('E_PATH_OUTSIDE_ROOT', `${JSON.stringify(file)} is outside the repository`, {
        path: file,
      });
  } else {
    const parts = rel === '' ? [] : rel.split(sep);
    if (parts.some(isDotGitComponent))
      throw new CooError('E_PATH_DOTGIT', `${JSON.stringify(file)} is inside a .git directory`, { path: file });
    if (parts[0] !== undefined && canonicalKey(parts[0]) === cooDirName)
      throw new CooError(
        'E_PATH_PRIVATE',
        `${JSON.stringify(file)} is inside ${cooDirName}/, which coo never reads for a write`,
        {
          path: file,
        },
      );
  }
  const checked = statSync(real);
  if (!checked.isFile())
    throw new CooError('E_PATH_SPECIAL_FILE', `${JSON.stringify(file)} is not a regular file`, { path: file });
  const fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const opened = fstatSync(fd);
    if (opened.ino !== checked.ino || opened.dev !== checked.dev)
      throw new CooError('E_SYMLINK_RACE', `${JSON.stringify(file)} was replaced while it was checked`, {
        path: file,
      });
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
