import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../lib/cli/main.js';
import type { CommandSpec } from '../../lib/cli/context.js';
import { coo, cooProcess } from '../helpers/cli.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('CLI [C-CLI]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
test.before.each(() => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
});
test.after.each(() => box.cleanup());

test('--json prints exactly one JSON document on stdout, for results and for errors', async () => {
  const init = await coo(['init', '--json'], o);
  assert.is(init.code, 0);
  assert.is(init.json<{ root: string }>().root, box.repo);
  box.write('a.txt', 'a\n');
  const snap = await coo(['snapshot', '-m', 'first', '--json'], o);
  assert.is(snap.stdout.trim().split('\n').length, 1);
  assert.equal(Object.keys(snap.json()).sort(), [
    'commit',
    'created',
    'files',
    'hashed',
    'manifest',
    'ref',
    'reused',
    'skipped',
    'tree',
  ]);
  const bad = await coo(['rollback', 'nope', '--json'], o);
  assert.is(bad.code, 2);
  assert.equal(bad.json(), { code: 'E_REF_NOT_FOUND', message: 'no state named "nope"', data: { rev: 'nope' } });
  assert.is(bad.stderr, '');
});

test('exit statuses: usage 2, trust 4, conflict 5; human errors on stderr with code and hint', async () => {
  assert.is((await coo(['frobnicate'], o)).code, 2);
  assert.is((await coo(['snapshot', '--no-such-flag'], o)).code, 2);
  const uninit = await coo(['snapshot'], o);
  assert.is(uninit.code, 2);
  assert.ok(uninit.stderr.startsWith('error E_NOT_INITIALISED:'));
  assert.ok(uninit.stderr.includes('hint: Run `coo init`'));
  await coo(['init'], o);
  box.write('a.txt', 'a\n');
  await coo(['baseline', 'create', 'B'], o);
  box.git(['--git-dir', '.coo/state.git', 'update-ref', 'refs/heads/amu0', 'snapshots']);
  assert.is((await coo(['verify'], o)).code, 4);
  // An ignored file in the way: identical content is no conflict; different content is (exit 5).
  box.git(['--git-dir', '.coo/state.git', 'update-ref', 'refs/heads/amu0', 'amu0/B']);
  box.write('later.txt', 'x');
  await coo(['snapshot', '-m', 'with later'], o);
  box.write('.gitignore', 'later.txt\n');
  assert.is((await coo(['rollback', 'snapshots'], o)).code, 0);
  box.write('.gitignore', 'later.txt\n'); // the rollback removed it (the snapshot had none)
  box.write('later.txt', 'ignored and different');
  const conflict = await coo(['rollback', 'snapshots', '--json'], o);
  assert.is(conflict.code, 5);
  assert.equal(conflict.json<{ code: string; data: { paths: string[] } }>().data.paths, ['later.txt']);
  assert.is(box.read('later.txt'), 'ignored and different');
});

test('a command group without its action, and a bad config, fail with usage errors', async () => {
  await coo(['init'], o);
  const none = await coo(['baseline', '--json'], o);
  assert.is(none.code, 2);
  assert.is(none.json<{ code: string }>().code, 'E_USAGE');
  // A config on disk is checked wherever it is read: by init, and by a request to approve it.
  box.write('.coo/config.json', '{"version":1,"capture":{"maxNewFileBytes":-1}}');
  const bad = await coo(['init', '--json'], o);
  assert.is(bad.code, 2);
  const error = bad.json<{ code: string; data: { pointer: string } }>();
  assert.is(error.code, 'E_CONFIG_INVALID');
  assert.is(error.data.pointer, '/capture/maxNewFileBytes');
  box.write('.coo/config.json', '{"version":1,"extra":true}');
  assert.is((await coo(['init', '--json'], o)).json<{ data: { pointer: string } }>().data.pointer, '/extra');
  box.write('.coo/config.json', '{not json');
  assert.is((await coo(['protect', 'accept', '--json'], o)).json<{ code: string }>().code, 'E_CONFIG_INVALID');
});

test('-C runs in another directory; --help and --version print and exit 0', async () => {
  await coo(['init'], o);
  box.write('a.txt', 'a\n');
  const elsewhere = await coo(['-C', box.repo, 'snapshot', '--json'], { cwd: box.dir, env: box.env });
  assert.is(elsewhere.code, 0);
  const help = await coo(['--help'], o);
  assert.is(help.code, 0);
  assert.ok(help.stdout.includes('coo snapshot'));
  const version = cooProcess(['--version'], o);
  assert.is(version.code, 0);
  assert.ok(/^\d+\.\d+\.\d+\n$/u.test(version.stdout));
});

