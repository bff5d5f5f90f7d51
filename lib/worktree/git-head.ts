import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitDirs } from './git-sources.js';

// Which commit and branch a git work tree is on, read from its HEAD, read-only: a snapshot records
// it so that a rollback can say when the user's git has moved on (another branch, a new commit), and
// the same for every nested repository whose files a snapshot holds.

export interface GitHead {
  /** The commit HEAD resolves to; null on a branch with no commit yet. */
  readonly commit: string | null;
  /** The branch HEAD names (`main`), or null when HEAD is detached. */
  readonly branch: string | null;
}

function looseRef(commondir: string, gitdir: string, ref: string): string | null {
  for (const dir of [gitdir, commondir]) {
    try {
      const value = readFileSync(join(dir, ref), 'utf8').trim();
      if (/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/u.test(value)) return value;
      const symbolic = /^ref: (.+)$/u.exec(value)?.[1];
      if (symbolic) return looseRef(commondir, gitdir, symbolic);
    } catch {
      // not here
    }
  }
  try {
    for (const line of readFileSync(join(commondir, 'packed-refs'), 'utf8').split('\n')) {
      const [oid, name] = line.split(' ');
      if (name === ref && oid && /^[0-9a-f]+$/u.test(oid)) return oid;
    }
  } catch {
    // no packed refs
  }
  return null;
}

/** The HEAD of a work tree, or null when it cannot be read. */
export function readGitHead(dirs: GitDirs): GitHead | null {
  let head: string;
  try {
    head = readFileSync(join(dirs.gitdir, 'HEAD'), 'utf8').trim();
  } catch {
    return null;
  }
  const ref = /^ref: (refs\/.+)$/u.exec(head)?.[1];
  if (!ref) return /^[0-9a-f]{40,64}$/u.test(head) ? { commit: head, branch: null } : null;
  return {
    commit: looseRef(dirs.commondir, dirs.gitdir, ref),
    branch: ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref,
  };
}

/** `main@1a2b3c4d5e6f`, `(detached)@1a2b3c4d5e6f`, `main@(no commit)`: how a HEAD reads in a trailer and to a person. */
export function formatGitHead(head: GitHead): string {
  return `${head.branch ?? '(detached)'}@${head.commit ?? '(no commit)'}`;
}

export function parseGitHead(text: string): GitHead | null {
  const match = /^(.+)@([0-9a-f]{40,64}|\(no commit\))$/u.exec(text.trim());
  if (!match) return null;
  const branch = match[1] as string;
  const commit = match[2] as string;
  return { branch: branch === '(detached)' ? null : branch, commit: commit === '(no commit)' ? null : commit };
}

export function sameHead(a: GitHead, b: GitHead): boolean {
  return a.commit === b.commit && a.branch === b.branch;
}
