import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { parseCommit, type ParsedCommit } from './commit.js';
import { isOid } from './git-object.js';
import { hasObject, readObject } from './objects.js';
import { packedIdsWithPrefix } from './pack-reader.js';
import { readRef, refCandidates } from './refs.js';

// A small `git rev-parse` for commits: a full or abbreviated id or a short ref name, followed by
// any number of `~N` / `^N` steps, resolved with git's own name rules so that what `coo` and
// `git --git-dir=.coo/state.git` understand by a name is the same commit.

export interface Resolved {
  readonly oid: string;
  /** The full ref name the base resolved through, if it was a name. */
  readonly ref: string | null;
}

const revPattern = /^(.+?)((?:[~^][0-9]*)*)$/u;

export async function readCommit(gitdir: string, oid: string): Promise<ParsedCommit> {
  const found = await readObject(gitdir, oid);
  if (found.type === 'tag') {
    const target = /^object ([0-9a-f]{40})$/mu.exec(found.content.toString('utf8'));
    if (target) return readCommit(gitdir, target[1] as string);
  }
  if (found.type !== 'commit') {
    throw new CooError('E_NOT_A_COMMIT', `${oid} is a ${found.type}, not a commit`, { oid, type: found.type });
  }
  return parseCommit(found.content, oid);
}

async function expandAbbreviation(gitdir: string, prefix: string): Promise<string | null> {
  const matches = new Set<string>();
  try {
    for (const name of readdirSync(join(gitdir, 'objects', prefix.slice(0, 2)))) {
      const oid = prefix.slice(0, 2) + name;
      if (isOid(oid) && oid.startsWith(prefix)) matches.add(oid);
    }
  } catch {
    // no loose objects with this fan-out
  }
  for (const oid of packedIdsWithPrefix(gitdir, prefix)) matches.add(oid);
  if (matches.size > 1)
    throw new CooError('E_REF_AMBIGUOUS', `${prefix} is ambiguous`, { rev: prefix, matches: [...matches].sort() });
  return [...matches][0] ?? null;
}

async function resolveBase(gitdir: string, base: string): Promise<Resolved | null> {
  if (isOid(base) && (await hasObject(gitdir, base))) return { oid: base, ref: null };
  for (const name of refCandidates(base)) {
    const oid = readRef(gitdir, name);
    if (oid) return { oid, ref: name };
  }
  if (/^[0-9a-f]{4,39}$/u.test(base)) {
    const oid = await expandAbbreviation(gitdir, base);
    if (oid) return { oid, ref: null };
  }
  return null;
}

/** Resolves a revision to a commit id. */
export async function resolveCommit(gitdir: string, rev: string): Promise<Resolved> {
  const match = revPattern.exec(rev.trim());
  if (!match || /[\s\0:\\]|\.\.|@\{/u.test(rev))
    throw new CooError('E_REF_INVALID', `invalid revision ${JSON.stringify(rev)}`, { rev });
  const base = await resolveBase(gitdir, match[1] as string);
  if (!base) throw new CooError('E_REF_NOT_FOUND', `no state named ${JSON.stringify(rev)}`, { rev });
  let commit = await readCommit(gitdir, base.oid);
  for (const step of (match[2] as string).match(/[~^][0-9]*/gu) ?? []) {
    const count = step.length > 1 ? Number(step.slice(1)) : 1;
    if (step[0] === '~') {
      for (let i = 0; i < count; i++) commit = await parentOf(gitdir, commit, 1, rev);
    } else if (count > 0) {
      commit = await parentOf(gitdir, commit, count, rev);
    }
  }
  return { oid: commit.oid, ref: match[2] === '' ? base.ref : null };
}

async function parentOf(gitdir: string, commit: ParsedCommit, n: number, rev: string): Promise<ParsedCommit> {
  const parent = commit.parents[n - 1];
  if (!parent)
    throw new CooError('E_REF_NOT_FOUND', `${rev}: commit ${commit.oid} has no parent ${n}`, { rev, oid: commit.oid });
  return readCommit(gitdir, parent);
}
