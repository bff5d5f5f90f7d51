import { resolve } from 'node:path';
import type { PlanStatus } from '../../plan/status.js';
import { short, type Args, type CliContext, type CommandGroup, type CommandOutput } from '../context.js';

export function describePlan(status: PlanStatus): string {
  const lines = [`${status.name} "${status.title}": ${status.state}`];
  if (status.approval)
    lines.push(
      `  plan approval: ${status.approval.request}${status.approval.decision ? ` ${status.approval.decision}d (${short(status.approval.commit)})` : ' pending'}`,
    );
  if (status.g1) lines.push(`  G1: baseline ${status.g1.name}, amu0 #${status.g1.sequence} ${short(status.g1.commit)}`);
  for (const stage of status.stages) {
    lines.push(`  stage ${stage.id} (${stage.order} order${stage.humanGate ? ', gated' : ''}): ${stage.state}`);
    for (const pack of stage.packs) {
      const detail =
        pack.state === 'passed' && pack.baseline
          ? `baseline ${pack.baseline.name} #${pack.baseline.sequence} ${short(pack.baseline.commit)}`
          : pack.failure
            ? `at ${pack.failure.check}: ${pack.failure.reason}`
            : '';
      lines.push(`    ${pack.id.padEnd(12)} ${pack.state.padEnd(8)} ${detail}`.trimEnd());
    }
    if (stage.report)
      lines.push(
        `    report ${stage.report.path} (blob ${short(stage.report.blob)}), baseline ${stage.report.baseline.name} #${stage.report.baseline.sequence}`,
      );
    if (stage.gate)
      lines.push(
        `    gate ${stage.gate.request}: ${stage.gate.decision ? `${stage.gate.decision}d (${short(stage.gate.commit)})` : 'pending'}`,
      );
  }
  if (status.awaiting)
    lines.push(
      `waiting for a person: \`coo approve ${status.awaiting.request}\` or \`coo veto ${status.awaiting.request}\``,
    );
  if (status.failure) lines.push(`FAILED: ${status.failure.reason}`);
  return lines.join('\n');
}

/** A plan that failed is a check that found a problem (exit 1); every other state is a result. */
export function planExitCode(status: PlanStatus): number {
  return status.state === 'failed' ? 1 : 0;
}

async function runRun(args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { runPlan } = await import('../../plan/runner.js');
  const status = await runPlan({ cwd: ctx.cwd, env: ctx.io.env, file: resolve(ctx.cwd, String(args['file'])) });
  return { data: status, text: describePlan(status), exitCode: planExitCode(status) };
}

async function statusRun(args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { planStatuses } = await import('../../plan/runner.js');
  const list = await planStatuses({
    cwd: ctx.cwd,
    env: ctx.io.env,
    ...(typeof args['plan'] === 'string' ? { plan: args['plan'] } : {}),
  });
  return { data: list, text: list.map(describePlan).join('\n\n') || '(no plans)' };
}

async function validateRun(args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { loadPlan } = await import('../../plan/plan.js');
  const loaded = await loadPlan(resolve(ctx.cwd, String(args['file'])), ctx.cwd);
  const data = {
    plan: loaded.plan.id,
    valid: true,
    stages: loaded.stages.map((s) => ({
      id: s.id,
      order: s.order,
      humanGate: s.humanGate,
      report: s.report,
      packs: s.packs.map((p) => ({
        id: p,
        missions: (loaded.missions.get(p) ?? []).map((m) => m.id),
        acceptance: (loaded.packs.get(p)?.acceptance ?? []).map((a) => a.id),
      })),
    })),
  };
  const lines = [`${loaded.plan.id} "${loaded.plan.title}": valid`];
  for (const s of data.stages) {
    lines.push(`  stage ${s.id} (${s.order} order${s.humanGate ? ', gated' : ''})${s.report ? ` -> ${s.report}` : ''}`);
    for (const p of s.packs)
      lines.push(`    ${p.id}: ${p.missions.length} mission(s), ${p.acceptance.length} acceptance command(s)`);
  }
  return { data, text: lines.join('\n') };
}

export const planCommand: CommandGroup = {
  command: 'plan',
  describe: 'work plans: run FILE (gates G1-G4, resumable) | status [PLAN] | validate FILE',
  subcommands: [
    {
      command: 'run <file>',
      describe: 'start a work plan (it waits for `coo approve`), or go on with the attempt under way',
      run: runRun,
    },
    {
      command: 'status [plan]',
      describe: 'where each plan attempt is, what every pack and check did, what it waits for',
      builder: (y) => y.positional('plan', { type: 'string', describe: 'a plan id, or plans/<plan>/<n>' }),
      run: statusRun,
    },
    {
      command: 'validate <file>',
      describe: 'the plan, its packs and missions checked, without running anything',
      run: validateRun,
    },
  ],
};
