import { realpathSync } from 'node:fs';
import type { Repo } from '../store/repo.js';
import { ensureNotTampered, pinsOfCapture, registryOf } from '../governance/governance.js';
import type { MissionScope } from '../governance/scope.js';
import { captureSnapshot, type CapturedSnapshot } from '../state/take-snapshot.js';
import { existsOnDisk, probeBoundary } from './boundary.js';
import { validateWriteSet, type ValidationInput } from './validate.js';
import type { CurrentFile, Violation } from './violation.js';
import type { WriteOp } from './write-set.js';

// The gateway's judgement, first of all: what the write set and the policy alone decide is judged
// before the working tree is read; only a write set that passes is judged against the tree, which
// is captured (its objects stored for the safety snapshot, nothing recorded yet). A refused write
// has moved no ref.

export interface JudgeInput {
  readonly ops: readonly WriteOp[];
  /** The mission whose scope and ceilings bound this write, if any. */
  readonly mission?: MissionScope;
  /** Protected paths an approved request allows, each with the exact pin approved (null: delete). */
  readonly authorized?: ReadonlyMap<string, string | null>;
  /** Protected files an approved request accepts as changed outside coo, with the exact content accepted. */
  readonly tolerate?: ReadonlyMap<string, string | null>;
  /** Judge against the tree even when the write set alone is refused, so that every violation is listed (a mission's report). */
  readonly complete?: boolean;
}

/** A write set judged against the tree it would change. */
export interface Judged {
  readonly captured: CapturedSnapshot;
  readonly current: ReadonlyMap<string, CurrentFile>;
}

export type Judgement =
  | { readonly violations: readonly Violation[]; readonly judged: null }
  | { readonly violations: readonly []; readonly judged: Judged };

export async function judgeWriteSet(repo: Repo, input: JudgeInput): Promise<Judgement> {
  const { root } = repo.layout;
  const registry = await registryOf(repo);
  const policy: Omit<ValidationInput, 'tree'> = {
    ops: input.ops,
    registry,
    governed: repo.config.governed,
    maxFileBytes: repo.config.gateway.maxFileBytes,
    root,
    scope: input.mission ?? null,
    authorized: input.authorized ?? new Map(),
  };
  const early = validateWriteSet({ ...policy, tree: null });
  if (early.length > 0 && !input.complete) return { violations: early, judged: null };

  const captured = await captureSnapshot(repo, { kind: 'safety' });
  const files = captured.capture.files;
  const pins = pinsOfCapture(files);
  ensureNotTampered(registry, pins, input.tolerate);
  const current = new Map<string, CurrentFile>(
    files.map((f) => [f.path, { oid: f.oid, pin: pins.get(f.path) as string }]),
  );
  const rootReal = realpathSync(root);
  const violations = validateWriteSet({
    ...policy,
    tree: {
      current,
      probe: (path) => probeBoundary(root, rootReal, path),
      uncaptured: (path) => (current.has(path) ? null : existsOnDisk(root, path)),
    },
  });
  return violations.length > 0 ? { violations, judged: null } : { violations: [], judged: { captured, current } };
}
