import { resolve } from 'node:path';
import type { DeterminismResult } from '../../determinism/check.js';
import type { CommandSpec } from '../context.js';

function describe(result: DeterminismResult): string {
  const { report } = result;
  const lines = [report.summary];
  for (const run of report.runs) {
    lines.push(
      `  ${run.label.padEnd(12)} ${run.steps.map((s) => `${s.tree.slice(0, 10)}${s.exit === 0 ? '' : `(exit ${s.exit})`}`).join(' ')}${run.perturbed.length ? `   [${run.perturbed.join(', ')}]` : ''}`,
    );
  }
  for (const cause of report.causes) lines.push(`cause: ${cause.why}`);
  for (const d of report.divergences.slice(0, 3)) {
    lines.push(`step ${d.step + 1}, ${d.runs[0]} vs ${d.runs[1]}:`);
    for (const p of d.paths.slice(0, 5)) {
      lines.push(`  ${p.status} ${p.path}${p.hints.length ? `  (${p.hints.join('; ')})` : ''}`);
      if (p.diff)
        lines.push(
          ...p.diff
            .split('\n')
            .slice(0, 8)
            .map((l) => `    ${l}`),
        );
      if (p.hex) lines.push(...p.hex.split('\n').map((l) => `    ${l}`));
    }
  }
  lines.push(
    `isolation: node ${report.isolation.node.split(':')[0]}; other programs ${report.isolation.otherPrograms}`,
  );
  lines.push(
    `steps ran ${result.volatile.confinement.kind === 'none' ? '' : 'in a sandbox, '}${result.volatile.confinement.why}`,
  );
  const notApplied = report.perturbations.filter(
    (p) => !p.applied.startsWith('applied:') || p.applied.includes('not applied'),
  );
  for (const p of notApplied) lines.push(`perturbation ${p.name}: ${p.applied}`);
  lines.push(
    `kept as ${result.commit.slice(0, 12)} on determinism/${report.mission} (report.json, runs/<run>/step-<n>)`,
  );
  return lines.join('\n');
}

export const determinismCommand: CommandSpec = {
  command: 'determinism <file>',
  describe:
    "run a mission N times (N >= 3) from the same baseline, varying what it does not declare, and compare every step's tree",
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'the mission document' })
      .option('runs', { type: 'number', default: 3, describe: 'how many runs (at least 3)' })
      .option('from', {
        type: 'string',
        describe: 'the baseline to start from (default: the mission baseline, else amu0)',
      })
      .option('unconfined', {
        type: 'boolean',
        describe: 'where no sandbox (bubblewrap) can be made, run the steps unconfined instead of refusing',
      }),
  async run(args, ctx) {
    const { checkDeterminism } = await import('../../determinism/check.js');
    const result = await checkDeterminism({
      cwd: ctx.cwd,
      env: ctx.io.env,
      file: resolve(ctx.cwd, String(args['file'])),
      runs: Number(args['runs']),
      ...(typeof args['from'] === 'string' ? { from: args['from'] } : {}),
      ...(args['unconfined'] === true ? { unconfined: true } : {}),
    });
    return { data: result, text: describe(result), exitCode: result.exitCode };
  },
};
