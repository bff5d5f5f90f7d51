import { resolve } from 'node:path';
import yargs from 'yargs/yargs';
import type { Argv } from 'yargs';
import { CooError } from '../errors/coo-error.js';
import type { Args, CliContext, CommandGroup, CommandOutput, CommandSpec, Io } from './context.js';

export type { Io } from './context.js';
import { renderError, toCooError } from './report-error.js';
import { packageVersion } from '../util/package-root.js';
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
import { approveCommand, guardCommand, hooksCommand, indexCommand, protectCommand, requestsCommand, vetoCommand } from './commands/governance.js';

// The CLI: parse with yargs, run one command, print its text or its JSON, and turn any error into
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
  requestsCommand,
  approveCommand,
  vetoCommand,
  hooksCommand,
  guardCommand,
  demoCommand,
];

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const wantsJson = argv.includes('--json');
  let ctx: CliContext = { io, json: wantsJson, cwd: io.cwd, interactive: false };
  let chosen: { spec: CommandSpec; args: Args } | null = null;
  let helpText = '';
  try {
    const parser = yargs([...argv])
      .scriptName('coo')
      .usage('coo <command> [options]\n\nA git-native state store and governance runtime for repositories that agents change.')
      .option('json', { type: 'boolean', default: false, global: true, describe: 'print one JSON document on stdout and nothing else' })
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
      y.command(spec.command, spec.describe, spec.builder ?? ((b) => b), (args) => {
        chosen = { spec, args: args as unknown as Args };
      });
    for (const entry of commands) {
      if ('subcommands' in entry) {
        parser.command(entry.command, entry.describe, (y) => {
          for (const sub of entry.subcommands) register(y, sub);
          return y.demandCommand(1, `name an action: ${entry.subcommands.map((s) => s.command.split(' ')[0]).join(', ')}`);
        });
      } else register(parser, entry);
    }
    const parsed = (await parser.parseAsync([...argv], {}, (_err, _argv, output) => {
      helpText = output;
    })) as Args;
    if (helpText) {
      io.stdout.write(`${helpText}\n`);
      return 0;
    }
    const picked = chosen as { spec: CommandSpec; args: Args } | null;
    if (!picked) throw new CooError('E_USAGE', 'name a command', { argv: [...argv] });
    const cwd = typeof parsed['C'] === 'string' ? resolve(io.cwd, parsed['C']) : io.cwd;
    ctx = { io, json: parsed['json'] === true, cwd, interactive: parsed['json'] !== true && io.stderr.isTTY === true };
    const output: CommandOutput = await picked.spec.run(picked.args, ctx);
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
