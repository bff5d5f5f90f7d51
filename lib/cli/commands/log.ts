import { short, type CommandSpec } from '../context.js';

function when(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16);
}

export const logCommand: CommandSpec = {
  command: 'log [ref]',
  describe: 'the operation log (newest first), or the history of REF',
  builder: (y) =>
    y
      .positional('ref', { type: 'string' })
      .option('max-count', { alias: 'n', type: 'number', describe: 'show at most N entries' }),
  async run(args, ctx) {
    const { log } = await import('../../state/log.js');
    const entries = await log({
      cwd: ctx.cwd,
      env: ctx.io.env,
      ...(typeof args['ref'] === 'string' ? { rev: args['ref'] } : {}),
      ...(typeof args['maxCount'] === 'number' ? { limit: args['maxCount'] } : {}),
    });
    const text = entries
      .map(
        (e) =>
          `${short(e.oid)}  ${when(e.time)}  ${(e.op ?? '-').padEnd(16)} ${e.signed ? '[signed] ' : ''}${e.subject}${e.gitHead ? `  (git: ${e.gitHead.branch ?? 'detached'}@${e.gitHead.commit ? short(e.gitHead.commit) : 'no commit'})` : ''}`,
      )
      .join('\n');
    return { data: entries, text: text || '(no entries)' };
  },
};
