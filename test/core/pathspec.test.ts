import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fc } from '../helpers/property.js';
import { parsePathspec, pathspecSet, wildmatch } from '../../lib/core/pathspec.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// Pathspecs are read as git reads them by default; native git is the judge: `git ls-files -- SPEC`
// over an index of chosen paths lists exactly the paths coo's matcher takes.

const test = suite('pathspecs [C-ROLLBACK] [C-DIFF]');
let box: Sandbox;
test.before(() => {
  box = sandbox();
});
test.after(() => box.cleanup());

const emptyBlob = 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391';

/** An index holding exactly `paths` (no files needed), for `git ls-files` to match against. */
function indexOf(paths: readonly string[]): void {
  box.git(['read-tree', '--empty']);
  const run = box.git(['update-index', '--add', '-z', '--index-info'], {
    input: paths.map((p) => `100644 ${emptyBlob}\t${p}\0`).join(''),
  });
  assert.is(run.status, 0, run.stderr);
}

/** What git lists for a pathspec, or null when git refuses it. */
function gitMatches(spec: string): string[] | null {
  const run = box.git(['ls-files', '-z', '--', spec]);
  if (run.status !== 0) return null;
  return run.stdout.split('\0').filter((p) => p !== '');
}

const files = [
  'a.js',
  'a.jsx',
  'b.txt',
  'src/a.js',
  'src/b.ts',
  'src/x/deep.js',
  'src-other/c.js',
  'srcfile',
  'lib/index.js',
  'index.js',
  'a[1]/x.js',
  'a1/x.js',
  'star*name',
  'q?',
  'dir/sub/file',
  'dir/subfile',
  'é/ü.js',
  'sp ace/f',
];

test('literal paths, directories, trailing slashes and globs pick what git ls-files picks', () => {
  indexOf(files);
  const cases: Record<string, string[]> = {
    'src/a.js': ['src/a.js'],
    src: ['src/a.js', 'src/b.ts', 'src/x/deep.js'],
    'src/': ['src/a.js', 'src/b.ts', 'src/x/deep.js'],
    srcfile: ['srcfile'],
    'srcfile/': [],
    '*.js': [
      'a.js',
      'a1/x.js',
      'a[1]/x.js',
      'index.js',
      'lib/index.js',
      'src-other/c.js',
      'src/a.js',
      'src/x/deep.js',
      'é/ü.js',
    ],
    'src/*.js': ['src/a.js', 'src/x/deep.js'],
    's?c': [],
    'sr?/*': ['src/a.js', 'src/b.ts', 'src/x/deep.js'],
    'a[1]/x.js': ['a1/x.js', 'a[1]/x.js'],
    'a\\[1]/x.js': ['a[1]/x.js'],
    '[ab].js': ['a.js'],
    '[!a].txt': ['b.txt'],
    'star\\*name': ['star*name'],
    'dir/sub': ['dir/sub/file'],
    '?/ü.js': [],
    '??/ü.js': ['é/ü.js'],
    '.': files,
    'src/../lib': ['lib/index.js'],
    './sp ace//f': ['sp ace/f'],
  };
  for (const [spec, expected] of Object.entries(cases)) {
    const set = pathspecSet([spec]);
    const ours = files.filter((f) => set.matches(f)).sort();
    assert.equal(ours, [...expected].sort(), spec);
    assert.equal(ours, gitMatches(spec)?.sort(), `${spec}: git`);
  }
});

