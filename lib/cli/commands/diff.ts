import type { FileChange } from '../../state/diff.js';
import { cwdPaths } from '../cwd-paths.js';
import { afterDashDash, type CommandSpec } from '../context.js';

function stat(changes: readonly FileChange[]): string {
  const width = Math.max(0, ...changes.map((c) => c.path.length));
  const lines = changes.map(
    (c) =>
      ` ${c.path.padEnd(width)} | ${c.binary ? 'Bin' : `${c.additions + c.deletions} ${'+'.repeat(Math.min(c.additions, 40))}${'-'.repeat(Math.min(c.deletions, 40))}`}`,
  );
  const adds = changes.reduce((n, c) => n + c.additions, 0);
  const dels = changes.reduce((n, c) => n + c.deletions, 0);
  lines.push(` ${changes.length} file(s) changed, ${adds} insertion(s)(+), ${dels} deletion(s)(-)`);
  return lines.join('\n');
}

function unified(c: FileChange): string {
  const head = [`diff --coo a/${c.path} b/${c.path}`];
  if (c.status === 'added') head.push(`new file mode ${c.newMode}`);
  if (c.status === 'deleted') head.push(`deleted file mode ${c.oldMode}`);
  if (c.status === 'mode' || c.status === 'type') head.push(`old mode ${c.oldMode}`, `new mode ${c.newMode}`);
  if (c.status === 'mode') return head.join('\n');
  if (c.binary)
    return [
      ...head,
      `Binary files ${c.oldOid ? `a/${c.path}` : '/dev/null'} and ${c.newOid ? `b/${c.path}` : '/dev/null'} differ`,
    ].join('\n');
  return [
    ...head,
    `--- ${c.oldOid ? `a/${c.path}` : '/dev/null'}`,
    `+++ ${c.newOid ? `b/${c.path}` : '/dev/null'}`,
    c.patch ?? '',
  ].join('\n');
}

export const diffCommand: CommandSpec = {
  command: 'diff [from] [to]',
  describe:
    'changes between two states (after --, only those paths); FROM defaults to the latest snapshot, TO to the working tree',
  builder: (y) =>
    y
      .positional('from', { type: 'string' })
      .positional('to', { type: 'string' })
      .option('stat', { type: 'boolean', default: false }),
  afterDashDash:
    'pathspecs, from the current directory as in git: a file, a directory, a glob (* and ? match / too); :/path from the root',
  async run(args, ctx) {
    const { diff } = await import('../../state/diff.js');
    const specs = afterDashDash(args);
    const where = specs.length > 0 ? cwdPaths(ctx.cwd) : null;
    const result = await diff({
      ...(where ? { paths: specs.map((s) => where.pathspec(s)) } : {}),
      cwd: ctx.cwd,
      env: ctx.io.env,
      ...(typeof args['from'] === 'string' ? { from: args['from'] } : {}),
      ...(typeof args['to'] === 'string' ? { to: args['to'] } : {}),
      patch: args['stat'] !== true,
    });
    const text =
      result.changes.length === 0
        ? '(no changes)'
        : args['stat'] === true
          ? stat(result.changes)
          : result.changes.map(unified).join('\n');
    return { data: result, text };
  },
};
