import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { CooError } from '../../core/coo-error.js';
import {
  short,
  type Args,
  type CliContext,
  type CommandGroup,
  type CommandOutput,
  type CommandSpec,
} from '../context.js';

async function indexCheckRun(_args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { indexCheck } = await import('../../gateway/index-check.js');
  const report = await indexCheck({ cwd: ctx.cwd, env: ctx.io.env });
  const lines = report.dirs.length === 0 ? ['no governed directories in .coo/config.json'] : [];
  for (const dir of report.dirs) {
    lines.push(`${dir.dir}/${dir.index}: ${dir.drift.length === 0 ? 'in sync' : `${dir.drift.length} drift(s)`}`);
    for (const d of dir.drift) lines.push(`  ${d.kind.padEnd(16)} ${d.file}`);
  }
  return { data: report, text: lines.join('\n'), exitCode: report.clean ? 0 : 1 };
}

async function indexFixRun(_args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { indexFix } = await import('../../gateway/index-check.js');
  const result = await indexFix({ cwd: ctx.cwd, env: ctx.io.env });
  const left = result.after.dirs.flatMap((d) =>
    d.drift.map((x) => `  ${x.kind.padEnd(16)} ${d.dir}/${x.file} (rename it through the gateway)`),
  );
  const text = [
    result.write
      ? `reconciled ${result.write.indexes.join(', ')} in write ${short(result.write.commit)}`
      : 'every INDEX was already in sync',
    ...(left.length ? ['still drifting:', ...left] : []),
  ];
  return { data: result, text: text.join('\n'), exitCode: result.after.clean ? 0 : 1 };
}

export const indexCommand: CommandGroup = {
  command: 'index',
  describe: 'INDEX coherence of governed directories: check | fix',
  subcommands: [
    { command: 'check', describe: 'report INDEX drift (exit 1 if any)', run: indexCheckRun },
    { command: 'fix', describe: 'rewrite drifting INDEX files through the gateway', run: indexFixRun },
  ],
};

async function protectListRun(_args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { protectList } = await import('../../gateway/protect.js');
  const list = await protectList({ cwd: ctx.cwd, env: ctx.io.env });
  const lines = list.patterns.map(
    (p) => `${p.pattern}${p.always ? ' (always)' : ''}: ${Object.keys(p.pins).length} file(s) pinned`,
  );
  for (const t of list.tampered)
    lines.push(`TAMPERED ${t.path}: expected ${t.expected ?? '(no file)'}, found ${t.found ?? '(no file)'}`);
  return { data: list, text: lines.join('\n'), exitCode: list.tampered.length === 0 ? 0 : 4 };
}

function protectRequestRun(action: 'add' | 'rm' | 'accept') {
  return async (args: Args, ctx: CliContext): Promise<CommandOutput> => {
    const { protectRequest } = await import('../../gateway/protect.js');
    const request = await protectRequest({
      cwd: ctx.cwd,
      env: ctx.io.env,
      action,
      ...(typeof args['pattern'] === 'string' ? { pattern: args['pattern'] } : {}),
    });
    if (args['approve'] === true) return decideRun('approve')({ ...args, id: request.id }, ctx);
    return {
      data: request,
      text: `request ${request.id}: ${request.summary}\napprove it with \`coo approve ${request.id}\` (or veto it with \`coo veto ${request.id}\`)`,
    };
  };
}

const approveOption = (y: Argv): Argv =>
  y.option('approve', { type: 'boolean', default: false, describe: 'approve it at once, signed with your key' });

export const protectCommand: CommandGroup = {
  command: 'protect',
  describe: 'the protected artefact registry: list | add PATTERN | rm PATTERN | accept',
  subcommands: [
    {
      command: 'list',
      describe: 'patterns, pins, and what the tamper tripwire finds now (exit 4 if tampered)',
      run: protectListRun,
    },
    {
      command: 'add <pattern>',
      describe: 'request to protect PATTERN, pinning the files it matches now',
      builder: approveOption,
      run: protectRequestRun('add'),
    },
    {
      command: 'rm <pattern>',
      describe: 'request to stop protecting PATTERN',
      builder: approveOption,
      run: protectRequestRun('rm'),
    },
    {
      command: 'accept',
      describe: 'request to take protected files changed outside coo as their new pins',
      builder: approveOption,
      run: protectRequestRun('accept'),
    },
  ],
};

/** KEY on the command line: the key itself (`ssh-ed25519 AAAA…`), or a file holding it, from the current directory. */
function keyArgument(arg: string, cwd: string): string {
  if (arg.startsWith('ssh-')) return arg;
  try {
    return readFileSync(resolve(cwd, arg), 'utf8');
  } catch (err) {
    throw new CooError('E_USAGE', `cannot read a public key from ${arg}`, { key: arg }, { cause: err });
  }
}

