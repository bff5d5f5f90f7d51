import { manifestBuilder } from '../store/manifest.js';
import { itemsOf, type StatCache } from './stat-cache.js';
import type { WalkEntry } from './walk.js';

// A capture's manifest, in the walk's order (byte order of paths). The stat cache holds every
// file's manifest item, the items of consecutive rows side by side: where the capture's files are
// rows the cache vouches for, one after another, their items are hashed as the cache holds them,
// a run at a time; other files' items are written out.

/** What a capture knows of each walked entry, by index. */
export interface CapturedColumns {
  readonly entries: readonly WalkEntry[];
  /** Its git id; undefined for an entry that was not captured (skipped). */
  readonly oids: readonly (string | undefined)[];
  /** Its CID, for a hashed file (a reused one's is in its row). */
  readonly cids: readonly (string | undefined)[];
  /** Its stat cache row, or -1. */
  readonly rowOf: Int32Array;
  /** 1 where its row's manifest item is this file's (same path, mode and content). */
  readonly itemKnown: Uint8Array;
}

export function capturedManifest(columns: CapturedColumns, cache: StatCache): { cid: string; fileCount: number } {
  const { entries, oids, cids, rowOf, itemKnown } = columns;
  const manifest = manifestBuilder();
  let fileCount = 0;
  let runFrom = -1;
  let runTo = -1;
  const endRun = (): void => {
    if (runFrom !== -1) manifest.items(itemsOf(cache, runFrom, runTo));
    runFrom = -1;
  };
  for (let i = 0; i < entries.length; i++) {
    if (oids[i] === undefined) continue;
    fileCount += 1;
    const at = rowOf[i] as number;
    if (itemKnown[i] === 1) {
      if (runFrom !== -1 && at === runTo + 1) runTo = at;
      else {
        endRun();
        runFrom = runTo = at;
      }
      continue;
    }
    endRun();
    const w = entries[i] as WalkEntry;
    manifest.entry({ path: w.path, mode: w.mode, cid: cids[i] as string });
  }
  endRun();
  return { cid: manifest.cid(), fileCount };
}
