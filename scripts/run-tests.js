#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) in a process of its own, two at a time
// (the CI machine has two cores), so that no test depends on another's leftovers. Each file is a
// plain uvu suite; its own summary gives the totals, summed here into the last line CI reads:
// `N passed, N failed`. A file that dies before printing its summary counts as one failure.
// Usage: node scripts/run-tests.js [filter...]   (filters match file paths)

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const testDir = join(root, 'dist', 'test');
const filters = process.argv.slice(2);

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return find(path);
    return e.name.endsWith('.test.js') ? [path] : [];
  });
}

// The long files start first, so the two lanes end together (the whole plan test alone is ~45 s).
const long = ['plans/own-plan', 'determinism/planted', 'repo/crash'];
const rank = (f) => {
  const i = long.findIndex((name) => f.includes(name));
  return i < 0 ? long.length : i;
};
const files = find(testDir)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => {
      const total = Number(/Total:\s+(\d+)/u.exec(out)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/u.exec(out)?.[1] ?? NaN);
      const skipped = Number(/Skipped:\s+(\d+)/u.exec(out)?.[1] ?? 0);
      const summarised = Number.isFinite(total) && Number.isFinite(passed);
      const failed = summarised ? total - passed - skipped : 1;
      resolve({
        file,
        out,
        passed: summarised ? passed : 0,
        failed: failed > 0 || code === 0 ? failed : 1,
        skipped,
        code,
        signal,
        ms: Date.now() - started,
      });
    });
  });
}

process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err; // a reader that went away (| head) is not a failure of the suite
});

const parallel = Math.max(1, Math.min(2, availableParallelism()));
const results = [];
let next = 0;
async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const r = await runFile(file);
    results.push(r);
    const name = relative(testDir, file);
    const status = r.failed > 0 ? 'FAIL' : 'ok  ';
    process.stdout.write(`${status} ${name}  (${r.passed} passed, ${r.failed} failed, ${(r.ms / 1000).toFixed(1)}s)\n`);
    if (r.failed > 0) process.stdout.write(`${r.out.replace(/^/gmu, '    ')}\n`);
  }
}
const began = Date.now();
await Promise.all(Array.from({ length: parallel }, worker));
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
if (files.length === 0) process.stdout.write('no test files found (did the build run?)\n');
process.stdout.write(`\n${files.length} files in ${((Date.now() - began) / 1000).toFixed(1)}s\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
