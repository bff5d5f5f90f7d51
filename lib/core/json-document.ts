import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ErrorCode } from './catalogue.js';
import { CooError } from './coo-error.js';
import { schemaProblems } from './schemas.js';
import { parseStrictJson } from './strict-json.js';

// A JSON document coo reads (its config, a mission, a plan, a write set, a pin file, the journal):
// bounded in size, decoded as strict UTF-8, parsed as strict JSON (a key named twice and nesting
// deeper than `maxDepth` are refused), then checked against its schema. Every failure is one
// error with the code the caller names, `data.path` naming the document, `data.pointer` the place
// and `data.problem` what is wrong: `unreadable`, `too-large`, `syntax`, `duplicate-key`,
// `too-deep` or `schema`. Nothing is changed by a refused document.

export const documentLimits = {
  /** No document of coo's nests deeper than a handful of levels; 64 leaves room and bounds every recursion over it. */
  maxDepth: 64,
  /** The default bound on a document's size, in bytes. */
  maxBytes: 16 * 1024 * 1024,
} as const;

export interface DocumentOptions {
  /** The schema in schemas/ (without `.schema.json`). */
  readonly schema: string;
  /** The code of every failure: unreadable, too large, not JSON, or not the schema. */
  readonly code: ErrorCode;
  /** How the document is named in an error (default: its path). */
  readonly source?: string;
  /** Largest document accepted, in bytes (default `documentLimits.maxBytes`). */
  readonly maxBytes?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function tooLarge(code: ErrorCode, source: string, bytes: number, limit: number): CooError {
  return new CooError(code, `${source} is ${bytes} bytes, more than the ${limit} a document may have`, {
    path: source,
    pointer: '',
    problem: 'too-large',
    bytes,
    limit,
  });
}

/** Parses `text` as strict JSON and checks it against the schema. */
export async function ensureJsonDocument<T>(
  text: string | Buffer,
  options: DocumentOptions & { readonly source: string },
): Promise<T> {
  const { source, code } = options;
  const limit = options.maxBytes ?? documentLimits.maxBytes;
  const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  if (bytes > limit) throw tooLarge(code, source, bytes, limit);
  let decoded: string;
  try {
    decoded = typeof text === 'string' ? text : utf8.decode(text);
  } catch (cause) {
    throw new CooError(
      code,
      `${source} is not valid UTF-8`,
      { path: source, pointer: '', problem: 'syntax', reason: 'not valid UTF-8' },
      { cause },
    );
  }
  const parsed = parseStrictJson(decoded, { maxDepth: documentLimits.maxDepth });
  if ('problem' in parsed) {
    const { kind, reason, pointer, line, column } = parsed.problem;
    const what =
      kind === 'duplicate-key'
        ? `the key at ${pointer} appears twice in one object`
        : kind === 'too-deep'
          ? `nested deeper than ${documentLimits.maxDepth} levels at ${pointer || '/'}`
          : `not valid JSON: ${reason}`;
    throw new CooError(code, `${source}:${line}:${column}: ${what}`, {
      path: source,
      pointer,
      problem: kind,
      line,
      column,
      reason,
      ...(kind === 'too-deep' ? { limit: documentLimits.maxDepth } : {}),
    });
  }
  const doc = parsed.value;
  const problems = await schemaProblems(options.schema, doc);
  const first = problems[0];
  if (first) {
    throw new CooError(
      code,
      `${source}: at ${first.pointer || '/'}: expected ${first.expected}, found ${describeFound(first.found)}`,
      {
        path: source,
        pointer: first.pointer,
        problem: 'schema',
        expected: first.expected,
        found: first.found ?? null,
        problems,
      },
    );
  }
  return doc as T;
}

function describeFound(found: unknown): string {
  const text = JSON.stringify(found) ?? 'nothing';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * A document's bytes from a file, refused before they are read when there are more than
 * `maxBytes`; a file that is not there reads as `missing()` when given.
 */
export function readDocumentBytes<M = never>(
  path: string,
  options: Pick<DocumentOptions, 'code' | 'source' | 'maxBytes'> & { readonly missing?: () => M },
): Buffer | M {
  const source = options.source ?? path;
  const limit = options.maxBytes ?? documentLimits.maxBytes;
  try {
    return readBounded(path, limit);
  } catch (err) {
    if (err instanceof TooLarge) throw tooLarge(options.code, source, err.bytes, limit);
    const errno = (err as NodeJS.ErrnoException).code ?? null;
    if (errno === 'ENOENT' && options.missing) return options.missing();
    throw new CooError(
      options.code,
      `cannot read ${source}`,
      { path: source, pointer: '', problem: 'unreadable', errno },
      { cause: err },
    );
  }
}

const absent: unique symbol = Symbol('absent');

/** Reads a JSON document from a file and checks it; a file that is not there reads as `missing()` when given. */
export async function readJsonFile<T, M = never>(
  path: string,
  options: DocumentOptions & { readonly missing?: () => M },
): Promise<T | M> {
  const { missing, ...rest } = options;
  const text: Buffer | typeof absent = readDocumentBytes<typeof absent>(
    path,
    missing ? { ...rest, missing: () => absent } : rest,
  );
  if (text === absent) return (missing as () => M)();
  return ensureJsonDocument<T>(text, { ...rest, source: options.source ?? path });
}

class TooLarge {
  constructor(readonly bytes: number) {}
}

/** A file's bytes, refused (before they are read) when it has more than `limit`. */
function readBounded(path: string, limit: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > limit) throw new TooLarge(size);
    const chunks: Buffer[] = [];
    let total = 0;
    // To the end (a file may grow while it is read), never past the limit.
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(size + 1 - total, 65536), limit + 1 - total));
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      total += got;
      if (total > limit) throw new TooLarge(total);
      chunks.push(chunk.subarray(0, got));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
