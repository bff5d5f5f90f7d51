import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { commands, parseWithYargs } from '../../lib/cli/main.js';
import type { CommandSpec } from '../../lib/cli/context.js';
import { quickParse } from '../../lib/cli/quick-args.js';

const test = suite('CLI quick parser [C-CLI]');
const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/' };

// Every key a command can read: declared options (as named, camelCased, aliased), positionals, globals.
function keysOf(spec: CommandSpec): string[] {
  const keys = ['json', 'C', '--', ...Object.keys(spec.positionals ?? {})];
  for (const [name, decl] of Object.entries(spec.options ?? {})) {
    keys.push(
      name,
      name.replace(/-([a-z])/gu, (_, c: string) => c.toUpperCase()),
    );
    if (decl.alias) keys.push(decl.alias);
  }
  return keys;
}

async function agrees(argv: string[]): Promise<void> {
  const quick = quickParse(argv, commands);
  if (!quick) return;
  const full = await parseWithYargs(argv, io);
  assert.ok(!('help' in full), `${JSON.stringify(argv)}: yargs printed help for a line the quick parser took`);
  if ('help' in full) return;
  assert.is(full.spec, quick.spec, JSON.stringify(argv));
  for (const key of keysOf(quick.spec))
    assert.equal(quick.args[key], full.args[key], `${JSON.stringify(argv)}: ${key}`);
}

test('the plain lines of the hot commands are parsed without yargs', () => {
  for (const argv of [
    ['snapshot'],
    ['snapshot', '-m', 'msg'],
    ['snapshot', '--message=a b', '--json'],
    ['rollback'],
    ['rollback', 'amu0/B', '-C', 'sub'],
    ['undo'],
    ['guard', 'pre-commit'],
    ['guard', 'reference-transaction', 'prepared'],
    ['write', 'a.txt', '--from', 'f'],
    ['write', '--set', 'set.json', '-m', 'msg'],
    ['write', 'x', '--exec', '--json'],
    ['rollback', '--', 'x'],
    ['rollback', 'snapshots', '--', 'src/', '-x', '--json'],
    ['snapshot', '--', 'x'],
    ['undo', '--'],
    ['rollback', 'snapshots', '--dry-run', '--', 'src/', '*.js'],
    ['undo', '--dry-run', '--json'],
  ]) {
    assert.ok(quickParse(argv, commands), JSON.stringify(argv));
  }
});

test('anything unusual is left to yargs: help, version, unknown or repeated options, bad positionals', () => {
  for (const argv of [
    ['rollback', '--dry-run=yes'],
    ['snapshot', '--help'],
    ['--version'],
    ['snapshot', '-x'],
    ['snapshot', '-m', 'a', '-m', 'b'],
    ['snapshot', '--no-allow-empty'],
    ['snapshot', '-m'],
    ['snapshot', '-m', '-x'],
    ['snapshot', 'extra'],
    ['rollback', 'a', 'b'],
    ['guard'],
    ['guard', 'post-commit'],
    ['log'],
    ['baseline', 'create', 'B'],
    ['snapshot', '--json=true'],
  ]) {
    assert.is(quickParse(argv, commands), null, JSON.stringify(argv));
  }
});

test('every line the quick parser takes, yargs reads the same way', async () => {
  const word = fc.constantFrom(
    '-m',
    '--message',
    '--message=hi',
    'text',
    '',
    '42',
    '--allow-empty',
    '--json',
    '-C',
    'dir',
    'amu0',
    'snapshots~2',
    'pre-commit',
    'reference-transaction',
    'committed',
    '-x',
    '--',
    '-',
    '--no-json',
    '-h',
    '--allowEmpty',
    '--from',
    '--from=f.txt',
    '--set',
    '--exec',
    '--symlink',
    '--mission',
    'a.txt',
    '--dry-run',
    '--dryRun',
  );
  // Every command the quick parser may take: those declared as data (no yargs builder).
  const quick = commands
    .filter((c): c is CommandSpec => !('subcommands' in c) && !c.builder)
    .map((c) => c.command.split(' ')[0] as string);
  assert.ok(
    ['snapshot', 'rollback', 'undo', 'guard'].every((c) => quick.includes(c)),
    quick.join(' '),
  );
  const line = fc.tuple(fc.constantFrom(...quick), fc.array(word, { maxLength: 5 })).map(([c, rest]) => [c, ...rest]);
  await fc.assert(fc.asyncProperty(line, agrees), { numRuns: 500, seed: 7 });
  let taken = 0;
  for (const argv of fc.sample(line, { numRuns: 500, seed: 7 })) if (quickParse(argv, commands)) taken += 1;
  assert.ok(taken > 30, `only ${taken} of 300 lines were taken: the property says little`);
});

test.run();
