import { join } from 'node:path';
import type { Repo } from '../store/repo.js';
import { parseTrailers, type Trailers } from '../store/trailers.js';
import { formatGitHead, parseGitHead, readGitHead, sameHead, type GitHead } from '../worktree/git-head.js';
import { findGitDirs } from '../worktree/git-sources.js';

// What git says of the tree a snapshot captures: the user's HEAD (commit and branch) and the HEAD of
// every nested repository or submodule whose files it holds. Recorded with every snapshot (a
// trailer, and a body line per nested repository), so that a rollback can say when git has moved on
// since: a rollback after `git checkout -b feature` puts main's files on `feature`, and a nested
// repository's files may no longer be what its HEAD says. coo never enters or changes their `.git`.

export interface GitHeads {
  /** The user's HEAD; null where the root is not a git work tree. */
  readonly head: GitHead | null;
  readonly nested: readonly { readonly path: string; readonly head: GitHead | null }[];
}

export interface HeadMoved {
  readonly path: string;
  readonly recorded: GitHead | null;
  readonly now: GitHead | null;
}

export interface HeadDrift {
  /** The user's HEAD when the state was recorded, and now (null where not recorded). */
  readonly head: { readonly recorded: GitHead; readonly now: GitHead | null; readonly moved: boolean } | null;
  /** Nested repositories whose HEAD is not the one recorded with the state. */
  readonly nested: readonly HeadMoved[];
}

const nestedHeader = 'Nested repositories:';

function headAt(dir: string): GitHead | null {
  const dirs = findGitDirs(dir);
  return dirs ? readGitHead(dirs) : null;
}

export function readGitHeads(repo: Repo, nested: readonly string[]): GitHeads {
  return {
    head: headAt(repo.layout.root),
    nested: nested.map((path) => ({ path, head: headAt(join(repo.layout.root, path)) })),
  };
}

export function gitHeadTrailers(heads: GitHeads): Trailers {
  return [
    ...(heads.head ? ([['Coo-Git-Head', formatGitHead(heads.head)]] as const) : []),
    ...(heads.nested.length > 0 ? ([['Coo-Nested', String(heads.nested.length)]] as const) : []),
  ];
}

export function nestedBody(heads: GitHeads): string | null {
  if (heads.nested.length === 0) return null;
  return [
    nestedHeader,
    ...heads.nested.map((n) => `  ${JSON.stringify(n.path)}: ${n.head ? formatGitHead(n.head) : '(unreadable HEAD)'}`),
  ].join('\n');
}

/** The heads a commit recorded (null when it recorded none: an older snapshot, a baseline made elsewhere). */
export function recordedGitHeads(message: string): GitHeads | null {
  const trailers = parseTrailers(message);
  const headText = trailers.get('Coo-Git-Head');
  const head = headText === undefined ? null : parseGitHead(headText);
  const nested: { path: string; head: GitHead | null }[] = [];
  const lines = message.split('\n');
  const at = lines.indexOf(nestedHeader);
  if (at >= 0) {
    for (const line of lines.slice(at + 1)) {
      const match = /^ {2}("(?:[^"\\]|\\.)*"): (.*)$/u.exec(line);
      if (!match) break;
      nested.push({ path: JSON.parse(match[1] as string) as string, head: parseGitHead(match[2] as string) });
    }
  }
  return head === null && nested.length === 0 ? null : { head, nested };
}

/** How git's HEADs now differ from those recorded with a state. */
export function headDrift(repo: Repo, recorded: GitHeads | null): HeadDrift {
  if (!recorded) return { head: null, nested: [] };
  const now = readGitHeads(
    repo,
    recorded.nested.map((n) => n.path),
  );
  const head = recorded.head
    ? { recorded: recorded.head, now: now.head, moved: !now.head || !sameHead(recorded.head, now.head) }
    : null;
  const nested = recorded.nested.flatMap((n, i) => {
    const current = now.nested[i]?.head ?? null;
    const same = n.head === null ? current === null : current !== null && sameHead(n.head, current);
    return same ? [] : [{ path: n.path, recorded: n.head, now: current }];
  });
  return { head, nested };
}
