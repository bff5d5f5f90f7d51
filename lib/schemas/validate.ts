import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';

// JSON Schemas live in `schemas/` at the package root; each is compiled once per process, by ajv
// in strict mode, and only when a document of its kind is read. A failed document is described
// by where (a JSON pointer into it), what was expected, and what was found.

export interface SchemaProblem {
  readonly pointer: string;
  readonly expected: string;
  readonly found: unknown;
}

const schemaDir = new URL('../../../schemas/', import.meta.url);
const compiled = new Map<string, ValidateFunction>();

async function validator(name: string): Promise<ValidateFunction> {
  let validate = compiled.get(name);
  if (!validate) {
    const { Ajv } = await import('ajv');
    const ajv = new Ajv({ strict: true, allErrors: true });
    validate = ajv.compile(JSON.parse(readFileSync(new URL(`${name}.schema.json`, schemaDir), 'utf8')) as object);
    compiled.set(name, validate);
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

function describe(error: ErrorObject): SchemaProblem {
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return { pointer: `${error.instancePath}/${extra}`, expected: 'no such property', found: extra };
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return { pointer: `${error.instancePath}/${missing}`, expected: 'a required property', found: undefined };
  }
  return { pointer: error.instancePath, expected: error.message ?? error.keyword, found: error.data };
}

/** Every way `doc` breaks the schema `schemas/<name>.schema.json`, in ajv's order; empty if valid. */
export async function schemaProblems(name: string, doc: unknown): Promise<SchemaProblem[]> {
  const validate = await validator(name);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => {
    const problem = describe(e);
    return { ...problem, found: problem.found === undefined ? valueAt(doc, problem.pointer) : problem.found };
  });
}