async function trustAddRun(args: Args, ctx: CliContext): Promise<CommandOutput> {
  const { trustRequest } = await import('../../gateway/trust.js');
  const request = await trustRequest({
    cwd: ctx.cwd,
    env: ctx.io.env,
    action: 'add',
    ...(typeof args['key'] === 'string' ? { key: keyArgument(args['key'], ctx.cwd) } : {}),
    ...(typeof args['principal'] === 'string' ? { principal: args['principal'] } : {}),
  });
  if (args['approve'] === true) return decideRun('approve')({ ...args, id: request.id }, ctx);
  return {
    data: request,
    text: [
      `request ${request.id}: ${request.summary}`,
      `  ${String(request.payload['line']).trimEnd()}`,
      `approve it with \`coo approve ${request.id}\`, signed with a key already trusted (or veto it with \`coo veto ${request.id}\`)`,
    ].join('\n'),
  };
}

export const trustCommand: CommandGroup = {
  command: 'trust',
  describe: 'the keys trusted for baselines and approvals: add [KEY]',
  subcommands: [
    {
      command: 'add [key]',
      describe:
        'request to trust a key (default: your signing key) in .coo/allowed_signers; KEY is `ssh-ed25519 AAAA…` or a .pub file',
      builder: (y: Argv) =>
        approveOption(y).option('principal', {
          type: 'string',
          describe: "who the key belongs to (default: your user.email for your own key, else the key's comment)",
        }),
      run: trustAddRun,
    },
  ],
};

function decideRun(decision: 'approve' | 'veto') {
  return async (args: Args, ctx: CliContext): Promise<CommandOutput> => {
    const { decide } = await import('../approvals.js');
    const result = await decide({
      cwd: ctx.cwd,
      env: ctx.io.env,
      id: String(args['id']),
      decision,
      ...(typeof args['note'] === 'string' ? { note: args['note'] } : {}),
    });
    const head = `${decision === 'approve' ? 'approved' : 'vetoed'} ${result.request} (${result.summary}), signed by ${result.signer.join(',')} as ${short(result.commit)}`;
    const plan = result.result?.['plan'] as import('../../plan/status.js').PlanStatus | undefined;
    if (plan) {
      const { describePlan, planExitCode } = await import('./plan.js');
      return { data: result, text: `${head}\n${describePlan(plan)}`, exitCode: planExitCode(plan) };
    }
    const run = result.result?.['report'] as import('../../mission/report.js').RunReport | undefined;
    if (run) {
      const { describeRun } = await import('./mission.js');
      return { data: result, text: `${head}\n${describeRun(run)}` };
    }
    return { data: result, text: head };
  };
}

export const approveCommand: CommandSpec = {
  command: 'approve <id>',
  describe: 'approve a request, signed with your key (a human action)',
  builder: (y) => y.option('note', { type: 'string' }),
  run: decideRun('approve'),
};

export const vetoCommand: CommandSpec = {
  command: 'veto <id>',
  describe: 'veto a request, signed with your key (a human action)',
  builder: (y) => y.option('note', { type: 'string' }),
  run: decideRun('veto'),
};

export const requestsCommand: CommandSpec = {
  command: 'requests',
  describe: 'requests waiting for a human decision, and the decided ones',
  async run(_args, ctx) {
    const { openRepo } = await import('../../store/repo.js');
    const { listRequests } = await import('../../governance/requests.js');
    const list = await listRequests(await openRepo({ cwd: ctx.cwd, env: ctx.io.env }));
    return {
      data: list,
      text: list.map((r) => `${r.id.padEnd(6)} ${r.status.padEnd(8)} ${r.summary}`).join('\n') || '(no requests)',
    };
  },
};

export const hooksCommand: CommandGroup = {
  command: 'hooks',
  describe: 'git hooks that refuse commits touching protected paths: install | uninstall',
  subcommands: [
    {
      command: 'install',
      describe: 'install pre-commit and reference-transaction hooks (existing hooks are kept and chained)',
      async run(_args, ctx) {
        const { installHooks } = await import('../../governance/hooks.js');
        const r = installHooks({ cwd: ctx.cwd, env: ctx.io.env });
        return { data: r, text: r.hooks.map((h) => `${h.action.padEnd(9)} ${h.path}`).join('\n') };
      },
    },
    {
      command: 'uninstall',
      describe: 'remove coo hooks and put back what they chained',
      async run(_args, ctx) {
        const { uninstallHooks } = await import('../../governance/hooks.js');
        const r = uninstallHooks({ cwd: ctx.cwd, env: ctx.io.env });
        return { data: r, text: r.hooks.map((h) => `${h.action.padEnd(9)} ${h.path}`).join('\n') };
      },
    },
  ],
};

export const guardCommand: CommandSpec = {
  command: 'guard <hook> [state]',
  describe: 'what the git hooks run: check a commit (pre-commit) or ref updates on stdin (reference-transaction)',
  positionals: {
    hook: { type: 'string', choices: ['pre-commit', 'reference-transaction'], describe: 'the git hook that runs it' },
    state: {
      type: 'string',
      describe: "the hook's own argument (reference-transaction: prepared, committed or aborted)",
    },
  },
  async run(args, ctx) {
    const { guard } = await import('../../governance/guard.js');
    const hook = args['hook'] as 'pre-commit' | 'reference-transaction';
    const updates = hook === 'reference-transaction' && ctx.io.stdin ? (await ctx.io.stdin()).toString('utf8') : '';
    const result = await guard({ cwd: ctx.cwd, env: ctx.io.env, hook, updates });
    // Silent when it allows, as git hooks are; a refusal is an error and is printed as one.
    return { data: result, text: result.note ?? '' };
  },
};
