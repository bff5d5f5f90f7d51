import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { findGitTop } from '../store/layout.js';
import { packageRoot } from '../core/package-root.js';
import { readGitConfig, type Env } from '../core/git-config.js';

// `coo hooks install|uninstall`: a pre-commit hook (skipped by `git commit --no-verify`) and a
// reference-transaction hook (which --no-verify does not skip, and which also sees `commit-tree`
// + `update-ref`), both calling `coo guard`. They go where git looks for hooks (core.hooksPath, so
// husky's `.husky/_` too); a hook already there (husky's, the pre-commit framework's, your own) is
// kept as `<hook>.coo-chained` and run after the guard passes; uninstall puts it back.

export const hookNames = ['pre-commit', 'reference-transaction'] as const;
export type HookName = (typeof hookNames)[number];
const marker = '# coo-hook v1';

export interface GitRepoPaths {
  readonly top: string;
  readonly gitDir: string;
  readonly commonDir: string;
  readonly hooksDir: string;
}

export function gitRepoPaths(cwd: string, env: Env): GitRepoPaths {
  const top = findGitTop(cwd);
  if (!top) throw new CooError('E_NOT_A_GIT_REPO', `${cwd} is not inside a git work tree`, { cwd });
  let gitDir = join(top, '.git');
  if (statSync(gitDir).isFile()) {
    const pointer = /^gitdir: (.+)$/mu.exec(readFileSync(gitDir, 'utf8'))?.[1]?.trim();
    if (!pointer) throw new CooError('E_NOT_A_GIT_REPO', `${gitDir} is not a gitdir file`, { path: gitDir });
    gitDir = resolve(top, pointer);
  }
  const commonFile = join(gitDir, 'commondir');
  const commonDir = existsSync(commonFile) ? resolve(gitDir, readFileSync(commonFile, 'utf8').trim()) : gitDir;
  const configured = readGitConfig(top, env).get('core.hookspath');
  const hooksDir = configured
    ? isAbsolute(configured)
      ? configured
      : resolve(top, configured)
    : join(commonDir, 'hooks');
  return { top, gitDir, commonDir, hooksDir };
}

function script(hook: HookName): string {
  const node = JSON.stringify(process.execPath);
  const coo = JSON.stringify(join(packageRoot(), 'bin', 'coo'));
  const chained = `"$(dirname "$0")/${hook}.coo-chained"`;
  if (hook === 'pre-commit') {
    return `#!/bin/sh\n${marker} (installed by \`coo hooks install\`; \`coo hooks uninstall\` restores what was here)\n${node} ${coo} guard pre-commit || exit $?\nif [ -x ${chained} ]; then exec ${chained} "$@"; fi\n`;
  }
  return [
    '#!/bin/sh',
    `${marker} (installed by \`coo hooks install\`; \`coo hooks uninstall\` restores what was here)`,
    'input=$(cat)',
    // Only branch and HEAD updates are judged; a fetch updating refs/remotes/* does not start node.
    `if [ "$1" = prepared ] && printf '%s\\n' "$input" | grep -q -e ' refs/heads/' -e ' HEAD$'; then printf '%s\\n' "$input" | ${node} ${coo} guard reference-transaction "$1" || exit $?; fi`,
    `if [ -x ${chained} ]; then printf '%s\\n' "$input" | ${chained} "$@"; fi`,
    '',
  ].join('\n');
}

function isOurs(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** coo's hooks that are not in place in this repository (none: both installed). */
export function missingHooks(options: { cwd: string; env: Env }): HookName[] {
  const paths = gitRepoPaths(options.cwd, options.env);
  return hookNames.filter((hook) => !isOurs(join(paths.hooksDir, hook)));
}

export interface HookChange {
  readonly hook: HookName;
  readonly path: string;
  readonly action: 'installed' | 'updated' | 'chained' | 'removed' | 'restored' | 'absent' | 'foreign';
}

export function installHooks(options: { cwd?: string; env?: Env } = {}): { hooksDir: string; hooks: HookChange[] } {
  const paths = gitRepoPaths(options.cwd ?? process.cwd(), options.env ?? process.env);
  mkdirSync(paths.hooksDir, { recursive: true });
  const hooks = hookNames.map((hook): HookChange => {
    const path = join(paths.hooksDir, hook);
    let action: HookChange['action'] = 'installed';
    if (isOurs(path)) action = 'updated';
    else if (existsSync(path)) {
      if (existsSync(`${path}.coo-chained`))
        throw new CooError('E_WORKTREE_CONFLICT', `${path}.coo-chained already exists`, {
          paths: [`${path}.coo-chained`],
        });
      renameSync(path, `${path}.coo-chained`);
      action = 'chained';
    }
    writeFileAtomic(path, script(hook), { mode: 0o755 });
    chmodSync(path, 0o755);
    return { hook, path, action };
  });
  return { hooksDir: paths.hooksDir, hooks };
}

export function uninstallHooks(options: { cwd?: string; env?: Env } = {}): { hooksDir: string; hooks: HookChange[] } {
  const paths = gitRepoPaths(options.cwd ?? process.cwd(), options.env ?? process.env);
  const hooks = hookNames.map((hook): HookChange => {
    const path = join(paths.hooksDir, hook);
    if (!existsSync(path)) return { hook, path, action: 'absent' };
    if (!isOurs(path)) return { hook, path, action: 'foreign' };
    rmSync(path);
    if (existsSync(`${path}.coo-chained`)) {
      renameSync(`${path}.coo-chained`, path);
      return { hook, path, action: 'restored' };
    }
    return { hook, path, action: 'removed' };
  });
  return { hooksDir: paths.hooksDir, hooks };
}
