import * as nodeFs from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';

// isomorphic-git is loaded only by the commands that need it (its import alone costs ~35 ms, most
// of an incremental snapshot), and always with a filesystem whose writeFile is write-then-rename,
// so nothing it writes (objects, refs) can be left half-written by a crash.

type IsoGit = typeof import('isomorphic-git');

let loaded: Promise<IsoGit> | undefined;

export function isogit(): Promise<IsoGit> {
  loaded ??= import('isomorphic-git').then((m) => ((m as { default?: IsoGit }).default ?? m) as IsoGit);
  return loaded;
}

const promises = {
  ...nodeFs.promises,
  async writeFile(path: string, data: string | Uint8Array, options?: { mode?: number } | string): Promise<void> {
    const mode = typeof options === 'object' && options !== null ? options.mode : undefined;
    writeFileAtomic(path, data, mode === undefined ? {} : { mode });
  },
};

/** The fs object to hand to every isomorphic-git call. */
export const isogitFs = { promises };

const caches = new Map<string, object>();

/** isomorphic-git's per-repository cache (pack indexes), shared by all calls in this process. */
export function isogitCache(gitdir: string): object {
  let cache = caches.get(gitdir);
  if (!cache) {
    cache = {};
    caches.set(gitdir, cache);
  }
  return cache;
}

/** Drops that cache, after packs it may have read are removed (a fold). */
export function forgetIsogitCache(gitdir: string): void {
  caches.delete(gitdir);
}
