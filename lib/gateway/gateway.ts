import { realpathSync } from 'node:fs';
import { captureNow } from '../worktree/capture-now.js';
import { CooError } from '../core/coo-error.js';
import { hashObject, type ObjectType } from '../store/git-object.js';
import { objectWriter } from '../store/object-writer.js';
import { writeTreeFromFiles, type FileRecord } from '../store/flat-tree.js';
import { blobCid, manifestCid, sha256HexOfCid, sha256Of } from '../store/manifest.js';
import { readRef } from '../store/refs.js';
import type { FileMode } from '../store/tree.js';
import { ensureNoJournal } from '../state/journal.js';
import { openRepo, type Repo, type RepoOptions } from '../store/repo.js';
import { writeStateCommit } from '../store/state-commit.js';
import { withLock } from '../store/with-lock.js';
import { rewriteWorktree } from '../state/rewrite-worktree.js';
import { takeSnapshot } from '../state/take-snapshot.js';
import { ensureNotTampered, pinsOfCapture, registryOf } from '../governance/governance.js';
import type { MissionScope } from '../governance/scope.js';
import { existsOnDisk, probeBoundary } from './boundary.js';
import { reconcileIndexes, type IndexedFile } from './index-sync.js';
import { changeKind, validateWriteSet, type CurrentFile, type Violation } from './validate.js';
import { modeOf, type WriteOp } from './write-set.js';

// The write gateway: the one way coo, a mission or a person at the CLI changes the governed tree.
// A write set is validated whole against the tree as it is (captured in a safety snapshot); the
// tree after it, with every touched INDEX reconciled, is committed on `writes` as one commit; only
// then is it applied to disk, every written file re-hashed. One violation and nothing is written.

export const writesRef = 'refs/heads/writes';

export interface GatewayInput {
  readonly ops: readonly WriteOp[];
  readonly message?: string;
  /** The mission whose scope and ceilings bound this write, if any. */
  readonly mission?: MissionScope;
  /** Protected paths an approved request allows, each with the exact pin approved (null: delete). */
  readonly authorized?: ReadonlyMap<string, string | null>;
  /** Protected files an approved request accepts as changed outside coo, with the exact content accepted. */
  readonly tolerate?: ReadonlyMap<string, string | null>;
  /** Governed directories to reconcile even if no op touches them (`coo index fix`). */
  readonly reconcile?: readonly string[];
}

export interface GatewayChange {
  readonly path: string;
  readonly kind: 'create' | 'modify' | 'delete';
}

export interface GatewayResult {
  readonly commit: string;
  readonly safety: string;
  readonly tree: string;
  readonly changes: readonly GatewayChange[];
  /** INDEX files reconciled in the same commit. */
  readonly indexes: readonly string[];
}

