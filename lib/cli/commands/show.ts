import type { CommandSpec } from '../context.js';

export const showCommand: CommandSpec = {
  command: 'show <ref>',
  describe: "one state's commit: ids, parents, message, trailers, file count",
  builder: (y) => y.positional('ref', { type: 'string', demandOption: true }),
  async run(args, ctx) {
    const { show } = await import('../../state/show.js');
    const r = await show({ cwd: ctx.cwd, env: ctx.io.env, rev: String(args['ref']) });
    const lines = [
      `commit ${r.commit}${r.signed ? ' (signed)' : ''}`,
      `tree ${r.tree}`,
      ...r.parents.map((p) => `parent ${p}`),
      `date ${new Date(r.committer.timestamp * 1000).toISOString()}`,
      `files ${r.files}`,
      '',
      `    ${r.subject}`,
      ...(r.body ? ['', ...r.body.split('\n').map((l) => `    ${l}`)] : []),
      '',
      ...Object.entries(r.trailers).map(([k, v]) => `    ${k}: ${v}`),
    ];
    return { data: r, text: lines.join('\n') };
  },
};
