import { resolve } from 'node:path';
import { CooError } from '../../core/coo-error.js';
import type { RunReport } from '../../mission/report.js';
import type { WorkflowReport } from '../../mission/workflow.js';
import type { Args, CliContext, CommandGroup, CommandOutput, CommandSpec } from '../context.js';

export function describeWorkflow(report: WorkflowReport): string {
  const head = `${report.mission}: ${report.steps} step(s), ${report.humanSteps} human: ${report.valid ? 'valid' : `REJECTED (${report.violations.length} rule(s) broken)`}`;
  const lines = report.violations.map((v) => {
    const where = v.step === null ? 'mission' : `step ${v.step + 1}`;
    return `  ${where}: ${v.rule}: ${v.why}${v.suggestion ? `\n    suggested automation: a command step \`${v.suggestion.run}\`` : ''}`;
  });
  return [head, ...lines].join('\n');
}

export function describeRun(report: RunReport): string {
  const lines = [`${report.run}: ${report.state} (from ${report.baseline.rev} ${report.baseline.commit.slice(0, 12)})`];
  if (report.confinement)
    lines.push(`  steps ${report.confinement.kind === 'none' ? 'ran' : 'run in a sandbox,'} ${report.confinement.why}`);
  for (const s of report.steps)
    lines.push(
      `  step ${s.index + 1} ${s.kind}${s.title ? ` "${s.title}"` : ''}: ${s.status}${s.tree ? ` (tree ${s.tree.slice(0, 12)})` : ''}`,
    );
  if (report.awaiting)
    lines.push(
      `waiting for a person: \`coo approve ${report.awaiting.request}\` or \`coo veto ${report.awaiting.request}\``,
    );
  if (report.changes.length > 0) lines.push(`changes: ${report.changes.map((c) => `${c.kind} ${c.path}`).join(', ')}`);
  if (report.applied)
    lines.push(
      report.applied.write
        ? `applied through the gateway as write ${report.applied.write.slice(0, 12)}`
        : 'nothing to apply',
    );
  if (report.failure) {
    lines.push(
      `FAILED${report.failure.step === null ? '' : ` at step ${report.failure.step + 1}`}: ${report.failure.reason}`,
    );
    const output = report.steps[report.failure.step ?? -1]?.output;
    if (output)
      lines.push(
        ...output
          .trimEnd()
          .split('\n')
          .slice(-20)
          .map((l) => `  | ${l}`),
      );
  }
  return lines.join('\n');
}

async function validateRun(args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { loadMission } = await import('../../mission/mission.js');
  const { validateWorkflow } = await import('../../mission/workflow.js');
  const report = validateWorkflow(await loadMission(resolve(ctx.cwd, String(args['file']))));
  return { data: report, text: describeWorkflow(report), exitCode: report.valid ? 0 : 1 };
}

async function reportRun(args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { openRepo } = await import('../../store/repo.js');
  const { parseRunName } = await import('../../mission/run-state.js');
  const { runReport } = await import('../../mission/report.js');
  const id = parseRunName(String(args['run']));
  if (!id)
    throw new CooError('E_RUN_NOT_FOUND', `${String(args['run'])} is not a run name (runs/<mission>/<n>)`, {
      run: args['run'],
    });
  const report = await runReport(await openRepo({ cwd: ctx.cwd, env: ctx.io.env }), id);
  return { data: report, text: describeRun(report) };
}

export const missionCommand: CommandGroup = {
  command: 'mission',
  describe: 'missions: validate FILE (the workflow validator) | report RUN',
  subcommands: [
    {
      command: 'validate <file>',
      describe: 'schema and workflow rules: at most 5 steps, 2 human, no routine human work (exit 1 if rejected)',
      run: validateRun,
    },
    {
      command: 'report <run>',
      describe: "a run's report, read from the state repository (runs/<mission>/<n>)",
      run: reportRun,
    },
  ],
};

async function startOrResume(args: Args, ctx: CliContext): Promise<RunReport> {
  const { resumeRun, runMission } = await import('../../mission/runner.js');
  const { parseRunName } = await import('../../mission/run-state.js');
  if (typeof args['resume'] === 'string') {
    const id = parseRunName(args['resume']);
    if (!id)
      throw new CooError('E_RUN_NOT_FOUND', `${args['resume']} is not a run name (runs/<mission>/<n>)`, {
        run: args['resume'],
      });
    return resumeRun({ cwd: ctx.cwd, env: ctx.io.env, run: id });
  }
  if (typeof args['file'] !== 'string')
    throw new CooError('E_USAGE', 'name the mission file to run, or --resume RUN', {});
  return runMission({
    cwd: ctx.cwd,
    env: ctx.io.env,
    file: resolve(ctx.cwd, args['file']),
    ...(typeof args['from'] === 'string' ? { from: args['from'] } : {}),
    ...(args['unconfined'] === true ? { unconfined: true } : {}),
  });
}

export const runCommand: CommandSpec = {
  command: 'run [file]',
  describe: 'run a mission: validate, quarantine, steps, gateway, apply (a human step waits for coo approve)',
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'the mission document' })
      .option('from', {
        type: 'string',
        describe: 'the state to start from (default: the mission baseline, else amu0)',
      })
      .option('resume', { type: 'string', describe: 'go on with a run whose process died (runs/<mission>/<n>)' })
      .option('unconfined', {
        type: 'boolean',
        describe: 'where no sandbox (bubblewrap) can be made, run the steps unconfined instead of refusing',
      }),
  async run(args, ctx) {
    try {
      const report = await startOrResume(args, ctx);
      return { data: report, text: describeRun(report) };
    } catch (err) {
      // A failed or rejected run carries its report: show it (step, why, output) above the error.
      const report = (err as CooError).data?.['report'] as RunReport | undefined;
      if (report && !ctx.json) {
        const rejected = report.workflow && !report.workflow.valid ? `${describeWorkflow(report.workflow)}\n` : '';
        ctx.io.stdout.write(`${describeRun(report)}\n${rejected}`);
      }
      throw err;
    }
  },
};

export const runsCommand: CommandSpec = {
  command: 'runs [mission]',
  describe: 'mission runs and their states',
  builder: (y) => y.positional('mission', { type: 'string' }),
  async run(args, ctx) {
    const { openRepo } = await import('../../store/repo.js');
    const { listRuns } = await import('../../mission/run-state.js');
    const runs = await listRuns(
      await openRepo({ cwd: ctx.cwd, env: ctx.io.env }),
      typeof args['mission'] === 'string' ? args['mission'] : undefined,
    );
    const data = runs.map((r) => ({ run: r.name, state: r.record.state, commit: r.commit, tree: r.tree }));
    return { data, text: data.map((r) => `${r.run.padEnd(24)} ${r.state}`).join('\n') || '(no runs)' };
  },
};