export function violationError(violations: readonly Violation[]): CooError {
  const first = violations[0] as Violation;
  const where = first.path === '' ? 'the write set' : JSON.stringify(first.path);
  return new CooError(
    first.code,
    `refused by the gateway: ${where}: ${first.reason}${violations.length > 1 ? ` (and ${violations.length - 1} more violation(s))` : ''}`,
    { violations: violations.map((v) => ({ path: v.path, check: v.check, code: v.code, reason: v.reason, ...(v.data ? { data: v.data } : {}) })) },
  );
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

interface Judged {
  readonly current: Map<string, CurrentFile>;
  readonly violations: Violation[];
}

/** Everything the gateway checks, against the captured tree; writes nothing. */
async function judge(repo: Repo, input: GatewayInput, files: readonly { path: string; oid: string; cid: string }[]): Promise<Judged> {
  const { root } = repo.layout;
  const registry = await registryOf(repo);
  const pins = pinsOfCapture(files);
  ensureNotTampered(registry, pins, input.tolerate);
  const current = new Map<string, CurrentFile>(files.map((f) => [f.path, { oid: f.oid, pin: pins.get(f.path) as string }]));
  const rootReal = realpathSync(root);
  const violations = validateWriteSet({
    ops: input.ops,
    current,
    registry,
    governed: repo.config.governed,
    maxFileBytes: repo.config.gateway.maxFileBytes,
    scope: input.mission ?? null,
    authorized: input.authorized ?? new Map(),
    probe: (path) => probeBoundary(root, rootReal, path),
    uncaptured: (path) => (current.has(path) ? null : existsOnDisk(root, path)),
  });
  return { current, violations };
}

/** What the gateway would say about a write set now, without writing anything (a mission's staging). */
export async function gatewayCheckLocked(repo: Repo, input: GatewayInput): Promise<Violation[]> {
  const capture = await captureNow(repo, { asSnapshot: true });
  return (await judge(repo, input, capture.files)).violations;
}

/** The gateway inside an opened, locked repository (for coo's own operations that write through it). */
export async function gatewayWriteLocked(repo: Repo, input: GatewayInput): Promise<GatewayResult> {
  const { gitdir } = repo.layout;
  await ensureNoJournal(repo);
  const safety = await takeSnapshot(repo, { subject: 'safety snapshot before a gateway write', kind: 'safety' });
  const { current, violations } = await judge(repo, input, safety.files);
  if (violations.length > 0) throw violationError(violations);

  // The tree after the write: blobs stored now, INDEX files reconciled from the result.
  const after = new Map<string, FileRecord & IndexedFile & { cid: string }>();
  for (const f of safety.files) after.set(f.path, { ...f, bytes: f.size, sha256: sha256HexOfCid(f.cid) });
  // Blobs and trees go to one writer (a pack when the write set is large), in place before the commit.
  const writer = objectWriter(gitdir, input.ops.length);
  const put = (type: ObjectType, content: Buffer): string => {
    const oid = hashObject(type, content);
    writer.put(oid, type, content);
    return oid;
  };
  let files: (FileRecord & IndexedFile & { cid: string })[];
  const contents = new Map<string, Uint8Array>(); // what is written, by blob id: the checkout need not read it back
  let tree: string;
  let indexes: ReturnType<typeof reconcileIndexes>;
  try {
    const store = (content: Buffer, mode: FileMode, path: string): void => {
      const sha256 = sha256Of(content);
      const oid = put('blob', content);
      contents.set(oid, content);
      after.set(path, { path, mode, oid, cid: blobCid(sha256), bytes: content.length, sha256: sha256.toString('hex') });
    };
    for (const op of input.ops) {
      if (op.kind === 'delete') after.delete(op.path);
      else store(Buffer.from(op.content), modeOf(op), op.path);
    }
    const touched = new Set([...input.ops.map((op) => dirOf(op.path)), ...(input.reconcile ?? [])]);
    indexes = reconcileIndexes(repo.config.governed, touched, after, (c) => hashObject('blob', c));
    if (input.ops.length === 0 && indexes.length === 0) throw new CooError('E_USAGE', 'nothing to write', {});
    for (const index of indexes) store(index.content, '100644', index.path);
    files = [...after.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    tree = writeTreeFromFiles(files, put);
    writer.close();
  } catch (err) {
    writer.close(true);
    throw err;
  }
  const manifest = manifestCid(files);
  const changes: GatewayChange[] = input.ops.map((op) => ({ path: op.path, kind: changeKind(op, current) }));
  const tip = readRef(gitdir, writesRef);
  const commit = writeStateCommit(repo, {
    tree,
    parents: tip ? [tip] : [],
    subject: input.message ?? `write ${changes.length} path(s)${input.mission ? ` for mission ${input.mission.mission}` : ''}`,
    body: [...changes.map((c) => `${c.kind} ${JSON.stringify(c.path)}`), ...indexes.map((i) => `index ${JSON.stringify(i.path)}`)].join('\n'),
    manifest,
    trailers: [['Coo-Op', 'write'], ['Coo-Safety', safety.commit], ...(input.mission ? ([['Coo-Mission', input.mission.mission]] as const) : [])],
  });
  await rewriteWorktree(repo, {
    current: safety.files,
    target: files,
    targetCommit: commit,
    contents,
    safety: safety.commit,
    label: `write ${commit.slice(0, 12)}`,
    op: 'write',
    ref: { name: writesRef, expected: tip },
    oplog: {
      subject: `write ${commit.slice(0, 12)}: ${changes.length} path(s)`,
      record: { op: 'write', commit, safety: safety.commit, changes, indexes: indexes.map((i) => i.path), mission: input.mission?.mission ?? null },
      tree,
      manifest,
    },
  });
  return { commit, safety: safety.commit, tree, changes, indexes: indexes.map((i) => i.path) };
}

export interface GatewayWriteOptions extends RepoOptions, GatewayInput {}

/** `coo write` / `coo rm`: one write set through the gateway. */
export async function gatewayWrite(options: GatewayWriteOptions): Promise<GatewayResult> {
  const repo = await openRepo(options);
  return withLock(repo, 'write', () => gatewayWriteLocked(repo, options));
}
