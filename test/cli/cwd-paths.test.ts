import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cwdPaths } from '../../lib/cli/cwd-paths.js';
import { pathspecSet } from '../../lib/core/pathspec.js';
import { initRepo } from '../../lib/state/init.js';
import { coo } from '../helpers/cli.js';
import { fc } from '../helpers/property.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// Paths on the command line count from the current directory, as in git; `:/` from the root.

const test = suite('paths from the current directory [C-WRITE] [C-ROLLBACK]');
let box: Sandbox;
test.before.each(async () => {
  box = sandbox();
  await initRepo({ cwd: box.repo, env: box.env });
});
test.after.each(() => box.cleanup());

const refs = (): string => box.git(['--git-dir', '.coo/state.git', 'for-each-ref']).stdout;

test('coo rm in a subdirectory removes that directory’s file; :/ and ../ reach the root’s', async () => {
  box.write('index.js', 'root\n');
  box.write('lib/index.js', 'lib\n');
  box.write('lib/other.js', 'other\n');
  const lib = { cwd: join(box.repo, 'lib'), env: box.env };
  const rm = await coo(['rm', 'index.js', '--json'], lib);
  assert.is(rm.code, 0, rm.stdout);
  assert.equal(rm.json<{ changes: unknown[] }>().changes, [{ path: 'lib/index.js', kind: 'delete' }]);
  assert.not.ok(existsSync(join(box.repo, 'lib/index.js')));
  assert.is(box.read('index.js'), 'root\n');
  assert.is((await coo(['rm', ':/index.js'], lib)).code, 0);
  assert.not.ok(existsSync(join(box.repo, 'index.js')));
  box.write('index.js', 'root again\n');
  assert.is((await coo(['rm', '../index.js', './other.js'], lib)).code, 0);
  assert.not.ok(existsSync(join(box.repo, 'index.js')));
  assert.not.ok(existsSync(join(box.repo, 'lib/other.js')));
  // -C DIR is the same as starting there.
  box.write('lib/c.js', 'c\n');
  assert.is((await coo(['-C', 'lib', 'rm', 'c.js'], { cwd: box.repo, env: box.env })).code, 0);
  assert.not.ok(existsSync(join(box.repo, 'lib/c.js')));
});

test('coo write PATH counts from the current directory, as --from does; an absolute path inside the root is taken', async () => {
  box.write('sub/deeper/content.txt', 'from a file\n');
  const deeper = { cwd: join(box.repo, 'sub/deeper'), env: box.env };
  assert.is((await coo(['write', 'out.txt', '--from', 'content.txt'], deeper)).code, 0);
  assert.is(box.read('sub/deeper/out.txt'), 'from a file\n');
  assert.is((await coo(['write', '../../top.txt', '--from', 'content.txt'], deeper)).code, 0);
  assert.is(box.read('top.txt'), 'from a file\n');
  assert.is((await coo(['write', ':/sub/x.txt'], { ...deeper, input: 'stdin\n' })).code, 0);
  assert.is(box.read('sub/x.txt'), 'stdin\n');
  assert.is((await coo(['write', join(box.repo, 'abs.txt'), '--from', 'content.txt'], deeper)).code, 0);
  assert.is(box.read('abs.txt'), 'from a file\n');
  // Through a symbolic link to the repository, the same directory.
  symlinkSync(box.repo, join(box.dir, 'alias'));
  const viaLink = { cwd: join(box.dir, 'alias', 'sub'), env: box.env };
  assert.is((await coo(['write', 'y.txt', '--from', 'deeper/content.txt'], viaLink)).code, 0);
  assert.is(box.read('sub/y.txt'), 'from a file\n');
  assert.is((await coo(['write', join(box.dir, 'alias', 'z.txt'), '--from', 'deeper/content.txt'], viaLink)).code, 0);
  assert.is(box.read('z.txt'), 'from a file\n');
});

test('a path that leaves the repository is refused with E_PATH_OUTSIDE_ROOT, and nothing changes', async () => {
  box.write('lib/a.js', 'a\n');
  box.write('f.txt', 'f\n');
  const before = refs();
  const lib = { cwd: join(box.repo, 'lib'), env: box.env };
  for (const argv of [
    ['rm', '../../x', '--json'],
    ['rm', ':/../x', '--json'],
    ['rm', 'a.js', join(box.dir, 'elsewhere'), '--json'],
    ['write', '../../escape.txt', '--from', '../f.txt', '--json'],
  ]) {
    const run = await coo(argv, lib);
    assert.is(run.code, 3, argv.join(' '));
    assert.is(run.json<{ code: string }>().code, 'E_PATH_OUTSIDE_ROOT', argv.join(' '));
  }
  assert.ok(existsSync(join(box.repo, 'lib/a.js')));
  assert.not.ok(existsSync(join(box.dir, 'escape.txt')));
  assert.is(refs(), before);
  // Globs are not pathspecs for write and rm: the name is the name.
  const glob = await coo(['rm', '*.js', '--json'], lib);
  assert.is(glob.json<{ code: string }>().code, 'E_PATH_RESERVED_CHAR');
});

test('pathspecs from any directory pick what git picks from there (property, judged by git ls-files)', () => {
  const dirs = ['', 'src', 'src/x', 'a[1]', 'a[1]/b', 'sp ace'];
  const paths = [
    'top.js',
    'src/a.js',
    'src/b.ts',
    'src/x/deep.js',
    'src/x/y.txt',
    'a[1]/x.js',
    'a1/x.js',
    'a[1]/b/c.js',
    'ab/b/c.js',
    'sp ace/f.js',
  ];
  for (const d of dirs) mkdirSync(join(box.repo, d), { recursive: true });
  box.git(['read-tree', '--empty']);
  box.git(['update-index', '--add', '-z', '--index-info'], {
    input: paths.map((p) => `100644 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\t${p}\0`).join(''),
  });
  const token = fc.constantFrom('*.js', '*', '..', '.', 'x', 'b', '*/', '?', '[ab]', 'src', 'a[1]', '/', ':/', 'c.js');
  const spec = fc.array(token, { minLength: 1, maxLength: 4 }).map((t) => t.join('/'));
  let compared = 0;
  fc.assert(
    fc.property(fc.constantFrom(...dirs), spec, (dir, arg) => {
      const cwd = join(box.repo, dir);
      const run = box.git(['-C', cwd, 'ls-files', '-z', '--full-name', '--', arg]);
      let ours: string[];
      try {
        const set = pathspecSet([cwdPaths(cwd).pathspec(arg)]);
        ours = paths.filter((p) => set.matches(p));
      } catch (err) {
        assert.is.not(run.status, 0, `${dir}: ${arg}: git took it, coo said ${(err as Error).message}`);
        return;
      }
      if (run.status !== 0) return;
      compared += 1;
      const judged = run.stdout.split('\0').filter((p) => p !== '');
      assert.equal(ours.sort(), judged.sort(), `${JSON.stringify(arg)} in ${JSON.stringify(dir)}`);
    }),
    { numRuns: 300 },
  );
  assert.ok(compared > 150, `only ${compared} compared`);
  assert.is(cwdPaths(join(box.repo, 'a[1]')).pathspec('*.js'), ':(top,prefix:5)a[1]/*.js');
  assert.is(cwdPaths(join(box.repo, 'src')).pathspec('.'), 'src/');
  assert.is(cwdPaths(join(box.repo, 'src')).pathspec(':/'), '.');
});

test.run();
