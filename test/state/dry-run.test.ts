import { chmodSync, existsSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rollback } from '../../lib/baseline/rollback.js';
import { createAmu0Baseline } from '../../lib/baseline/baseline.js';
import { initRepo } from '../../lib/state/init.js';
import type { RestoreChange, RestorePreview } from '../../lib/state/restore-preview.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { undo } from '../../lib/state/undo.js';
import { coo } from '../helpers/cli.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// `--dry-run` plans and judges a rollback or an undo exactly as the real one does and changes
// nothing: the working tree, every ref, every object and every file of coo's own stay as they were
// (native git reads them before and after), and the changes it lists are the ones the real run then
// makes (native git's diff of the tree before and after).

const test = suite('dry run [C-ROLLBACK] [C-UNDO]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
let judge: string;
test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  judge = join(box.dir, 'judge.git');
  box.git(['init', '-q', '--bare', judge]);
  await initRepo(o);
});
test.after.each(() => box.cleanup());

function git(args: string[]): string {
  const run = box.git(['--git-dir', judge, '--work-tree', box.repo, '-c', 'core.autocrlf=false', ...args], {
    env: { GIT_INDEX_FILE: join(box.dir, 'index.judge') },
  });
  assert.is(run.status, 0, `git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

function worktreeTree(): string {
  rmSync(join(box.dir, 'index.judge'), { force: true });
  git(['add', '-A']);
  // What the user's git tracks counts, ignored or not.
  if (existsSync(join(box.repo, 'tracked.log'))) git(['add', '-f', 'tracked.log']);
  return git(['write-tree']).trim();
}

/** Every file under .coo/ (objects, refs, the stat cache, the journal…) with its size and time, and every ref. */
function everything(): { tree: string; refs: string; files: string[] } {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else {
        const s = statSync(path);
        files.push(`${relative(box.repo, path)} ${s.size} ${s.mtimeMs} ${s.mode}`);
      }
    }
  };
  walk(join(box.repo, '.coo'));
  return {
    tree: worktreeTree(),
    refs: box.git(['--git-dir', '.coo/state.git', 'for-each-ref', '--format=%(refname) %(objectname)']).stdout,
    files: files.sort(),
  };
}

/** Native git's account of what changed between two trees, in a dry run's words. */
function gitChanges(before: string, after: string): Pick<RestoreChange, 'path' | 'action'>[] {
  const out: Pick<RestoreChange, 'path' | 'action'>[] = [];
  for (const line of git(['diff-tree', '-r', '--no-renames', '-z', before, after]).split(':').slice(1)) {
    const [meta = '', path = ''] = line.split('\0');
    const [, , oldOid, newOid, status] = meta.split(' ');
    const action =
      status === 'A' ? 'create' : status === 'D' ? 'remove' : status === 'M' && oldOid === newOid ? 'chmod' : 'modify';
    out.push({ path, action });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function populate(): void {
  // A file git tracks though an ignore rule matches it: whatever rules the capture follows, the
  // dry run's capture and the real run's must follow the same.
  box.write('.gitignore', '*.log\n');
  box.write('tracked.log', 'tracked\n');
  box.git(['add', '-f', 'tracked.log']);
  box.write('a.txt', 'alpha\n');
  box.write('src/a.js', 'a\n');
  box.write('src/b.js', 'b\n');
  box.write('bin/run.sh', '#!/bin/sh\n', 0o755);
  box.write('becomes-link', 'a file\n');
  box.write('becomes-dir', 'a file\n');
  box.write('docs/guide.md', 'guide\n');
}

function mutate(): void {
  box.write('tracked.log', 'tracked, changed\n');
  box.write('a.txt', 'changed\n');
  rmSync(join(box.repo, 'src/b.js'));
  box.write('src/new.js', 'new\n');
  chmodSync(join(box.repo, 'bin/run.sh'), 0o644);
  rmSync(join(box.repo, 'becomes-link'));
  symlinkSync('a.txt', join(box.repo, 'becomes-link'));
  rmSync(join(box.repo, 'becomes-dir'));
  box.write('becomes-dir/inside.txt', 'now a directory\n');
  box.write('added.txt', 'added\n');
}

/** The dry run changes nothing; the real run then makes exactly the changes it listed. */
async function checkDryRun(
  dry: () => Promise<RestorePreview>,
  real: () => Promise<{ written: number; removed: number; chmod: number; unchanged: number }>,
): Promise<RestorePreview> {
  const before = everything();
  const preview = await dry();
  assert.equal(everything(), before, 'the dry run changed something');
  assert.ok(preview.changes.length > 0);
  const outcome = await real();
  const after = worktreeTree();
  assert.equal(
    preview.changes.map((c) => ({ path: c.path, action: c.action })),
    gitChanges(before.tree, after),
  );
  assert.equal(
    [outcome.written, outcome.removed, outcome.chmod, outcome.unchanged],
    [preview.written, preview.removed, preview.chmod, preview.unchanged],
  );
  return preview;
}

test('rollback --dry-run, whole and by path: nothing changes, and the real run makes the changes listed', async () => {
  populate();
  await snapshot(o);
  mutate();
  const whole = await checkDryRun(
    () => rollback({ ...o, to: 'snapshots', dryRun: true }),
    () => rollback({ ...o, to: 'snapshots' }),
  );
  assert.ok(whole.changes.some((c) => c.action === 'chmod' && c.path === 'bin/run.sh' && c.mode === '100755'));
  assert.ok(whole.changes.some((c) => c.action === 'remove' && c.path === 'becomes-dir/inside.txt'));
  await undo(o);
  const paths = await checkDryRun(
    () => rollback({ ...o, to: 'snapshots', paths: ['src', '*.txt'], dryRun: true }),
    () => rollback({ ...o, to: 'snapshots', paths: ['src', '*.txt'] }),
  );
  assert.equal(paths.paths, ['src', '*.txt']);
  assert.equal(
    paths.changes.map((c) => c.path),
    ['a.txt', 'added.txt', 'becomes-dir/inside.txt', 'src/b.js', 'src/new.js'],
  );
});

test('undo --dry-run, and rollback --dry-run to the baseline: the same', async () => {
  populate();
  await createAmu0Baseline({ ...o, name: 'B' });
  mutate();
  await checkDryRun(
    () => rollback({ ...o, dryRun: true }),
    () => rollback(o),
  );
  await checkDryRun(
    () => undo({ ...o, dryRun: true }),
    () => undo(o),
  );
  // A dry run is refused where the real run would be: here an ignored file is in the way.
  box.write('src/b.js', 'in the way, ignored\n');
  box.write('.gitignore', 'src/b.js\n');
  const before = everything();
  const refused = await coo(['rollback', '--dry-run', '--json'], o);
  assert.is(refused.code, 5, refused.stdout);
  assert.equal(refused.json<{ data: { paths: string[] } }>().data.paths, ['src/b.js']);
  assert.equal(everything(), before);
});

test('coo rollback --dry-run and coo undo --dry-run print every change and say nothing changed', async () => {
  populate();
  await snapshot(o);
  mutate();
  const text = await coo(['rollback', 'snapshots', '--dry-run'], o);
  assert.is(text.code, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  assert.ok(lines[0]?.startsWith('would roll back to snapshots ('), lines[0]);
  assert.ok(lines.includes('  modify  a.txt'), text.stdout);
  assert.ok(lines.includes('  chmod   bin/run.sh (100755)'), text.stdout);
  assert.ok(lines.includes('  remove  added.txt'), text.stdout);
  assert.ok(lines.includes('  create  src/b.js'), text.stdout);
  assert.is(lines[lines.length - 1], 'nothing was changed (--dry-run)');
  const sub = await coo(['rollback', 'snapshots', '--dry-run', '--json', '--', 'b.js'], {
    cwd: join(box.repo, 'src'),
    env: box.env,
  });
  assert.equal(sub.json<RestorePreview>().changes, [{ path: 'src/b.js', action: 'create', mode: '100644' }]);
  assert.is((await coo(['rollback', 'snapshots'], o)).code, 0);
  const undoing = await coo(['undo', '--dry-run', '--json'], o);
  assert.is(undoing.code, 0);
  const preview = undoing.json<RestorePreview & { to: string }>();
  assert.is(preview.dryRun, true);
  assert.ok(preview.changes.some((c) => c.path === 'added.txt' && c.action === 'create'));
  assert.is(box.read('a.txt'), 'alpha\n');
});

test.run();
