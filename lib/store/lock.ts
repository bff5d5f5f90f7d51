import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { CooError } from '../core/coo-error.js';
import { tempPathFor } from './atomic-file.js';

// One coo process at a time per state repository. proper-lockfile decides staleness by mtime, so
// after a kill -9 the next command would wait out the stale period, and a long snapshot would
// have to keep touching the lock; here the lock names its holder (pid, host) and a holder that is
// no longer running on this host is known dead at once. The lock file is created complete (write
// a temp file, then hard-link it into place, which fails if the lock exists), so it is never
// seen empty.

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  /** Milliseconds since the epoch when the lock was taken. */
  readonly since: number;
}

export interface HeldLock {
  readonly path: string;
  /** The dead holder whose lock was taken over, if any: its half-done work may need sweeping. */
  readonly recoveredFrom: LockHolder | null;
  release(): void;
}

function readHolder(path: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : null;
  } catch {
    return null;
  }
}

function isRunning(holder: LockHolder): boolean | null {
  if (holder.host !== hostname()) return null; // cannot tell for another machine
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryCreate(path: string, holder: LockHolder): boolean {
  const temp = tempPathFor(path);
  writeFileSync(temp, JSON.stringify(holder));
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Removes a lock whose holder is dead; a second lock file keeps two processes from both doing it. */
function removeIfDead(path: string, seen: LockHolder, me: LockHolder): boolean {
  const steal = `${path}.steal`;
  if (!tryCreate(steal, me)) {
    const thief = readHolder(steal);
    if (thief && isRunning(thief) === false) rmSync(steal, { force: true });
    return false;
  }
  try {
    const now = readHolder(path);
    if (now && now.pid === seen.pid && now.since === seen.since) rmSync(path, { force: true });
    return true;
  } finally {
    rmSync(steal, { force: true });
  }
}

export interface LockOptions {
  readonly command: string;
  /** How long to wait for a live holder before failing with E_LOCKED. */
  readonly timeoutMs?: number;
}

export async function acquireLock(path: string, options: LockOptions): Promise<HeldLock> {
  const me: LockHolder = { pid: process.pid, host: hostname(), command: options.command, since: Date.now() };
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let recoveredFrom: LockHolder | null = null;
  for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
    if (tryCreate(path, me)) {
      let released = false;
      return {
        path,
        recoveredFrom,
        release() {
          if (released) return;
          released = true;
          const holder = readHolder(path);
          if (holder && holder.pid === me.pid && holder.since === me.since) rmSync(path, { force: true });
        },
      };
    }
    const holder = readHolder(path);
    if (holder && isRunning(holder) === false) {
      if (removeIfDead(path, holder, me)) recoveredFrom = holder;
      continue;
    }
    if (Date.now() >= deadline) {
      throw new CooError('E_LOCKED', `another coo process holds ${path}`, {
        lock: path,
        pid: holder?.pid ?? null,
        host: holder?.host ?? null,
        command: holder?.command ?? null,
        since: holder ? new Date(holder.since).toISOString() : null,
      });
    }
    await sleep(wait);
  }
}
