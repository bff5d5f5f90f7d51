import { compareUtf8 } from '../core/compare-utf8.js';
import type { RewriteOutcome } from './rewrite-worktree.js';
import type { PlannedRestore } from './restore-commit.js';

// A dry run's answer: what a planned and judged restore would change, path by path, computed from
// the very plan the real restore would carry out.

/** One change a restore makes, as a dry run lists it. */
export interface RestoreChange {
  readonly path: string;
  /** create: a path with no file now; modify: new content or file <-> link; chmod: the exec bit alone. */
  readonly action: 'create' | 'modify' | 'chmod' | 'remove';
  /** The mode the path ends with (null when removed). */
  readonly mode: string | null;
}

/** What a restore would do, computed and judged exactly as the restore itself, with nothing changed. */
export interface RestorePreview extends RewriteOutcome {
  readonly dryRun: true;
  readonly target: string;
  readonly paths?: readonly string[];
  /** Every change, in path order. */
  readonly changes: readonly RestoreChange[];
}

/** What a planned restore would change, for a dry run. */
export function previewRestore(restore: PlannedRestore): RestorePreview {
  const { plan, leftOut } = restore.planned;
  const had = new Set(restore.capture.files.map((f) => f.path));
  const changes: RestoreChange[] = [
    ...plan.write.map((f) => ({ path: f.path, action: had.has(f.path) ? 'modify' : 'create', mode: f.mode }) as const),
    ...plan.chmod.map((f) => ({ path: f.path, action: 'chmod', mode: f.mode }) as const),
    ...plan.remove.map((path) => ({ path, action: 'remove', mode: null }) as const),
  ].sort((a, b) => compareUtf8(a.path, b.path));
  return {
    dryRun: true,
    target: restore.commit.oid,
    ...(restore.paths ? { paths: restore.paths.sources } : {}),
    written: plan.write.length,
    chmod: plan.chmod.length,
    removed: plan.remove.length,
    unchanged: plan.unchanged + leftOut,
    changes,
  };
}
