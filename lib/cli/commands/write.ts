import { resolve } from 'node:path';
import { CooError } from '../../core/coo-error.js';
import { readDocumentBytes } from '../../core/json-document.js';
import type { WriteOp } from '../../gateway/write-set.js';
import type { GatewayResult } from '../../gateway/gateway.js';
import { cwdPaths } from '../cwd-paths.js';
import { afterDashDash, short, type Args, type CliContext, type CommandOutput, type CommandSpec } from '../context.js';

// A write set is a document (lib/gateway/write-set-document.ts): its paths are repository-relative
// wherever coo runs (as a mission's are); its `from` files, like every file coo reads rather than
// writes (--set, --from, --mission), count from the current directory.
async function readSet(file: string, cwd: string): Promise<WriteOp[]> {
  const { parseWriteSetDocument, writeSetMaxBytes } = await import('../../gateway/write-set-document.js');
  const text = readDocumentBytes(resolve(cwd, file), {
    code: 'E_WRITE_SET_INVALID',
    source: file,
    maxBytes: writeSetMaxBytes,
  });
  return parseWriteSetDocument(text, file, { cwd, root: cwdPaths(cwd).root });
}

function describe(result: GatewayResult): string {
  const lines = [`write ${short(result.commit)}: ${result.changes.map((c) => `${c.kind} ${c.path}`).join(', ')}`];
  if (result.indexes.length > 0) lines.push(`INDEX reconciled: ${result.indexes.join(', ')}`);
  lines.push(`safety snapshot ${short(result.safety)}; \`coo undo\` reverts this write`);
  return lines.join('\n');
}

async function run(ops: WriteOp[], args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { gatewayWrite } = await import('../../gateway/gateway.js');
  const { loadMission, missionScope } = await import('../../mission/mission.js');
  const mission =
    typeof args['mission'] === 'string'
      ? missionScope(await loadMission(resolve(ctx.cwd, args['mission'])))
      : undefined;
  const result = await gatewayWrite({
    cwd: ctx.cwd,
    env: ctx.io.env,
    ops,
    ...(typeof args['message'] === 'string' ? { message: args['message'] } : {}),
    ...(mission ? { mission } : {}),
  });
  return { data: result, text: describe(result) };
}

const common = {
  mission: { type: 'string', describe: 'a mission document whose scope and ceilings bound the write' },
  message: { alias: 'm', type: 'string', describe: 'what this write is' },
} as const;

// Declared as data, so that a plain `coo write` line is read by the quick parser, without yargs.
export const writeCommand: CommandSpec = {
  command: 'write [path]',
  describe:
    'write one file through the gateway (content from --from FILE or stdin), or a whole write set with --set FILE',
  positionals: { path: { type: 'string', describe: 'the file to write' } },
  options: {
    from: { type: 'string', describe: 'read the content from this file' },
    exec: { type: 'boolean', default: false, describe: 'make the file executable (mode 100755)' },
    symlink: { type: 'string', describe: 'write a symbolic link pointing here instead of a file' },
    set: {
      type: 'string',
      describe: 'a JSON array of {path, content|contentBase64|from, mode, expect} or {path, delete: true, expect}',
    },
    ...common,
  },
  afterDashDash: 'the path to write, when it could be read as an option (`coo write -- -x`)',
  async run(args, ctx) {
    const named = [...(typeof args['path'] === 'string' ? [args['path']] : []), ...afterDashDash(args)];
    if (typeof args['set'] === 'string') {
      if (named.length > 0)
        throw new CooError('E_USAGE', 'give either a path or --set FILE, not both', { paths: named });
      return run(await readSet(args['set'], ctx.cwd), args, ctx);
    }
    if (named.length > 1) throw new CooError('E_USAGE', 'coo write takes one path', { paths: named });
    if (named[0] === undefined) throw new CooError('E_USAGE', 'name the path to write, or give --set FILE', {});
    const where = cwdPaths(ctx.cwd);
    const path = where.path(named[0]);
    if (typeof args['symlink'] === 'string')
      return run([{ kind: 'write', path, content: Buffer.from(args['symlink']), mode: '120000' }], args, ctx);
    const { readContentFile } = await import('../../gateway/write-set-document.js');
    const content =
      typeof args['from'] === 'string'
        ? readContentFile(args['from'], { cwd: ctx.cwd, root: where.root, insideOnly: false })
        : ctx.io.stdin
          ? await ctx.io.stdin()
          : null;
    if (!content) throw new CooError('E_USAGE', 'give the content with --from FILE or on standard input', {});
    return run([{ kind: 'write', path, content, mode: args['exec'] === true ? '100755' : '100644' }], args, ctx);
  },
};

export const rmCommand: CommandSpec = {
  command: 'rm [paths..]',
  describe: 'delete files through the gateway',
  builder: (y) => y.positional('paths', { type: 'string', array: true }).options(common),
  afterDashDash: 'more paths to delete, read as paths even when they look like options (`coo rm -- -x`)',
  run(args, ctx) {
    const named = [...((args['paths'] as string[] | undefined) ?? []), ...afterDashDash(args)];
    if (named.length === 0) throw new CooError('E_USAGE', 'name the paths to delete', {});
    const where = cwdPaths(ctx.cwd);
    const paths = named.map((p) => where.path(p));
    return run(
      paths.map((path) => ({ kind: 'delete', path })),
      args,
      ctx,
    );
  },
};
