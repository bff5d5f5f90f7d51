import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { createAmu0Baseline } from '../baseline/baseline.js';
import { verify } from '../baseline/verify.js';
import { diff } from '../state/diff.js';
import { initRepo } from '../state/init.js';
import { rollback } from '../baseline/rollback.js';
import { snapshot } from '../state/snapshot.js';
import type { Env } from '../core/git-config.js';

// `coo demo`: coo's main job on a throwaway repository in a folder of its own, narrated step by
// step: init, snapshot, an "agent" changing files through the shell, diff, rollback to a
// byte-identical tree, a signed baseline, and plain git reading and verifying the state repo.

export interface DemoOptions {
  /** Where to build the demo repository (must be absent or empty); default: a new temp folder. */
  readonly dir?: string;
  readonly cwd?: string;
  readonly env?: Env;
  readonly say: (line: string) => void;
}

export interface DemoResult {
  readonly dir: string;
  readonly byteIdentical: boolean;
  readonly gitVerified: boolean | null;
}

function git(dir: string, env: Env, args: string[]): { ok: boolean; out: string } | null {
  const run = spawnSync('git', args, { cwd: dir, env: { ...env } as NodeJS.ProcessEnv, encoding: 'utf8' });
  if (run.error) return null; // git is not installed
  return { ok: run.status === 0, out: `${run.stdout}${run.stderr}`.trim() };
}

function prepareDir(options: DemoOptions): string {
  if (!options.dir) return mkdtempSync(join(tmpdir(), 'coo-demo-'));
  const dir = resolve(options.cwd ?? process.cwd(), options.dir);
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0)
    throw new CooError('E_USAGE', `${dir} is not empty; the demo needs a folder of its own`, { dir });
  return dir;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const say = options.say;
  const env: Env = {
    ...(options.env ?? process.env),
    GIT_AUTHOR_NAME: 'Demo',
    GIT_AUTHOR_EMAIL: 'demo@example.com',
    GIT_COMMITTER_NAME: 'Demo',
    GIT_COMMITTER_EMAIL: 'demo@example.com',
  };
  const dir = prepareDir(options);
  const o = { cwd: dir, env };
  say(`# a throwaway project in ${dir}`);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'README.md'), '# demo\n\nA project an agent is about to change.\n');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the demo project's source, a template literal of its own
  writeFileSync(join(dir, 'src', 'app.js'), 'export const greet = (name) => `hello ${name}`;\n');
  writeFileSync(join(dir, 'build.sh'), '#!/bin/sh\necho building\n');
  chmodSync(join(dir, 'build.sh'), 0o755);
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
  const hasGit = git(dir, env, ['init', '-q']) !== null;
  if (hasGit) say('$ git init');

  say('\n$ coo init');
  const init = await initRepo(o);
  say(`  state repository ${init.root}/.coo/state.git, signing key ${init.key.path}`);

  say('\n$ coo snapshot -m "before the agent"');
  const first = await snapshot({ ...o, message: 'before the agent' });
  say(`  snapshot ${first.commit.slice(0, 12)}: ${first.files} files, manifest ${first.manifest}`);

  say('\n# the "agent" edits through the shell: one file changed, one deleted, one created');
  spawnSync(
    'sh',
    ['-c', "echo 'export const greet = () => 42;' > src/app.js && rm README.md && echo tmp > scratch.txt"],
    { cwd: dir },
  );
  const changes = await diff({ ...o, patch: false });
  for (const c of changes.changes) say(`  ${c.status.padEnd(8)} ${c.path}`);

  say('\n$ coo rollback snapshots');
  const back = await rollback({ ...o, to: 'snapshots' });
  say(
    `  ${back.written} written, ${back.removed} removed; safety snapshot ${back.safety.slice(0, 12)} (coo undo returns to it)`,
  );
  const after = await diff({ ...o, patch: false });
  const byteIdentical = after.changes.length === 0 && readFileSync(join(dir, 'README.md'), 'utf8').startsWith('# demo');
  say(`  working tree byte-identical to the snapshot: ${byteIdentical ? 'yes' : 'NO'}`);

  say('\n$ coo baseline create DEMO_AMU0');
  const base = await createAmu0Baseline({ ...o, name: 'DEMO_AMU0' });
  say(`  baseline #${base.sequence} signed as ${base.commit.slice(0, 12)}`);
  const checked = await verify(o);
  say(
    `\n$ coo verify\n  good signature by ${checked.signer?.principals.join(',')}, manifest matches, lineage ${checked.lineage}`,
  );

  let gitVerified: boolean | null = null;
  if (hasGit) {
    const stateGit = ['--git-dir=.coo/state.git'];
    say('\n# plain git reads and checks it all, with no coo involved:');
    say('$ git --git-dir=.coo/state.git -c gpg.ssh.allowedSignersFile=.coo/allowed_signers verify-commit amu0');
    const verified = git(dir, env, [
      ...stateGit,
      '-c',
      'gpg.ssh.allowedSignersFile=.coo/allowed_signers',
      'verify-commit',
      'amu0',
    ]);
    gitVerified = verified?.ok ?? false;
    say(`  ${verified?.out ?? ''}\n  (exit ${gitVerified ? 0 : 1})`);
    say('$ git --git-dir=.coo/state.git log --oneline --graph snapshots amu0');
    say(
      (git(dir, env, [...stateGit, 'log', '--oneline', '--graph', 'snapshots', 'amu0'])?.out ?? '').replace(
        /^/gmu,
        '  ',
      ),
    );
    say('$ git --git-dir=.coo/state.git fsck --strict');
    const fsck = git(dir, env, [...stateGit, 'fsck', '--strict', '--no-dangling']);
    say(`  ${fsck?.ok ? 'clean' : (fsck?.out ?? '')}`);
  } else {
    say('\n(git is not installed here, so the plain-git part of the demo is skipped)');
  }
  say(`\ndone. Explore it: cd ${dir}  (remove it with: rm -rf ${dir})`);
  return { dir, byteIdentical, gitVerified };
}
