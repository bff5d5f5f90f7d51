import { join } from 'node:path';
import { lstatOrAbsent } from '../core/lstat.js';
import { hashPathContent } from '../store/blob-file.js';
import { holdsKind, type CheckoutPlan } from './checkout-plan.js';

// After a checkout: every path it wrote is read back and hashed, every path it removed looked for,
// so a write that raced with something else is caught before the operation counts as done.

const lstat = lstatOrAbsent;

/** What is at `path` now, or null if it is gone or cannot be read as what it was (something changed it meanwhile). */
async function contentOid(path: string, isLink: boolean): Promise<string | null> {
  try {
    return await hashPathContent(path, isLink);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EISDIR') return null;
    throw err;
  }
}

/** Paths whose content or kind on disk differs from the plan after applying it. */
export async function verifyCheckout(root: string, plan: CheckoutPlan): Promise<string[]> {
  const wrong: string[] = [];
  for (const file of [...plan.write, ...plan.chmod]) {
    const stat = lstat(join(root, file.path));
    if (!holdsKind(stat, file) || (await contentOid(join(root, file.path), file.mode === '120000')) !== file.oid)
      wrong.push(file.path);
  }
  for (const path of plan.remove) {
    const stat = lstat(join(root, path));
    if (stat && !stat.isDirectory()) wrong.push(path);
  }
  return wrong;
}
