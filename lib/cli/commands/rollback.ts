import type { RollbackResult } from '../../baseline/rollback.js';
import { short, type CommandSpec } from '../context.js';
import { withProgress } from '../progress.js';

export function describeRestore(verb: string, result: RollbackResult, label: string): string {
  return [
    `${verb} ${label} (${short(result.target)}): ${result.written} written, ${result.removed} removed, ${result.chmod} mode changes, ${result.unchanged} unchanged`,
    `safety snapshot ${short(result.safety)} holds the tree from before; \`coo undo\` returns to it`,
  ].join('\n');
}

export const rollbackCommand: CommandSpec = {
  command: 'rollback [ref]',
  describe: 'make the working tree byte-identical to REF (default: the current AMU0 baseline), after a safety snapshot',
  positionals: { ref: { type: 'string', describe: 'a state: snapshots~2, amu0/NAME, runs/M/1, a commit id' } },
  async run(args, ctx) {
    const { rollback } = await import('../../baseline/rollback.js');
    const to = typeof args['ref'] === 'string' ? args['ref'] : undefined;
    const result = await withProgress(ctx, (onProgress) =>
      rollback({
        cwd: ctx.cwd,
        env: ctx.io.env,
        ...(to === undefined ? {} : { to }),
        ...(onProgress ? { onProgress } : {}),
      }),
    );
    return { data: result, text: describeRestore('rolled back to', result, result.to) };
  },
};

export const undoCommand: CommandSpec = {
  command: 'undo',
  describe: 'undo the last rollback, restore or undo (or finish backing out of an interrupted one)',
  async run(_args, ctx) {
    const { undo } = await import('../../state/undo.js');
    const result = await withProgress(ctx, (onProgress) =>
      undo({ cwd: ctx.cwd, env: ctx.io.env, ...(onProgress ? { onProgress } : {}) }),
    );
    return { data: result, text: describeRestore('returned to', result, 'safety snapshot') };
  },
};
