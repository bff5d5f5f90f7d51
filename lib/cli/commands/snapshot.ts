import { short, type CommandSpec } from '../context.js';
import { withProgress } from '../progress.js';

export const snapshotCommand: CommandSpec = {
  command: 'snapshot',
  describe: 'record the working tree as a commit on `snapshots`',
  options: {
    message: { alias: 'm', type: 'string', describe: 'what this snapshot is' },
    'allow-empty': { type: 'boolean', default: false, describe: 'record a commit even if nothing changed' },
  },
  async run(args, ctx) {
    const { snapshot } = await import('../../state/snapshot.js');
    const result = await withProgress(ctx, (onProgress) =>
      snapshot({
        cwd: ctx.cwd,
        env: ctx.io.env,
        allowEmpty: args['allowEmpty'] === true,
        ...(typeof args['message'] === 'string' ? { message: args['message'] } : {}),
        ...(onProgress ? { onProgress } : {}),
      }),
    );
    const head = result.created
      ? `snapshot ${short(result.commit)}: ${result.files} files (${result.hashed} hashed, ${result.reused} unchanged)`
      : `nothing changed since snapshot ${short(result.commit)} (${result.files} files)`;
    const skipped =
      result.skipped.length === 0
        ? []
        : [
            result.created
              ? `not captured, ${result.skipped.length} path(s), listed in the snapshot's message:`
              : `not captured, ${result.skipped.length} path(s) (nothing was recorded, as nothing changed):`,
            ...result.skipped.map((s) => `  ${s.path}: ${s.reason}`),
          ];
    return { data: result, text: [head, ...skipped].join('\n') };
  },
};
