import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from './helpers/sandbox.js';

// lib/layering.json is the design's list of parts and the imports each may make; this test holds
// every import in lib/ against it. An import across parts that the file does not allow, a cycle
// between parts, a folder of lib/ that is no part, or a terminal touched below the CLI fails here.

const test = suite('the layering of lib/');

interface Part {
  readonly name: string;
  readonly owns: string;
  readonly mayImport: readonly string[];
}

interface Layering {
  readonly parts: readonly Part[];
  readonly belowCliNever: { readonly patterns: readonly string[] };
}

interface Arrow {
  readonly file: string;
  readonly line: number;
  readonly from: string;
  readonly to: string;
  readonly spec: string;
}

const libDir = join(projectRoot, 'lib');
const layering = JSON.parse(readFileSync(join(libDir, 'layering.json'), 'utf8')) as Layering;

/** Every relative module a file names: static imports and exports, side-effect imports, dynamic import(), import types. */
function specifiers(text: string): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  const patterns = [
    /\bfrom\s+'(\.{1,2}\/[^']+)'/gu,
    /\bimport\s+'(\.{1,2}\/[^']+)'/gu,
    /\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/gu,
  ];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern))
      out.push({ spec: m[1] as string, line: text.slice(0, m.index).split('\n').length });
  }
  return out;
}

/** The part a path of lib/ is in: its top-level folder, or null for lib/index.ts (the entry point). */
function partOf(relPath: string): string | null {
  const slash = relPath.indexOf('/');
  return slash < 0 ? null : relPath.slice(0, slash);
}

/** The arrows between parts in a set of files (paths relative to lib/ → their text). */
function arrowsOf(files: ReadonlyMap<string, string>): Arrow[] {
  const arrows: Arrow[] = [];
  for (const [file, text] of files) {
    const from = partOf(file);
    for (const { spec, line } of specifiers(text)) {
      const target = relative(libDir, resolve(libDir, dirname(file), spec));
      const to = partOf(target);
      if (from === null || to === null || target.startsWith('..') || from === to) continue;
      arrows.push({ file, line, from, to, spec });
    }
  }
  return arrows;
}

/** Arrows the layering does not allow. */
function forbidden(arrows: readonly Arrow[], parts: readonly Part[]): Arrow[] {
  const allowed = new Map(parts.map((p) => [p.name, new Set(p.mayImport)]));
  return arrows.filter((a) => !allowed.get(a.from)?.has(a.to));
}

/** A cycle among parts, as a list of part names, or null. */
function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...edges.keys()].sort()) {
    const found = visit(node);
    if (found) return found;
  }
  return null;
}

function edgesOf(arrows: readonly { from: string; to: string }[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const a of arrows) edges.set(a.from, (edges.get(a.from) ?? new Set()).add(a.to));
  return edges;
}

function sourceFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

const show = (a: Arrow): string => `lib/${a.file}:${a.line} (${a.from}) imports ${a.spec} (${a.to})`;
const files = sourceFiles(libDir);

test('the layering file names at most 14 parts, each with what it owns, and its allowed arrows form no cycle', () => {
  const names = layering.parts.map((p) => p.name);
  assert.ok(names.length <= 14, `${names.length} parts`);
  assert.is(new Set(names).size, names.length, 'a part is named twice');
  for (const part of layering.parts) {
    assert.ok(part.owns.length > 0, `${part.name} says nothing of what it owns`);
    for (const to of part.mayImport) assert.ok(names.includes(to), `${part.name} may import ${to}, which is no part`);
    assert.not.ok(part.mayImport.includes(part.name), `${part.name} lists itself`);
  }
  const declared = new Map(layering.parts.map((p) => [p.name, new Set(p.mayImport)]));
  assert.is(findCycle(declared), null, `the allowed arrows make a cycle: ${findCycle(declared)?.join(' → ')}`);
});

test('every folder of lib/ is a part, and lib/ holds no other file but the entry point and the layering', () => {
  const names = new Set(layering.parts.map((p) => p.name));
  const entries = readdirSync(libDir).sort();
  const folders = entries.filter((e) => statSync(join(libDir, e)).isDirectory());
  assert.equal(
    folders.filter((f) => !names.has(f)),
    [],
    'folders of lib/ that no part names',
  );
  assert.equal(
    entries.filter((e) => !folders.includes(e)),
    ['index.ts', 'layering.json'],
  );
});

test('no import in lib/ goes against the layering, and the parts import each other in no cycle', () => {
  const arrows = arrowsOf(files);
  assert.ok(arrows.length > 50, `only ${arrows.length} arrows read: the reader is broken`);
  assert.equal(forbidden(arrows, layering.parts).map(show), []);
  const cycle = findCycle(edgesOf(arrows));
  assert.is(cycle, null, `parts import each other in a cycle: ${cycle?.join(' → ')}`);
});

test('a wrong import is caught: a store module importing the CLI, a type import, a dynamic import, a cycle', () => {
  const planted = new Map([
    ['store/refs.ts', "import { main } from '../cli/main.js';\n"],
    ['worktree/walk.ts', "import type { Registry } from '../governance/protected.js';\n"],
    ['trust/sshsig.ts', "const m = await import('../state/snapshot.js');\n"],
    ['core/config.ts', "export { x } from './glob.js';\n"],
    ['index.ts', "export { main } from './cli/main.js';\n"],
  ]);
  const arrows = arrowsOf(planted);
  assert.equal(
    forbidden(arrows, layering.parts).map((a) => `${a.from}->${a.to}`),
    ['store->cli', 'worktree->governance', 'trust->state'],
  );
  assert.equal(
    findCycle(
      edgesOf([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
      ]),
    ),
    ['a', 'b', 'c', 'a'],
  );
  assert.is(
    findCycle(
      edgesOf([
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'c' },
      ]),
    ),
    null,
  );
});

test('nothing below cli writes to a terminal, reads a TTY or ends the process', () => {
  const never = layering.belowCliNever.patterns.map((p) => new RegExp(p, 'u'));
  const found: string[] = [];
  for (const [file, text] of files) {
    if (file.startsWith('cli/')) continue;
    text.split('\n').forEach((line, i) => {
      if (line.trim().startsWith('//')) return;
      for (const re of never) if (re.test(line)) found.push(`lib/${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.equal(found, []);
});

test('every runtime dependency is imported by lib/, scripts/ or bin/ (none is installed for nothing)', () => {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const texts = [...files.values(), readFileSync(join(projectRoot, 'bin', 'coo'), 'utf8')];
  for (const file of readdirSync(join(projectRoot, 'scripts')))
    if (file.endsWith('.js')) texts.push(readFileSync(join(projectRoot, 'scripts', file), 'utf8'));
  const used = (name: string): boolean => texts.some((t) => t.includes(`'${name}'`) || t.includes(`'${name}/`));
  assert.equal(
    Object.keys(pkg.dependencies).filter((name) => !used(name)),
    [],
  );
});

test.run();
