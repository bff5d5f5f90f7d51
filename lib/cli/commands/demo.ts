import type { CommandSpec } from '../context.js';

export const demoCommand: CommandSpec = {
  command: 'demo [dir]',
  describe:
    'walk through init, snapshot, rollback and a signed baseline on a throwaway repository (default: a new temp folder)',
  builder: (y) =>
    y.positional('dir', { type: 'string', describe: 'an empty or absent folder for the demo repository' }),
  async run(args, ctx) {
    const { runDemo } = await import('../demo.js');
    const lines: string[] = [];
    const say = ctx.json ? (line: string) => lines.push(line) : (line: string) => ctx.io.stdout.write(`${line}\n`);
    const result = await runDemo({
      cwd: ctx.cwd,
      env: ctx.io.env,
      say,
      ...(typeof args['dir'] === 'string' ? { dir: args['dir'] } : {}),
    });
    const ok = result.byteIdentical && result.gitVerified !== false;
    return { data: { ...result, transcript: lines }, text: ok ? 'demo passed' : 'demo FAILED', exitCode: ok ? 0 : 1 };
  },
};
