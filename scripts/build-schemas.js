#!/usr/bin/env node
// Compiles every schema in schemas/ once, at build time, into a standalone validator module
// (dist/schemas/<name>.js) with ajv's own code generator, in strict mode: the same validation as
// compiling at run time, without paying ajv's import and compile cost on every command.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'schemas');
mkdirSync(out, { recursive: true });
for (const file of readdirSync(join(root, 'schemas')).filter((f) => f.endsWith('.schema.json')).sort()) {
  const ajv = new Ajv({ strict: true, allErrors: true, code: { source: true, esm: true } });
  const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'schemas', file), 'utf8')));
  const code = (standaloneCode.default ?? standaloneCode)(ajv, validate);
  // Even in ESM mode the generator refers to its runtime helpers (e.g. ucs2length) with require().
  const preamble = code.includes('require(') ? "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n" : '';
  writeFileSync(join(out, file.replace('.schema.json', '.js')), preamble + code.replace(/^"use strict";/u, ''));
}
