#!/usr/bin/env node
// Bundles the compiled CLI (dist/lib/cli/main.js) into one CommonJS file, dist/cli/main.cjs, with
// esbuild. Why CommonJS for the CLI alone (lib/ stays ESM for programs that import coo): Node 20
// loads ES modules through an asynchronous loader that reads, links and evaluates each module in
// turn, and an ESM named import of a built-in (`node:fs`, `node:crypto`) builds a facade that
// touches every export, loading the lazy ones (fs streams, webcrypto) as well. `require` of one
// file does none of that: measured on the benchmark's 10,000-file tree, an incremental
// `coo snapshot` takes ~10% less time and ~13% less CPU than with the ES-module chunks this
// script used to write. The code of every command is in the file, but V8 only pre-parses a
// function until it is first called, and a command's modules are evaluated only when it runs.
// yargs (only for lines the quick parser leaves), isomorphic-git (packs, signing) and
// cli-progress (terminals) stay external: large, and loaded only when needed.

import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
rmSync(`${root}dist/cli`, { recursive: true, force: true }); // nothing stale from earlier builds
await build({
  absWorkingDir: root,
  entryPoints: ['dist/lib/cli/main.js'],
  outfile: 'dist/cli/main.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['yargs', 'yargs/*', 'isomorphic-git', 'cli-progress'],
  // import.meta.url (used to find the package root and to require the schema validators) is this file's own URL.
  define: { 'import.meta.url': '__cooModuleUrl' },
  banner: { js: "const __cooModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: true,
  logLevel: 'warning',
});
