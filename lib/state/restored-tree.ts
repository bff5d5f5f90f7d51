import { compareUtf8 } from '../core/compare-utf8.js';
import { writeTreeFromFiles, type FileRecord } from '../store/flat-tree.js';
import { hashObject } from '../store/git-object.js';
import { blobCid, manifestCid, sha256Of } from '../store/manifest.js';
import { objectWriter } from '../store/object-writer.js';
import { readObjectOfType } from '../store/objects.js';
import type { Repo } from '../store/repo.js';
import type { CaptureResult } from '../worktree/capture.js';
import type { CheckoutPlan } from '../worktree/checkout-plan.js';

// A path restore leaves a tree that is neither the state it restored from nor the tree it found:
// the captured tree with the plan's paths changed. This computes that tree and its manifest (and
// stores the directories that changed), so the operation log records what the working tree holds
// after it, as it does for every other rewrite.

export async function treeAfterPlan(
  repo: Repo,
  capture: CaptureResult,
  plan: CheckoutPlan,
): Promise<{ tree: string; manifest: string }> {
  const { gitdir } = repo.layout;
  const cids = new Map<string, string>();
  const after = new Map<string, FileRecord & { cid: string }>();
  for (const f of capture.files) {
    after.set(f.path, f);
    cids.set(f.oid, f.cid);
  }
  for (const path of plan.remove) after.delete(path);
  for (const f of [...plan.write, ...plan.chmod]) {
    let cid = cids.get(f.oid);
    if (cid === undefined) {
      cid = blobCid(sha256Of(await readObjectOfType(gitdir, f.oid, 'blob')));
      cids.set(f.oid, cid);
    }
    after.set(f.path, { path: f.path, mode: f.mode, oid: f.oid, cid });
  }
  const files = [...after.values()].sort((a, b) => compareUtf8(a.path, b.path));
  // Directories the plan did not touch have the capture's tree ids, stored already.
  const known = new Set(capture.trees.values());
  const writer = objectWriter(gitdir, plan.write.length + plan.chmod.length + plan.remove.length);
  try {
    const tree = writeTreeFromFiles(files, (type, content) => {
      const oid = hashObject(type, content);
      if (!known.has(oid)) writer.put(oid, type, content);
      return oid;
    });
    writer.close();
    return { tree, manifest: manifestCid(files, true) };
  } catch (err) {
    writer.close(true);
    throw err;
  }
}