test('snapshot: skipped paths are printed and recorded in the commit; nothing changed is said plainly', async () => {
  await coo(['init'], o);
  box.write('.coo/config.json', '{"version":1,"capture":{"maxNewFileBytes":100}}');
  assert.is((await coo(['protect', 'accept', '--approve'], o)).code, 0); // a config takes effect once approved
  box.write('small.txt', 'ok');
  box.write('large.txt', 'x'.repeat(1000));
  const snap = await coo(['snapshot'], o);
  assert.is(snap.code, 0);
  assert.ok(snap.stdout.includes('large.txt: new file larger than the capture limit'), snap.stdout);
  const skipped = (await coo(['snapshot', '--json', '--allow-empty'], o)).json<{ skipped: { path: string }[] }>()
    .skipped;
  assert.equal(
    skipped.map((s) => s.path),
    ['large.txt'],
  ); // .coo/ files are never held back by the limit
  const message = box.git(['--git-dir', '.coo/state.git', 'log', '-1', '--format=%B', 'snapshots']).stdout;
  assert.ok(message.includes('"large.txt": new file larger than the capture limit'));
  assert.ok(message.includes('Coo-Skipped: 1'));
  const again = await coo(['snapshot'], o);
  assert.ok(again.stdout.startsWith('nothing changed since snapshot'), again.stdout + again.stderr);
});

test('diff between states and against the working tree, with --stat', async () => {
  await coo(['init'], o);
  box.write('a.txt', 'one\ntwo\nthree\n');
  await coo(['snapshot'], o);
  box.write('a.txt', 'one\n2\nthree\n');
  box.write('b.bin', Buffer.from([0, 1, 2]));
  const patch = await coo(['diff'], o);
  assert.ok(patch.stdout.includes('-two\n+2'));
  assert.ok(patch.stdout.includes('Binary files /dev/null and b/b.bin differ'));
  const stat = await coo(['diff', '--stat', '--json'], o);
  const changes = stat.json<{ changes: { path: string; status: string; additions: number; deletions: number }[] }>()
    .changes;
  assert.equal(
    changes.map((c) => [c.path, c.status, c.additions, c.deletions]),
    [
      ['a.txt', 'modified', 1, 1],
      ['b.bin', 'added', 0, 0],
    ],
  );
  await coo(['snapshot'], o);
  const between = await coo(['diff', 'snapshots~1', 'snapshots', '--json'], o);
  assert.is(between.json<{ changes: unknown[] }>().changes.length, 2);
  // native git agrees on what changed
  assert.is(
    box.git(['--git-dir', '.coo/state.git', 'diff', '--name-only', 'snapshots~1', 'snapshots']).stdout,
    'a.txt\nb.bin\n',
  );
});

/** Every command and action, with its required positionals filled in. */
function everyCommandLine(): { argv: string[]; spec: CommandSpec }[] {
  const line = (words: string[], spec: CommandSpec): { argv: string[]; spec: CommandSpec } => {
    const [name, ...positionals] = spec.command.split(' ');
    const filled = positionals
      .filter((p) => p.startsWith('<'))
      .map((p) => spec.positionals?.[p.slice(1, -1)]?.choices?.[0] ?? 'x');
    return { argv: [...words, name as string, ...filled], spec };
  };
  return commands.flatMap((entry) =>
    'subcommands' in entry ? entry.subcommands.map((sub) => line([entry.command], sub)) : [line([], entry)],
  );
}

test('anything after -- that a command cannot take is a usage error, for every command, before anything runs', async () => {
  await coo(['init'], o);
  box.write('a.txt', 'a\n');
  const refs = (): string => box.git(['--git-dir', '.coo/state.git', 'for-each-ref']).stdout;
  const before = refs();
  const lines = everyCommandLine();
  assert.ok(lines.length > 30, `${lines.length} command lines`);
  for (const { argv, spec } of lines) {
    if (spec.afterDashDash !== undefined) continue;
    const run = await coo([...argv, '--json', '--', 'a.txt'], o);
    assert.is(run.code, 2, `${argv.join(' ')} -- a.txt: ${run.stdout}`);
    assert.is(run.json<{ code: string }>().code, 'E_USAGE', argv.join(' '));
  }
  // `coo snapshot -- x` recorded nothing, `coo log -- x` listed nothing; an empty `--` is no word at all.
  assert.is(refs(), before);
  assert.is((await coo(['snapshot', '--json', '--'], o)).code, 0);
  assert.not.equal(refs(), before);
  // A word after `--` that looks like --json is a word, not the option.
  const plain = await coo(['log', '--', '--json'], o);
  assert.is(plain.code, 2);
  assert.ok(plain.stderr.startsWith('error E_USAGE:'), plain.stderr);
});

test('write and rm take their paths after -- too, so a name that looks like an option can be written and removed', async () => {
  await coo(['init'], o);
  box.write('f.txt', 'content\n');
  assert.is((await coo(['write', '--from', 'f.txt', '--', '-x.txt'], o)).code, 0);
  assert.is(box.read('-x.txt'), 'content\n');
  assert.is((await coo(['write', '--from', 'f.txt', 'a.txt', '--', 'b.txt', '--json'], o)).code, 2);
  assert.is((await coo(['write', '--set', 'f.txt', '--', 'b.txt', '--json'], o)).code, 2);
  assert.is((await coo(['rm', '--json'], o)).code, 2);
  assert.is((await coo(['rm', 'f.txt', '--', '-x.txt'], o)).code, 0);
  assert.not.ok(existsSync(join(box.repo, '-x.txt')));
  assert.not.ok(existsSync(join(box.repo, 'f.txt')));
});

test.run();
