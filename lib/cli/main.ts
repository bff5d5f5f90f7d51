import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { CooError } from '../core/coo-error.js';
import {
  afterDashDash,
  type Args,
  type CliContext,
  type CommandGroup,
  type CommandOutput,
  type CommandSpec,
  type Io,
} from './context.js';
import { quickParse } from './quick-args.js';

export type { Io } from './context.js';
import { renderError, toCooError } from './report-error.js';
import { packageVersion } from '../core/package-root.js';
import { initCommand } from './commands/init.js';
import { snapshotCommand } from './commands/snapshot.js';
import { rollbackCommand, undoCommand } from './commands/rollback.js';
import { baselineCommand } from './commands/baseline.js';
import { verifyCommand } from './commands/verify.js';
import { logCommand } from './commands/log.js';
import { showCommand } from './commands/show.js';
import { diffCommand } from './commands/diff.js';
import { demoCommand } from './commands/demo.js';
import { rmCommand, writeCommand } from './commands/write.js';
import { missionCommand, runCommand, runsCommand } from './commands/mission.js';
import { determinismCommand } from './commands/determinism.js';
import { planCommand } from './commands/plan.js';
import { checkCommand } from './commands/check.js';
import {
  approveCommand,
  guardCommand,
  hooksCommand,
  indexCommand,
  protectCommand,
  requestsCommand,
  trustCommand,
  vetoCommand,
} from './commands/governance.js';

// The CLI: parse (the quick parser for plain lines of the hottest commands, yargs for everything
// else), run one command, print its text or its JSON, and turn any error into
// output and an exit status in exactly one place. Nothing here calls process.exit.

export const commands: readonly (CommandSpec | CommandGroup)[] = [
  initCommand,
  snapshotCommand,
  rollbackCommand,
  undoCommand,
  baselineCommand,
  verifyCommand,
  logCommand,
  showCommand,
  diffCommand,
  writeCommand,
  rmCommand,
  missionCommand,
  runCommand,
  runsCommand,
  determinismCommand,
  planCommand,
  checkCommand,
  indexCommand,
  protectCommand,
  trustCommand,
  requestsCommand,
  approveCommand,
  vetoCommand,
  hooksCommand,
  guardCommand,
  demoCommand,
];

/** Yargs options for what a command declares as data. */
function declared(y: Argv, spec: CommandSpec): Argv {
  let out = y;
  for (const [name, decl] of Object.entries(spec.positionals ?? {}))
    out = out.positional(name, { ...decl, choices: decl.choices ? [...decl.choices] : undefined });
  for (const [name, decl] of Object.entries(spec.options ?? {}))
    out = out.option(name, { ...decl, choices: decl.choices ? [...decl.choices] : undefined });
  return out;
}

interface Parsed {
  readonly spec: CommandSpec;
  readonly args: Args;
}

/** The full parser: every command line the quick one leaves, help, version and usage errors (exported for the test that holds the quick parser to it). */
export async function parseWithYargs(argv: readonly string[], io: Io): Promise<Parsed | { help: string }> {
  const { default: yargs } = await import('yargs/yargs');
  let chosen: Parsed | null = null;
  let helpText = '';
  const parser = yargs([...argv])
    // Words after `--` are kept apart (under `--`), so that a command that takes none can refuse them
    // (and stay strings, as paths must: `coo rm -- 42`).
    .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false })
    .scriptName('coo')
    .usage(
      'coo <command> [options]\n\nA git-native state store and governance runtime for repositories that agents change.',
    )
    .option('json', {
      type: 'boolean',
      default: false,
      global: true,
      describe: 'print one JSON document on stdout and nothing else',
    })
    .option('C', { type: 'string', global: true, describe: 'run as if coo was started in this directory' })
    .strict()
    .demandCommand(1, 'name a command')
    .version(packageVersion())
    .help()
    .wrap(Math.min(100, io.stderr.columns ?? 100))
    .exitProcess(false)
    .fail((message, err) => {
      throw err ?? new CooError('E_USAGE', message, { argv: [...argv] });
    });
  const register = (y: Argv, spec: CommandSpec): Argv =>
    y.command(
      spec.command,
      spec.describe,
      (b) => {
        const built = spec.builder ? spec.builder(b) : declared(b, spec);
        return spec.afterDashDash ? built.epilogue(`after --: ${spec.afterDashDash}`) : built;
      },
      (args) => {
        chosen = { spec, args: args as unknown as Args };
      },
    );
  for (const entry of commands) {
    if ('subcommands' in entry) {
      parser.command(entry.command, entry.describe, (y) => {
        for (const sub of entry.subcommands) register(y, sub);
        return y.demandCommand(
          1,
          `name an action: ${entry.subcommands.map((s) => s.command.split(' ')[0]).join(', ')}`,
        );
      });
    } else register(parser, entry);
  }
  await parser.parseAsync([...argv], {}, (_err, _argv, output) => {
    helpText = output;
  });
  if (helpText) return { help: helpText };
  const picked = chosen as Parsed | null;
  if (!picked) throw new CooError('E_USAGE', 'name a command', { argv: [...argv] });
  return picked;
}

/** Refuses words after `--` for a command that takes none there: they are never ignored. */
function ensureTakesAfterDashDash(spec: CommandSpec, args: Args): void {
  const rest = afterDashDash(args);
  if (rest.length === 0 || spec.afterDashDash !== undefined) return;
  const name = args._.map(String).join(' ');
  throw new CooError('E_USAGE', `coo ${name} takes nothing after --, found ${JSON.stringify(rest)}`, {
    command: name,
    after: rest,
  });
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const dashDash = argv.indexOf('--');
  const options = dashDash < 0 ? argv : argv.slice(0, dashDash);
  let ctx: CliContext = { io, json: options.includes('--json'), cwd: io.cwd, interactive: false };
  try {
    const parsed = quickParse(argv, commands) ?? (await parseWithYargs(argv, io));
    if ('help' in parsed) {
      io.stdout.write(`${parsed.help}\n`);
      return 0;
    }
    const { spec, args } = parsed;
    ensureTakesAfterDashDash(spec, args);
    const cwd = typeof args['C'] === 'string' ? resolve(io.cwd, args['C']) : io.cwd;
    ctx = { io, json: args['json'] === true, cwd, interactive: args['json'] !== true && io.stderr.isTTY === true };
    const output: CommandOutput = await spec.run(args, ctx);
    if (ctx.json) io.stdout.write(`${JSON.stringify(output.data)}\n`);
    else if (output.text !== '') io.stdout.write(`${output.text}\n`);
    return output.exitCode ?? 0;
  } catch (err) {
    const error = toCooError(err);
    io.stderr.write(ctx.json ? '' : renderError(error, false, io.stderr.isTTY === true));
    if (ctx.json) io.stdout.write(renderError(error, true, false));
    return error.exitCode;
  }
}
