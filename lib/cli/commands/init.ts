import type { CommandSpec } from '../context.js';

export const initCommand: CommandSpec = {
  command: 'init [dir]',
  describe:
    'create .coo/, the state repository and a signing key (default dir: the git top-level, else the current directory)',
  builder: (y) => y.positional('dir', { type: 'string', describe: 'repository root' }),
  async run(args, ctx) {
    const { initRepo } = await import('../../state/init.js');
    const result = await initRepo({
      cwd: ctx.cwd,
      env: ctx.io.env,
      ...(typeof args['dir'] === 'string' ? { dir: args['dir'] } : {}),
    });
    const lines = [
      `${result.created ? 'Initialised' : 'Reinitialised'} coo in ${result.root}/.coo (state repository .coo/state.git)`,
      `signing key: ${result.key.path} (${result.key.source === 'git-config' ? 'from git user.signingkey' : result.key.created ? 'new' : 'coo'})`,
      `  ${result.key.publicKey}`,
      ...result.notes.map((n) => `note: ${n}`),
    ];
    return { data: result, text: lines.join('\n') };
  },
};
