import { join } from 'node:path';
import { readFlatTree } from '../store/flat-tree.js';
import type { Repo } from '../store/repo.js';
import { captureWorktree, statCachePath, type CaptureResult } from './capture.js';
import { gitSourcesOf, type GitSources } from './git-sources.js';
import { readWrittenPaths } from './written-paths.js';

// The working tree of an opened repository as a capture sees it now: what a snapshot, a check, a
// diff, the tripwire or a judgement of a write reads. It follows git's own sources of truth (the
// index, every ignore file git reads) and the paths coo wrote. Nothing is stored unless asked.

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

const sourcesByRepo = new WeakMap<Repo, GitSources>();

/** git's sources of truth for the repository's working tree (read once per opened repository). */
export function gitSourcesOfRepo(repo: Repo): GitSources {
  let sources = sourcesByRepo.get(repo);
  if (!sources) {
    sources = gitSourcesOf(repo.layout.root, repo.env, repo.gitConfig);
    sourcesByRepo.set(repo, sources);
  }
  return sources;
}

/** What a capture of the user's tree follows: git's sources and the paths coo wrote. */
export async function captureRules(repo: Repo): Promise<{ sources: GitSources; written: ReadonlySet<string> }> {
  return { sources: gitSourcesOfRepo(repo), written: await readWrittenPaths(repo.layout.privateDir) };
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
    ...(await captureRules(repo)),
    ...(expected
      ? { previousPaths: async () => new Set((await readFlatTree(gitdir, expected)).files.map((f) => f.path)) }
      : {}),
  });
}
