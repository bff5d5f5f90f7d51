import type { Argv } from 'yargs';
import { short, type Args, type CliContext, type CommandGroup, type CommandOutput } from '../context.js';
import { withProgress } from '../progress.js';
import { describeRestore } from './rollback.js';

async function create(args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { createAmu0Baseline } = await import('../../baseline/baseline.js');
  const result = await withProgress(ctx, (onProgress) =>
    createAmu0Baseline({
      cwd: ctx.cwd,
      env: ctx.io.env,
      name: String(args['name']),
      ...(typeof args['message'] === 'string' ? { message: args['message'] } : {}),
      ...(onProgress ? { onProgress } : {}),
    }),
  );
  return {
    data: result,
    text: `baseline ${result.name} #${result.sequence} signed as ${short(result.commit)} (amu0, amu0/${result.name})`,
  };
}

async function restore(args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { restoreFromAmu0 } = await import('../../baseline/baseline.js');
  const name = typeof args['name'] === 'string' ? args['name'] : undefined;
  const result = await withProgress(ctx, (onProgress) =>
    restoreFromAmu0({
      cwd: ctx.cwd,
      env: ctx.io.env,
      ...(name === undefined ? {} : { name }),
      ...(onProgress ? { onProgress } : {}),
    }),
  );
  const signer = result.baseline.signer.principals.join(',');
  return {
    data: result,
    text: `verified baseline #${result.baseline.sequence} signed by ${signer}\n${describeRestore('restored', result, name === undefined ? 'amu0' : `amu0/${name}`)}`,
  };
}

async function promote(args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { promoteRunToAmu0 } = await import('../../baseline/baseline.js');
  const result = await promoteRunToAmu0({
    cwd: ctx.cwd,
    env: ctx.io.env,
    ref: String(args['ref']),
    ...(typeof args['name'] === 'string' ? { name: args['name'] } : {}),
    ...(typeof args['message'] === 'string' ? { message: args['message'] } : {}),
  });
  return {
    data: result,
    text: `promoted ${String(args['ref'])} (${short(result.promoted)}) to baseline #${result.sequence}, signed as ${short(result.commit)}${result.name ? ` (amu0/${result.name})` : ''}`,
  };
}

export const baselineCommand: CommandGroup = {
  command: 'baseline',
  describe: 'AMU0 baselines: create NAME | restore [NAME] | promote REF',
  subcommands: [
    {
      command: 'create <name>',
      describe: 'sign the working tree as the next baseline and name it amu0/NAME',
      builder: (y: Argv) => y.option('message', { alias: 'm', type: 'string' }),
      run: create,
    },
    {
      command: 'restore [name]',
      describe: 'verify a baseline (default: the current amu0) and make the working tree identical to it',
      run: restore,
    },
    {
      command: 'promote <ref>',
      describe: 'make a run or any state the next baseline',
      builder: (y: Argv) =>
        y
          .option('name', { type: 'string', describe: 'also name it amu0/NAME' })
          .option('message', { alias: 'm', type: 'string' }),
      run: promote,
    },
  ],
};
