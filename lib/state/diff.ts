import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { structuredPatch } from 'diff';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { readObjectOfType } from '../store/objects.js';
import { readRef } from '../store/refs.js';
import { readCommit, resolveCommit } from '../store/rev-parse.js';
import { captureNow } from '../worktree/capture-now.js';
import { planCheckout } from '../worktree/checkout-plan.js';
import { openRepo, type Repo, type RepoOptions } from '../store/repo.js';
import { snapshotsRef } from './take-snapshot.js';
import { compareUtf8 } from '../core/compare-utf8.js';
import { pathspecSet } from '../core/pathspec.js';

// `coo diff [A [B]] [-- PATH…]`: what changed between two states, or between a state and the
// working tree (without writing anything), optionally only where some pathspecs match. Text files
// get a unified diff from the `diff` package; binary or very large files are reported as such,
// the way git does.

export interface DiffOptions extends RepoOptions {
  /** Default: the latest snapshot. */
  readonly from?: string;
  /** Default: the working tree. */
  readonly to?: string;
  /** Repository-relative pathspecs, as git reads them (core/pathspec.ts): only the paths they match are compared. */
  readonly paths?: readonly string[];
  /** Compute patches (default true); false gives only paths and line counts. */
  readonly patch?: boolean;
  readonly context?: number;
}

export type ChangeStatus = 'added' | 'deleted' | 'modified' | 'mode' | 'type';

export interface FileChange {
  readonly path: string;
  readonly status: ChangeStatus;
  readonly oldMode: string | null;
  readonly newMode: string | null;
  readonly oldOid: string | null;
  readonly newOid: string | null;
  readonly binary: boolean;
  readonly additions: number;
  readonly deletions: number;
  readonly patch: string | null;
}

export interface DiffResult {
  readonly from: { readonly rev: string; readonly commit: string | null };
  readonly to: { readonly rev: string; readonly commit: string | null };
  /** The pathspecs the comparison was limited to (canonical); absent for the whole trees. */
  readonly paths?: readonly string[];
  readonly changes: FileChange[];
}

const textLimit = 8 * 1024 * 1024;

type Side = { rev: string; commit: string | null; files: FileRecord[]; read: (f: FileRecord) => Promise<Buffer> };

async function storedSide(repo: Repo, rev: string): Promise<Side> {
  const { gitdir } = repo.layout;
  const commit = await readCommit(gitdir, (await resolveCommit(gitdir, rev)).oid);
  return {
    rev,
    commit: commit.oid,
    files: (await readFlatTree(gitdir, commit.tree)).files,
    read: (f) => readObjectOfType(gitdir, f.oid, 'blob'),
  };
}

async function worktreeSide(repo: Repo): Promise<Side> {
  const { root } = repo.layout;
  const capture = await captureNow(repo, { asSnapshot: true });
  return {
    rev: '(working tree)',
    commit: null,
    files: capture.files,
    read: async (f) =>
      f.mode === '120000' ? readlinkSync(join(root, f.path), { encoding: 'buffer' }) : readFileSync(join(root, f.path)),
  };
}

function isBinary(content: Buffer): boolean {
  return content.length > textLimit || content.subarray(0, 8000).includes(0);
}

function renderPatch(
  path: string,
  oldText: string,
  newText: string,
  context: number,
): { patch: string; additions: number; deletions: number } {
  const result = structuredPatch(`a/${path}`, `b/${path}`, oldText, newText, undefined, undefined, { context });
  let additions = 0;
  let deletions = 0;
  const lines: string[] = [];
  for (const hunk of result.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) {
      if (line.startsWith('+')) additions += 1;
      else if (line.startsWith('-')) deletions += 1;
      lines.push(line);
    }
  }
  return { patch: lines.join('\n'), additions, deletions };
}

export async function diff(options: DiffOptions = {}): Promise<DiffResult> {
  // Pathspecs are read first: a bad one is refused before any tree is read or hashed.
  const spec = options.paths === undefined ? null : pathspecSet(options.paths);
  const repo = await openRepo(options);
  const fromRev = options.from ?? (readRef(repo.layout.gitdir, snapshotsRef) ? 'snapshots' : null);
  const from: Side = fromRev
    ? await storedSide(repo, fromRev)
    : { rev: '(empty)', commit: null, files: [], read: async () => Buffer.alloc(0) };
  const to = options.to === undefined ? await worktreeSide(repo) : await storedSide(repo, options.to);
  const only = (files: FileRecord[]): FileRecord[] => (spec ? files.filter((f) => spec.matches(f.path)) : files);
  const fromFiles = only(from.files);
  const toFiles = only(to.files);
  const plan = planCheckout(fromFiles, toFiles);
  const before = new Map(fromFiles.map((f) => [f.path, f]));
  const after = new Map(toFiles.map((f) => [f.path, f]));
  const paths = [...plan.write.map((f) => f.path), ...plan.chmod.map((f) => f.path), ...plan.remove].sort(compareUtf8);
  const changes: FileChange[] = [];
  for (const path of paths) {
    const a = before.get(path) ?? null;
    const b = after.get(path) ?? null;
    const status: ChangeStatus = !a
      ? 'added'
      : !b
        ? 'deleted'
        : a.oid === b.oid
          ? 'mode'
          : (a.mode === '120000') !== (b.mode === '120000')
            ? 'type'
            : 'modified';
    let binary = false;
    let counts = { patch: null as string | null, additions: 0, deletions: 0 };
    if (status !== 'mode') {
      const oldContent = a ? await from.read(a) : Buffer.alloc(0);
      const newContent = b ? await to.read(b) : Buffer.alloc(0);
      binary = isBinary(oldContent) || isBinary(newContent);
      if (!binary) {
        const rendered = renderPatch(
          path,
          oldContent.toString('utf8'),
          newContent.toString('utf8'),
          options.context ?? 3,
        );
        counts = { ...rendered, patch: options.patch === false ? null : rendered.patch };
      }
    }
    changes.push({
      path,
      status,
      oldMode: a?.mode ?? null,
      newMode: b?.mode ?? null,
      oldOid: a?.oid ?? null,
      newOid: b?.oid ?? null,
      binary,
      ...counts,
    });
  }
  return {
    from: { rev: from.rev, commit: from.commit },
    to: { rev: to.rev, commit: to.commit },
    ...(spec ? { paths: spec.sources } : {}),
    changes,
  };
}
