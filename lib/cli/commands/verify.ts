import { short, type CommandSpec } from '../context.js';

export const verifyCommand: CommandSpec = {
  command: 'verify [ref]',
  describe: 'check a state (default: amu0): signature, trusted signer, manifest CID, baseline lineage',
  builder: (y) => y.positional('ref', { type: 'string' }),
  async run(args, ctx) {
    const { verify } = await import('../../baseline/verify.js');
    const result = await verify({
      cwd: ctx.cwd,
      env: ctx.io.env,
      ...(typeof args['ref'] === 'string' ? { rev: args['ref'] } : {}),
    });
    const lines = [
      `${result.rev} ${short(result.commit)}: ${result.kind === 'baseline' ? `baseline #${result.sequence}` : 'state'}`,
    ];
    lines.push(
      result.signer
        ? `  good signature by ${result.signer.principals.join(',')} (${result.signer.key})`
        : '  not signed (only baselines must be)',
    );
    lines.push(`  manifest ${result.manifest} matches the tree`);
    if (result.lineage !== null)
      lines.push(`  lineage: ${result.lineage} baseline(s), signatures and sequence numbers checked`);
    lines.push('  protected files in the working tree match their pins');
    return { data: result, text: lines.join('\n') };
  },
};
