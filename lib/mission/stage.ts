import { readObjectOfType } from '../store/objects.js';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { cooDirName } from '../store/layout.js';
import type { WriteOp } from '../gateway/write-set.js';
import { compareUtf8 } from '../core/compare-utf8.js';

// What a run changed: the difference between the baseline tree and the quarantine tree after the
// last step, as a write set for the gateway. Every op names the baseline's blob as what it expects
// to replace, so a file the user changed since the baseline is never overwritten.

const outsideCoo = (f: FileRecord): boolean => f.path !== cooDirName && !f.path.startsWith(`${cooDirName}/`);

export async function writeSetBetween(gitdir: string, baselineTree: string, finalTree: string): Promise<WriteOp[]> {
  const before = new Map((await readFlatTree(gitdir, baselineTree)).files.filter(outsideCoo).map((f) => [f.path, f]));
  const after = (await readFlatTree(gitdir, finalTree)).files.filter(outsideCoo);
  const ops: WriteOp[] = [];
  for (const file of after) {
    const was = before.get(file.path);
    before.delete(file.path);
    if (was && was.oid === file.oid && was.mode === file.mode) continue;
    ops.push({
      kind: 'write',
      path: file.path,
      mode: file.mode,
      content: await readObjectOfType(gitdir, file.oid, 'blob'),
      expect: was?.oid ?? null,
    });
  }
  for (const was of before.values()) ops.push({ kind: 'delete', path: was.path, expect: was.oid });
  return ops.sort((a, b) => compareUtf8(a.path, b.path));
}
