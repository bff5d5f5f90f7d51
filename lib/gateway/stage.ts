import { CooError } from '../core/coo-error.js';
import { writeTreeFromFiles, type FileRecord } from '../store/flat-tree.js';
import { hashObject, type ObjectType } from '../store/git-object.js';
import { blobCid, manifestCid, sha256HexOfCid, sha256Of } from '../store/manifest.js';
import { objectWriter } from '../store/object-writer.js';
import type { Repo } from '../store/repo.js';
import type { FileMode } from '../store/tree.js';
import { reconcileIndexes, type IndexedFile } from './index-sync.js';
import type { Judged } from './judge.js';
import { changeKind } from './validate.js';
import { modeOf, type WriteOp } from './write-set.js';

// Staging a judged write set: the tree after it, with every touched INDEX reconciled, its blobs and
// trees stored (one pack when the write set is large). Nothing is recorded yet.

export interface GatewayChange {
  readonly path: string;
  readonly kind: 'create' | 'modify' | 'delete';
}

export interface Staged {
  /** Every file of the tree after the write set, in path order. */
  readonly files: readonly (FileRecord & { cid: string })[];
  readonly tree: string;
  readonly manifest: string;
  readonly changes: readonly GatewayChange[];
  /** INDEX files reconciled with the write set. */
  readonly indexes: readonly string[];
  /** What is written, by blob id: the checkout need not read it back. */
  readonly contents: ReadonlyMap<string, Uint8Array>;
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function stageWriteSet(
  repo: Repo,
  input: { ops: readonly WriteOp[]; reconcile?: readonly string[] },
  judged: Judged,
): Staged {
  const after = new Map<string, FileRecord & IndexedFile & { cid: string }>();
  for (const f of judged.captured.capture.files)
    after.set(f.path, { ...f, bytes: f.size, sha256: sha256HexOfCid(f.cid) });
  const writer = objectWriter(repo.layout.gitdir, input.ops.length);
  const put = (type: ObjectType, content: Buffer): string => {
    const oid = hashObject(type, content);
    writer.put(oid, type, content);
    return oid;
  };
  const contents = new Map<string, Uint8Array>();
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
    const indexes = reconcileIndexes(repo.config.governed, touched, after, (c) => hashObject('blob', c));
    if (input.ops.length === 0 && indexes.length === 0) throw new CooError('E_USAGE', 'nothing to write', {});
    for (const index of indexes) store(index.content, '100644', index.path);
    const files = [...after.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const tree = writeTreeFromFiles(files, put);
    writer.close();
    return {
      files,
      tree,
      manifest: manifestCid(files),
      changes: input.ops.map((op) => ({ path: op.path, kind: changeKind(op, judged.current) })),
      indexes: indexes.map((i) => i.path),
      contents,
    };
  } catch (err) {
    writer.close(true);
    throw err;
  }
}
