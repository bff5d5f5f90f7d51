import type { RollbackPreview, RollbackResult } from '../../baseline/rollback.js';
import type { HeadDrift } from '../../state/git-heads.js';
import type { RestoreOutcome } from '../../state/restore-commit.js';
import type { RestorePreview } from '../../state/restore-preview.js';
import type { GitHead } from '../../worktree/git-head.js';
import { cwdPaths } from '../cwd-paths.js';
import { afterDashDash, short, type CommandSpec } from '../context.js';
import { withProgress } from '../progress.js';

const headText = (head: GitHead | null): string =>
  head === null
    ? 'no readable HEAD'
    : `${head.branch ?? 'a detached HEAD'} at ${head.commit ? short(head.commit) : '(no commit yet)'}`;

/** What a restore says of git: a HEAD that moved since the state was recorded, nested repositories that no longer match. */
export function describeGitDrift(git: HeadDrift): string[] {
  const lines: string[] = [];
  if (git.head?.moved) {
    lines.push(
      `note: this state was recorded on ${headText(git.head.recorded)}; git is now on ${headText(git.head.now)} (its files are now in your working tree, git's HEAD was not changed)`,
    );
  }
  for (const n of git.nested) {
    lines.push(
      `note: nested repository ${n.path} was on ${headText(n.recorded)} when recorded, now on ${headText(n.now)}: its files and its HEAD may disagree`,
    );
  }
  return lines;
}

const only = (paths: readonly string[] | undefined): string => (paths ? ` (only ${paths.join(' ')})` : '');

export function describeRestore(verb: string, result: RestoreOutcome, label: string): string {
  const changes = [
    `${result.written} written`,
    `${result.removed} removed`,
    `${result.chmod} mode change${result.chmod === 1 ? '' : 's'}`,
    `${result.unchanged} unchanged`,
  ];
  return [
    `${verb} ${label} (${short(result.target)})${only(result.paths)}: ${changes.join(', ')}`,
    `safety snapshot ${short(result.safety)} holds the tree from before; \`coo undo\` returns to it`,
    ...describeGitDrift(result.git),
  ].join('\n');
}

/** A dry run: the counts and every change, and a plain word that nothing changed. */
export function describePreview(verb: string, result: RestorePreview, label: string): string {
  const width = Math.max(0, ...result.changes.map((c) => c.action.length));
  return [
    `would ${verb} ${label} (${short(result.target)})${only(result.paths)}: ${result.written} written, ${result.removed} removed, ${result.chmod} mode changes, ${result.unchanged} unchanged`,
    ...result.changes.map((c) => `  ${c.action.padEnd(width)}  ${c.path}${c.action === 'chmod' ? ` (${c.mode})` : ''}`),
    'nothing was changed (--dry-run)',
  ].join('\n');
}

const dryRun = {
  type: 'boolean',
  default: false,
  describe: 'list what would be written, removed and re-moded, and change nothing (no file, no ref, no log entry)',
} as const;

export const rollbackCommand: CommandSpec = {
  command: 'rollback [ref]',
  describe:
    'make the working tree (or, after --, only those paths) byte-identical to REF (default: the current AMU0 baseline), after a safety snapshot',
  positionals: { ref: { type: 'string', describe: 'a state: snapshots~2, amu0/NAME, runs/M/1, a commit id' } },
  options: { 'dry-run': dryRun },
  afterDashDash:
    'pathspecs, from the current directory as in git: a file, a directory, a glob (* and ? match / too); :/path from the root',
  async run(args, ctx) {
    const { rollback } = await import('../../baseline/rollback.js');
    const to = typeof args['ref'] === 'string' ? args['ref'] : undefined;
    const specs = afterDashDash(args);
    const where = specs.length > 0 ? cwdPaths(ctx.cwd) : null;
    const options = {
      cwd: ctx.cwd,
      env: ctx.io.env,
      ...(to === undefined ? {} : { to }),
      ...(where ? { paths: specs.map((s) => where.pathspec(s)) } : {}),
    };
    if (args['dryRun'] === true) {
      const preview: RollbackPreview = await withProgress(ctx, (onProgress) =>
        rollback({ ...options, dryRun: true, ...(onProgress ? { onProgress } : {}) }),
      );
      return { data: preview, text: describePreview('roll back to', preview, preview.to) };
    }
    const result: RollbackResult = await withProgress(ctx, (onProgress) =>
      rollback({ ...options, ...(onProgress ? { onProgress } : {}) }),
    );
    return { data: result, text: describeRestore('rolled back to', result, result.to) };
  },
};

export const undoCommand: CommandSpec = {
  command: 'undo',
  describe: 'undo the last rollback, restore, undo or write (or finish backing out of an interrupted one)',
  options: { 'dry-run': dryRun },
  async run(args, ctx) {
    const { undo } = await import('../../state/undo.js');
    if (args['dryRun'] === true) {
      const preview = await withProgress(ctx, (onProgress) =>
        undo({ cwd: ctx.cwd, env: ctx.io.env, dryRun: true, ...(onProgress ? { onProgress } : {}) }),
      );
      return { data: preview, text: describePreview('return to', preview, 'safety snapshot') };
    }
    const result = await withProgress(ctx, (onProgress) =>
      undo({ cwd: ctx.cwd, env: ctx.io.env, ...(onProgress ? { onProgress } : {}) }),
    );
    return { data: result, text: describeRestore('returned to', result, 'safety snapshot') };
  },
};
