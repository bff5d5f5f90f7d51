import { readFileSync } from 'node:fs';
import type { ErrorCode } from './catalogue.js';
import { CooError } from './coo-error.js';
import { schemaProblems } from './schemas.js';

// A JSON document coo reads (its config, a mission, a plan, a pin file, the journal): parsed, then
// checked against its schema, every failure one error with the code the caller names and a JSON
// pointer into the document. `data.path` names the document, `data.pointer` the place.

export interface DocumentOptions {
  /** The schema in schemas/ (without `.schema.json`). */
  readonly schema: string;
  /** The code of every failure: unreadable, not JSON, or not the schema. */
  readonly code: ErrorCode;
  /** How the document is named in an error (default: its path). */
  readonly source?: string;
}

/** Parses `text` and checks it against the schema. */
export async function ensureJsonDocument<T>(
  text: string | Buffer,
  options: DocumentOptions & { readonly source: string },
): Promise<T> {
  const { source, code } = options;
  let doc: unknown;
  try {
    doc = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (cause) {
    throw new CooError(
      code,
      `${source} is not valid JSON`,
      { path: source, pointer: '', reason: (cause as Error).message },
      { cause },
    );
  }
  const problems = await schemaProblems(options.schema, doc);
  const first = problems[0];
  if (first) {
    throw new CooError(
      code,
      `${source}: at ${first.pointer || '/'}: expected ${first.expected}, found ${JSON.stringify(first.found) ?? 'nothing'}`,
      {
        path: source,
        pointer: first.pointer,
        expected: first.expected,
        found: first.found ?? null,
        problems,
      },
    );
  }
  return doc as T;
}

/** Reads a JSON document from a file and checks it; a file that is not there reads as `missing()` when given. */
export async function readJsonFile<T, M = never>(
  path: string,
  options: DocumentOptions & { readonly missing?: () => M },
): Promise<T | M> {
  const source = options.source ?? path;
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code ?? null;
    if (errno === 'ENOENT' && options.missing) return options.missing();
    throw new CooError(options.code, `cannot read ${source}`, { path: source, pointer: '', errno }, { cause: err });
  }
  return ensureJsonDocument<T>(text, { ...options, source });
}
