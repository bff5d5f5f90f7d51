import type { ParsedCommit } from '../store/commit.js';
import type { Repo } from '../store/repo.js';
import { readCommit, resolveCommit } from '../store/rev-parse.js';
import { amu0Ref, baselineTagPrefix } from './sequence.js';
import { verifyBaseline, type BaselineVerification } from './verify-baseline.js';

// A state the user names as a place to start from or return to (a rollback, a mission's baseline,
// the determinism suite's): the rev resolved in git's own order, and a baseline (reached through
// `amu0` or a tag `amu0/NAME`) verified before anything uses it. Every such entry point comes here,
// so none can forget the verification.

export interface ResolvedState {
  readonly rev: string;
  readonly commit: ParsedCommit;
  /** The full ref the rev resolved through, if any. */
  readonly ref: string | null;
  /** The verification, when the rev named a baseline. */
  readonly baseline: BaselineVerification | null;
}

/** Whether a ref is the baseline lineage or one of its named baselines. */
export function isBaselineRef(ref: string | null): boolean {
  return ref === amu0Ref || (ref?.startsWith(baselineTagPrefix) ?? false);
}

export async function resolveState(repo: Repo, rev: string): Promise<ResolvedState> {
  const { gitdir } = repo.layout;
  const resolved = await resolveCommit(gitdir, rev);
  const ref = resolved.ref ?? null;
  const baseline = isBaselineRef(ref) ? await verifyBaseline(repo, resolved.oid, { current: ref === amu0Ref }) : null;
  return { rev, commit: await readCommit(gitdir, resolved.oid), ref, baseline };
}