test('every pathspec git reads, coo reads the same way (property, judged by git ls-files)', () => {
  const names = ['a', 'b', 'ab', 'a.js', 'b.js', 'x[1]', '*', '?', '-', '!a', 'é', 'a b', 'c]'];
  const path = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
  const tree = fc.uniqueArray(path, { minLength: 1, maxLength: 12 }).filter((paths) => {
    // A file and a directory of the same name cannot both be in a tree.
    const dirs = new Set(
      paths.flatMap((p) =>
        p
          .split('/')
          .slice(0, -1)
          .map((_, i, a) => a.slice(0, i + 1).join('/')),
      ),
    );
    return paths.every((p) => !dirs.has(p));
  });
  const token = fc.constantFrom(
    'a',
    'b',
    '.js',
    '/',
    '*',
    '**',
    '?',
    '[ab]',
    '[!a]',
    '[^b]',
    '[a-c]',
    '[]a]',
    '[[:alpha:]]',
    '[[:digit:]]',
    '\\*',
    '\\[',
    '[',
    ']',
    'x[1]',
    '-',
    '!',
    'é',
    ' ',
    '..',
    '.',
  );
  // Half of them with :/ magic, under which git takes the pattern as it is, not normalised.
  const spec = fc
    .tuple(fc.constantFrom('', ':/'), fc.array(token, { minLength: 1, maxLength: 5 }))
    .map(([magic, t]) => magic + t.join(''))
    .filter((s) => !s.startsWith('/'));
  let compared = 0;
  fc.assert(
    fc.property(tree, fc.array(spec, { minLength: 1, maxLength: 4 }), (paths, specs) => {
      indexOf(paths);
      for (const s of specs) {
        const judged = gitMatches(s);
        let set: ReturnType<typeof pathspecSet>;
        try {
          set = pathspecSet([s]);
        } catch (err) {
          // Refused here where git refuses it too (a `..` out of the root), or as magic coo does not support (`:/!a`).
          if ((err as { code?: string }).code !== 'E_USAGE') assert.is(judged, null, `${s}: ${(err as Error).message}`);
          continue;
        }
        if (judged === null) continue;
        compared += 1;
        assert.equal(
          paths.filter((p) => set.matches(p)).sort(),
          judged.sort(),
          `${JSON.stringify(s)} over ${JSON.stringify(paths)}`,
        );
      }
    }),
    { numRuns: 120 },
  );
  assert.ok(compared > 200, `only ${compared} pathspecs compared`);
});

test('magic: :/ and :(top) are the root, :(prefix:N) keeps N bytes literal; other magic is refused', async () => {
  assert.equal(parsePathspec(':/src/a.js').match, 'src/a.js');
  assert.equal(parsePathspec(':(top)src').match, 'src');
  assert.equal(parsePathspec(':/').match, '');
  assert.is(parsePathspec('.').source, '.');
  assert.is(parsePathspec('src//x/./y/').source, 'src/x/y/');
  const literal = parsePathspec(':(prefix:5)a[1]/*.js');
  assert.is(literal.source, ':(top,prefix:5)a[1]/*.js');
  assert.ok(pathspecSet([literal.source]).matches('a[1]/x.js'));
  assert.not.ok(pathspecSet([literal.source]).matches('a1/x.js'));
  assert.is(parsePathspec('::x').source, 'x');
  assert.is(parsePathspec(':():x').source, ':(top):x');
  assert.is(parsePathspec(':::x').source, ':(top):x');
  assert.ok(pathspecSet([':(top):x']).matches(':x'));
  assert.is(parsePathspec(':/./src').source, ':(top)./src');
  assert.not.ok(pathspecSet([':/./src']).matches('src/a'));
  for (const spec of [
    ':!x',
    ':^x',
    ':(exclude)x',
    ':(glob)*',
    ':(literal)x',
    ':(icase)x',
    ':(attr:a)x',
    ':(top',
    ':#x',
    '',
  ]) {
    try {
      parsePathspec(spec);
      assert.unreachable(spec);
    } catch (err) {
      assert.is((err as { code: string }).code, 'E_USAGE', spec);
    }
  }
  await expectCode(
    Promise.resolve().then(() => parsePathspec('../x')),
    'E_PATH_OUTSIDE_ROOT',
  );
  await expectCode(
    Promise.resolve().then(() => parsePathspec('/etc/passwd')),
    'E_PATH_ABSOLUTE',
  );
});

test('unmatched names the pathspecs that match none of the paths, once each', () => {
  const set = pathspecSet(['src', 'nope', './nope', '*.md']);
  assert.equal(set.unmatched(['src/a.js', 'b.txt']), ['nope', '*.md']);
  assert.equal(set.sources, ['src', 'nope', '*.md']);
});

test('wildmatch without FNM_PATHNAME: * and ? cross /, sets, classes, escapes; malformed sets never match', () => {
  const m = (p: string, t: string): boolean => wildmatch(Buffer.from(p), Buffer.from(t));
  assert.ok(m('*', 'a/b'));
  assert.ok(m('a?b', 'a/b'));
  assert.ok(m('**/x', 'x/x'));
  assert.not.ok(m('**/x', 'x'));
  assert.ok(m('[a-c]x', 'bx'));
  assert.ok(m('[]]', ']'));
  assert.ok(m('[[:upper:]]*', 'Abc'));
  assert.ok(m('\\?', '?'));
  assert.not.ok(m('\\?', 'a'));
  assert.not.ok(m('[ab', 'a'));
  assert.not.ok(m('a\\', 'a'));
  assert.not.ok(m('[[:nope:]]', 'a'));
});

test.run();
