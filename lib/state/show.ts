import { readFlatTree } from '../store/flat-tree.js';
import { readCommit, resolveCommit } from '../store/rev-parse.js';
import { messageBody, parseTrailers } from '../store/trailers.js';
import { openRepo, type RepoOptions } from '../store/repo.js';
import type { Identity } from '../store/commit.js';

export interface ShowOptions extends RepoOptions {
  readonly rev: string;
}

export interface ShowResult {
  readonly commit: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: Identity;
  readonly committer: Identity;
  readonly subject: string;
  readonly body: string;
  readonly trailers: Readonly<Record<string, string>>;
  readonly signed: boolean;
  readonly files: number;
}

/** `coo show REF`: one state's commit, its trailers and size. (`coo verify REF` judges its signature.) */
export async function show(options: ShowOptions): Promise<ShowResult> {
  const repo = await openRepo(options);
  const { gitdir } = repo.layout;
  const commit = await readCommit(gitdir, (await resolveCommit(gitdir, options.rev)).oid);
  const flat = await readFlatTree(gitdir, commit.tree);
  return {
    commit: commit.oid,
    tree: commit.tree,
    parents: commit.parents,
    author: commit.author,
    committer: commit.committer,
    subject: commit.message.split('\n')[0] ?? '',
    body: messageBody(commit.message),
    trailers: Object.fromEntries(parseTrailers(commit.message)),
    signed: commit.gpgsig !== null,
    files: flat.files.length,
  };
}
