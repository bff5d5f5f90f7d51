import { join } from 'node:path';
import { readFlatTree } from '../store/flat-tree.js';
import type { Repo } from '../store/repo.js';
import { captureWorktree, statCachePath, type CaptureResult } from './capture.js';

// The working tree of an opened repository as a capture sees it now: what a check, a diff, the
// tripwire or a judgement of a write reads. Nothing is stored unless asked.

export interface CaptureNowOptions {
  /** Trust no stat-cache row: every file is read and hashed again (the byte-for-byte judgement of a rollback check). */
  readonly fresh?: boolean;
  /** Store the blobs and trees in the state repository. */
  readonly store?: boolean;
  /** Skip new files above the snapshot size cap, as a snapshot would; by default every file is hashed (a check must see them all). */
  readonly asSnapshot?: boolean;
  /** A state the tree is expected to match (its paths tell an oversized file that was there from a new one). */
  readonly expected?: string;
}

export async function captureNow(repo: Repo, options: CaptureNowOptions = {}): Promise<CaptureResult> {
  const { root, gitdir, privateDir, tmpDir } = repo.layout;
  const expected = options.expected;
  return captureWorktree({
    root,
    gitdir,
    // A cache path that never exists: every file is read and hashed again.
    cachePath: options.fresh ? join(tmpDir, `no-stat-cache-${process.pid}`) : statCachePath(privateDir),
    store: options.store === true,
    maxNewFileBytes: options.asSnapshot ? repo.config.capture.maxNewFileBytes : Number.MAX_SAFE_INTEGER,
    ...(expected
      ? { previousPaths: async () => new Set((await readFlatTree(gitdir, expected)).files.map((f) => f.path)) }
      : {}),
  });
}
