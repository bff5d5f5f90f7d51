import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { CooError } from './coo-error.js';
import { packageRoot } from './package-root.js';

// JSON Schemas live in `schemas/` at the package root. The build compiles each one with ajv in
// strict mode into a standalone validator (scripts/build-schemas.js → dist/schemas/<name>.cjs),
// loaded here only when a document of its kind is read. A failed document is described by where
// (a JSON pointer into it), what was expected, and what was found.

export interface SchemaProblem {
  readonly pointer: string;
  readonly expected: string;
  readonly found: unknown;
}

interface Validator {
  (doc: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const loaded = new Map<string, Validator>();
const load = createRequire(import.meta.url);

async function validator(name: string): Promise<Validator> {
  let validate = loaded.get(name);
  if (!validate) {
    validate = (load(join(packageRoot(), 'dist', 'schemas', `${name}.cjs`)) as { default: Validator }).default;
    loaded.set(name, validate);
  }
  return validate;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let value = doc;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/gu, '/').replace(/~0/gu, '~');
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function describe(error: ErrorObject, doc: unknown): SchemaProblem {
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return { pointer: `${error.instancePath}/${extra}`, expected: 'no such property', found: extra };
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return { pointer: `${error.instancePath}/${missing}`, expected: 'a required property', found: undefined };
  }
  return {
    pointer: error.instancePath,
    expected: error.message ?? error.keyword,
    found: valueAt(doc, error.instancePath),
  };
}

/** Every way `doc` breaks the schema `schemas/<name>.schema.json`, in ajv's order; empty if valid. */
export async function schemaProblems(name: string, doc: unknown): Promise<SchemaProblem[]> {
  const validate = await validator(name);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => describe(e, doc));
}

/** For documents coo reads back from its own store: a document that breaks its schema is damage. */
export async function ensureStored<T>(name: string, doc: unknown, source: string): Promise<T> {
  const problems = await schemaProblems(name, doc);
  const first = problems[0];
  if (first)
    throw new CooError(
      'E_STATE_CORRUPT',
      `${source} is not a valid ${name}: at ${first.pointer || '/'}: expected ${first.expected}`,
      { source, schema: name, pointer: first.pointer, problems },
    );
  return doc as T;
}
