import type { CheckReport } from '../../plan/harness.js';
import type { CommandSpec } from '../context.js';

export function describeCheck(report: CheckReport): string {
  const width = Math.max(...report.items.map((i) => i.id.length));
  const lines = [
    `coo check: ${report.verdict.toUpperCase()} (${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts.skip} not applicable)`,
  ];
  for (const i of report.items) lines.push(`  ${i.status.padEnd(4)}  ${i.id.padEnd(width)}  ${i.summary}`);
  return lines.join('\n');
}

export const checkCommand: CommandSpec = {
  command: 'check',
  describe:
    'the whole Tier-1 suite on this repository: determinism of coo, AMU0 rollback, INDEX, governance, workflows (exit 1 if any fails)',
  async run(_args, ctx) {
    const { runCheck } = await import('../../plan/harness.js');
    const result = await runCheck({ cwd: ctx.cwd, env: ctx.io.env });
    return {
      data: result.report,
      text: describeCheck(result.report),
      exitCode: result.report.verdict === 'pass' ? 0 : 1,
    };
  },
};
