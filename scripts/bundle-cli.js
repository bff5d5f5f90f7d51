#!/usr/bin/env node
// Bundles the compiled CLI (dist/lib/cli/main.js) into dist/cli/ with esbuild, split at every
// dynamic import so a command still loads only what it uses. Why: Node 20's ESM loader costs
// about half a millisecond per module, and coo with its small dependencies (multiformats alone is
// a dozen files) is ~90 of them; bundled, `coo snapshot` reaches its work ~40 ms sooner, which is
// a third of what an incremental snapshot costs. yargs (only for lines the quick parser leaves),
// isomorphic-git (packs, signing) and cli-progress (terminals) stay external: large, and loaded
// only when needed. Bundled CommonJS packages `require` node's built-ins, hence the banner.

import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
rmSync(`${root}dist/cli`, { recursive: true, force: true }); // no stale chunks from earlier builds
await build({
  absWorkingDir: root,
  entryPoints: ['dist/lib/cli/main.js'],
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['yargs', 'yargs/*', 'isomorphic-git', 'cli-progress'],
  banner: { js: "import { createRequire as __cooCreateRequire } from 'node:module'; const require = __cooCreateRequire(import.meta.url);" },
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
