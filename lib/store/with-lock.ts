import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempNamePattern } from './atomic-file.js';
import { acquireLock, type LockHolder } from './lock.js';
import type { Repo } from './repo.js';

// Every operation that changes state runs inside the repository lock. Taking over the lock of a
// dead process also sweeps what it may have left half-done: temp files (never referenced, so
// only litter) and the ref `.lock` files it created while it held the lock.

function sweepDir(dir: string, test: (name: string, path: string) => boolean): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (test(name, path)) {
      rmSync(path, { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
}

function sweepRefLocks(dir: string, since: number): number {
  let removed = 0;
  for (const entry of (() => {
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch {
      return [];
    }
  })()) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removed += sweepRefLocks(path, since);
    else if (entry.name.endsWith('.lock') && statSync(path).mtimeMs >= since - 1000) {
      rmSync(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}

export function sweepAfterCrash(repo: Repo, dead: LockHolder): number {
  const { gitdir } = repo.layout;
  const ofDead = (name: string): boolean => tempNamePattern.exec(name)?.[1] === String(dead.pid);
  let removed = sweepDir(gitdir, ofDead);
  removed += sweepDir(repo.layout.privateDir, ofDead);
  for (const fanout of readdirSync(join(gitdir, 'objects'))) {
    if (/^[0-9a-f]{2}$/u.test(fanout)) removed += sweepDir(join(gitdir, 'objects', fanout), ofDead);
  }
  removed += sweepDir(join(gitdir, 'objects'), ofDead);
  // A pack is seen through its index, renamed into place last; a pack the dead process renamed
  // but whose index it never did is unreachable litter.
  removed += sweepDir(join(gitdir, 'objects', 'pack'), (name, path) => {
    if (ofDead(name)) return true;
    if (!/^pack-[0-9a-f]{40}\.pack$/u.test(name) || existsSync(path.replace(/\.pack$/u, '.idx'))) return false;
    return statSync(path).mtimeMs >= dead.since - 1000;
  });
  removed += sweepRefLocks(join(gitdir, 'refs'), dead.since);
  return removed;
}

export async function withLock<T>(repo: Repo, command: string, work: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(repo.layout.lockPath, { command });
  try {
    if (lock.recoveredFrom) sweepAfterCrash(repo, lock.recoveredFrom);
    // Temp files of working-tree writes belong to whoever holds the lock, which is now us.
    sweepDir(repo.layout.tmpDir, () => true);
    return await work();
  } finally {
    lock.release();
  }
}
