#!/usr/bin/env node
// Bundles the compiled CLI (dist/lib/cli/main.js) into dist/cli/ with esbuild, split at every
// dynamic import so a command still loads only what it uses. Why: Node 20's ESM loader costs
// about half a millisecond per module, and coo is ~70 small ones; bundled, `coo snapshot` starts
// ~40 ms sooner, which is most of what an incremental snapshot costs. Dependencies stay external.

import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
await build({
  absWorkingDir: root,
  entryPoints: ['dist/lib/cli/main.js'],
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
