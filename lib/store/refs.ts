import {
  closeSync,
  type Dirent,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { crashPoint } from './crash-point.js';
import { isOid } from './git-object.js';

// Refs by git's own protocol: a ref is changed by creating `<ref>.lock` exclusively, writing the
// new id into it and renaming it over the ref, so a concurrent native git sees the lock and
// waits, and a crash leaves the old value or the new one, never a torn file. Reads see loose refs
// first, then `packed-refs` (after a `git gc` or `git pack-refs`).

/** git check-ref-format, narrowed to the names coo makes: `[A-Za-z0-9._-]` components. */
export function isValidRefName(name: string): boolean {
  if (!name.startsWith('refs/') && name !== 'HEAD') return false;
  return name
    .split('/')
    .every(
      (part) =>
        /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/u.test(part) &&
        !part.endsWith('.lock') &&
        !part.includes('..') &&
        !part.endsWith('.'),
    );
}

function ensureRefName(name: string): void {
  if (!isValidRefName(name))
    throw new CooError('E_REF_INVALID', `invalid ref name ${JSON.stringify(name)}`, { ref: name });
}

function readPackedRefs(gitdir: string): Map<string, string> {
  const refs = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(join(gitdir, 'packed-refs'), 'utf8');
  } catch {
    return refs;
  }
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{40}) (refs\/\S+)$/u.exec(line);
    if (match) refs.set(match[2] as string, match[1] as string);
  }
  return refs;
}

function readLoose(gitdir: string, name: string): string | null {
  try {
    return readFileSync(join(gitdir, name), 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw err;
  }
}

/** The object id a ref points to (following symbolic refs), or null if it does not exist. */
export function readRef(gitdir: string, name: string): string | null {
  let current = name;
  for (let depth = 0; depth < 5; depth++) {
    const loose = readLoose(gitdir, current);
    if (loose === null) return readPackedRefs(gitdir).get(current) ?? null;
    if (loose.startsWith('ref: ')) {
      current = loose.slice(5);
      continue;
    }
    if (!isOid(loose))
      throw new CooError('E_STATE_CORRUPT', `ref ${current} holds ${JSON.stringify(loose)}`, { ref: current });
    return loose;
  }
  throw new CooError('E_STATE_CORRUPT', `ref ${name} is a symbolic ref loop`, { ref: name });
}

/**
 * Points `name` at `oid`. With `expected` (an id, or null for "must not exist"), refuses to move a
 * ref that someone else moved meanwhile.
 */
export function updateRef(gitdir: string, name: string, oid: string, expected?: string | null): void {
  ensureRefName(name);
  if (!isOid(oid)) throw new CooError('E_INTERNAL', `not an object id: ${oid}`, { oid });
  const path = join(gitdir, name);
  const lock = `${path}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CooError('E_LOCKED', `ref ${name} is locked by another process (${lock} exists)`, { ref: name, lock });
    }
    throw err;
  }
  try {
    writeSync(fd, `${oid}\n`);
    closeSync(fd);
    crashPoint('ref-locked');
    if (expected !== undefined) {
      const current = readRef(gitdir, name);
      if (current !== expected) {
        throw new CooError('E_LOCKED', `ref ${name} moved while coo was updating it`, {
          ref: name,
          expected,
          found: current,
        });
      }
    }
    renameSync(lock, path);
    crashPoint('ref-updated');
  } catch (err) {
    rmSync(lock, { force: true });
    throw err;
  }
}

/** All refs under a prefix (e.g. `refs/tags/amu0/`), loose and packed, sorted by name. */
export function listRefs(gitdir: string, prefix: string): Map<string, string> {
  const found = readPackedRefs(gitdir);
  for (const name of [...found.keys()]) if (!name.startsWith(prefix)) found.delete(name);
  const walk = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(gitdir, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const name = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(name);
      else if (entry.isFile() && !entry.name.endsWith('.lock') && name.startsWith(prefix)) {
        const value = readLoose(gitdir, name);
        if (value && isOid(value)) found.set(name, value);
      }
    }
  };
  walk(prefix.replace(/\/[^/]*$/u, '') || 'refs');
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The full names git tries, in its order, for a short name (git's `ref_rev_parse_rules`). */
export function refCandidates(short: string): string[] {
  if (short === 'HEAD') return ['HEAD'];
  return [
    short,
    `refs/${short}`,
    `refs/tags/${short}`,
    `refs/heads/${short}`,
    `refs/remotes/${short}`,
    `refs/remotes/${short}/HEAD`,
  ].filter((name) => (name === short ? name.startsWith('refs/') : true));
}
