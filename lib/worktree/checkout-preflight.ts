import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lstatOrAbsent } from '../core/lstat.js';
import { hashPathContent } from '../store/blob-file.js';
import type { FileRecord } from '../store/flat-tree.js';
import { holdsKind, parentsOf, type CheckoutPlan } from './checkout-plan.js';

// Before a checkout writes anything: what in the working tree the plan would have to overwrite or
// remove but must not (files no capture holds, symbolic links on the way to a path), so that a
// refusal changes nothing, and the writes that are not needed at all.

const lstat = lstatOrAbsent;

export interface Conflict {
  readonly path: string;
  readonly reason: string;
}

/** Files under a directory that would block replacing it with a file, if not all are being removed. */
function blockersUnder(root: string, dir: string, removing: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (!removing.has(child)) found.push(child);
    }
  };
  walk(dir);
  return found;
}

/**
 * The plan without the writes whose path already holds exactly the target content in a file no
 * capture holds (an ignored file equal to the target): overwriting it would lose nothing, and
 * refusing it would be a conflict about nothing.
 */
/** The blob id of what is at `path` now, or null if it went away meanwhile. */
async function contentOid(path: string, isLink: boolean): Promise<string | null> {
  try {
    return await hashPathContent(path, isLink);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function withoutIdenticalUncaptured(
  root: string,
  plan: CheckoutPlan,
  captured: ReadonlySet<string>,
): Promise<CheckoutPlan> {
  const write: FileRecord[] = [];
  let same = 0;
  for (const file of plan.write) {
    const stat = captured.has(file.path) ? undefined : lstat(join(root, file.path));
    if (holdsKind(stat, file) && (await contentOid(join(root, file.path), file.mode === '120000')) === file.oid)
      same += 1;
    else write.push(file);
  }
  return same === 0 ? plan : { ...plan, write, unchanged: plan.unchanged + same };
}

/**
 * Everything in the working tree that the plan would have to overwrite or remove but must not:
 * files that no capture holds (ignored or skipped), files a path restore leaves out of its plan,
 * and symbolic links on the way to a path. `captured` holds the paths of the capture the plan was
 * made from (all of them, when the plan covers only some).
 */
export function findConflicts(root: string, plan: CheckoutPlan, captured: ReadonlySet<string>): Conflict[] {
  const removing = new Set(plan.remove);
  const conflicts: Conflict[] = [];
  const seenParents = new Set<string>();
  const checkParents = (path: string): void => {
    for (const parent of parentsOf(path)) {
      if (seenParents.has(parent)) continue;
      seenParents.add(parent);
      const stat = lstat(join(root, parent));
      if (!stat) return;
      if (stat.isDirectory()) continue;
      if (removing.has(parent)) return;
      conflicts.push({
        path: parent,
        reason: stat.isSymbolicLink()
          ? 'symbolic link on the way to a path'
          : captured.has(parent)
            ? 'a file outside the paths given, where a directory must go'
            : 'uncaptured file where a directory must go',
      });
      return;
    }
  };
  for (const file of plan.write) {
    checkParents(file.path);
    const stat = lstat(join(root, file.path));
    if (!stat) continue;
    if (stat.isDirectory()) {
      for (const blocker of blockersUnder(root, file.path, removing))
        conflicts.push({
          path: blocker,
          reason: captured.has(blocker)
            ? 'a file outside the paths given, in a directory that must become a file'
            : 'uncaptured file in a directory that must become a file',
        });
    } else if (!captured.has(file.path)) {
      conflicts.push({ path: file.path, reason: 'uncaptured (ignored or skipped) file would be overwritten' });
    }
  }
  for (const path of [...plan.remove, ...plan.chmod.map((f) => f.path)]) checkParents(path);
  return conflicts;
}
