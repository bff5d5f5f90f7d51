import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from './sandbox.js';

/**
 * The tree id native git gives the working tree (git add -A into a scratch index of a scratch
 * repository, then write-tree): the independent answer to "what is this tree's id".
 * The scratch repository is made anew each time: an index kept from an earlier call would judge
 * by its own stat data, which stock git compares in whole seconds, so a same-size rewrite within
 * the second, its mtime put back, would be judged unchanged.
 */
export function gitTreeOfWorktree(box: Sandbox): string {
  const gitdir = join(box.dir, 'judge.git');
  rmSync(gitdir, { recursive: true, force: true });
  box.git(['init', '-q', '--bare', gitdir]);
  const opts = ['--git-dir', gitdir, '--work-tree', box.repo, '-c', 'core.autocrlf=false'];
  const added = box.git([...opts, 'add', '-A']); // .coo/.gitignore keeps coo's private parts out, as it does for coo
  if (added.status !== 0) throw new Error(added.stderr);
  return box.git([...opts, 'write-tree']).stdout.trim();
}
