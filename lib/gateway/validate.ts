import { canonicalKey, checkGatewayPath } from '../core/gateway-path.js';
import { keepsPin, type Registry } from '../governance/protected.js';
import { checkScope, type ChangeKind, type MissionScope } from '../governance/scope.js';
import { compareUtf8 } from '../core/compare-utf8.js';
import type { GovernedDir } from '../core/config.js';
import { checkGoverned } from './validate-governed.js';
import { checkOrder, type CurrentFile, type Violation } from './violation.js';
import { modeOf, pinOfContent, type WriteOp } from './write-set.js';
import type { BoundaryProblem } from './boundary.js';

// The gateway's judgement of a write set, in a fixed order of checks: syntax, reserved names,
// limits, canonical form, protected registry (with the governed directories' naming and version
// rules), mission scope and ceilings, collisions, filesystem boundary. A path is reported at the
// first check it fails; every failing path is reported; the list is sorted by check, then path, so
// the same input always gives the same violations in the same order.
//
// Pure, and in two depths: without a tree (`tree: null`) it judges what the write set and the
// policy alone decide (paths, limits, the protected registry, naming, scope rules that refuse a
// path whatever is there, ceilings), so the gateway refuses those before it reads the working
// tree; with the captured tree it judges everything.

/** The working tree as captured, and what is on disk besides. */
export interface TreeView {
  /** The captured working tree: path → blob id and pin. */
  readonly current: ReadonlyMap<string, CurrentFile>;
  /** What is on disk along a path (symlinks, hard links, special files, outside the root). */
  readonly probe: (path: string) => BoundaryProblem | null;
  /** What is on disk at a path no capture holds (special files are left to the boundary check). */
  readonly uncaptured: (path: string) => 'file' | 'dir' | 'special' | null;
}

export interface ValidationInput {
  readonly ops: readonly WriteOp[];
  /** The working tree, or null to judge the write set and the policy alone. */
  readonly tree: TreeView | null;
  readonly registry: Registry;
  readonly governed: readonly GovernedDir[];
  readonly maxFileBytes: number;
  /** The absolute root the write set goes under (the length limit counts it). */
  readonly root?: string;
  readonly scope: MissionScope | null;
  /** Protected paths an approved request allows, with the exact pin (null: deletion) approved. */
  readonly authorized: ReadonlyMap<string, string | null>;
}

const noFiles: ReadonlyMap<string, CurrentFile> = new Map();

export function changeKind(op: WriteOp, current: ReadonlyMap<string, CurrentFile>): ChangeKind {
  return op.kind === 'delete' ? 'delete' : current.has(op.path) ? 'modify' : 'create';
}

export function validateWriteSet(input: ValidationInput): Violation[] {
  const { ops, tree } = input;
  const current = tree?.current ?? noFiles;
  const failed = new Map<string, Violation>();
  const fail = (v: Violation): void => {
    if (!failed.has(v.path)) failed.set(v.path, v);
  };
  const pending = (): WriteOp[] => ops.filter((op) => !failed.has(op.path));

  // Duplicates first, so that every later check sees each path once.
  const seen = new Set<string>();
  for (const op of ops) {
    if (seen.has(op.path))
      fail({ path: op.path, check: 'collisions', code: 'E_WRITE_DUPLICATE', reason: 'named twice in the write set' });
    seen.add(op.path);
  }

  for (const op of ops) {
    const problem = checkGatewayPath(op.path, {
      symlink: op.kind === 'write' && op.mode === '120000',
      ...(input.root === undefined ? {} : { root: input.root }),
    });
    if (problem) fail({ path: op.path, check: problem.check, code: problem.code, reason: problem.reason });
    else if (op.kind === 'write' && op.content.length > input.maxFileBytes) {
      fail({
        path: op.path,
        check: 'limits',
        code: 'E_CONTENT_TOO_LARGE',
        reason: `${op.content.length} bytes > ${input.maxFileBytes}`,
      });
    }
  }

  // Canonical form: one spelling per canonical key, against the tree and within the set, for every
  // component: `SRC/new.txt` beside a directory `src/` is a twin as much as `README.md` beside
  // `readme.md` is (a case-insensitive filesystem puts it in `src/`).
  const deleting = new Set(ops.filter((op) => op.kind === 'delete').map((op) => op.path));
  const keys = new Map<string, string>();
  const claimed = new Set<string>();
  const claim = (path: string): void => {
    for (const prefix of prefixes(path)) {
      if (claimed.has(prefix)) continue;
      claimed.add(prefix);
      const key = canonicalKey(prefix);
      if (!keys.has(key)) keys.set(key, prefix);
    }
  };
  for (const path of current.keys()) if (!deleting.has(path)) claim(path);
  for (const op of pending()) {
    if (op.kind === 'delete') continue;
    const twin = prefixes(op.path)
      .map((prefix) => ({ prefix, existing: keys.get(canonicalKey(prefix)) }))
      .find(({ prefix, existing }) => existing !== undefined && existing !== prefix);
    if (twin) {
      fail({
        path: op.path,
        check: 'canonical',
        code: 'E_PATH_CASE_TWIN',
        reason: `${JSON.stringify(twin.prefix)} has the same name as ${JSON.stringify(twin.existing)} on a case-insensitive filesystem`,
        data: { existing: twin.existing },
      });
    } else claim(op.path);
  }

  for (const op of pending()) {
    const after = op.kind === 'write' ? pinOfContent(op.content) : null;
    if (!input.registry.isProtected(op.path)) continue;
    const approved = input.authorized.has(op.path) && input.authorized.get(op.path) === after;
    if (
      !approved &&
      !(op.kind === 'write' && modeOf(op) !== '120000' && keepsPin(input.registry, { path: op.path, after }))
    ) {
      fail({
        path: op.path,
        check: 'protected',
        code: 'E_GOVERNANCE_PROTECTED',
        reason: 'a protected artefact',
        data: { pin: input.registry.pinOf(op.path) },
      });
    }
  }
  for (const v of checkGoverned(input.governed, pending(), tree?.current ?? null)) fail(v);

  if (input.scope)
    for (const v of scopeViolations(input.scope, pending(), tree?.current ?? null)) {
      if (v.path === '')
        failed.set(`\0${v.code}`, v); // a ceiling of the whole set
      else fail(v);
    }

  if (!tree) return sorted(failed);
  for (const v of collisions(pending(), current, deleting, tree.uncaptured)) fail(v);
  for (const op of pending()) {
    const problem = tree.probe(op.path);
    if (problem) fail({ path: op.path, check: 'boundary', code: problem.code, reason: problem.reason });
  }
  return sorted(failed);
}

/** `a`, `a/b`, `a/b/c` for `a/b/c`: every directory on the way, then the path. */
function prefixes(path: string): string[] {
  const out: string[] = [];
  for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) out.push(path.slice(0, at));
  out.push(path);
  return out;
}

function sorted(failed: ReadonlyMap<string, Violation>): Violation[] {
  return [...failed.values()].sort(
    (a, b) =>
      checkOrder.indexOf(a.check) - checkOrder.indexOf(b.check) ||
      compareUtf8(a.path, b.path) ||
      (a.code < b.code ? -1 : 1),
  );
}

/**
 * Scope and ceilings. Without the tree a write may be a create or a modify: it is refused only
 * when the scope refuses both (the tree decides the rest).
 */
function scopeViolations(
  scope: MissionScope,
  ops: readonly WriteOp[],
  current: ReadonlyMap<string, CurrentFile> | null,
): Violation[] {
  const asKind = (kind: ChangeKind | null) =>
    ops.map((op) => ({
      path: op.path,
      kind: kind !== null && op.kind === 'write' ? kind : changeKind(op, current ?? noFiles),
      bytes: op.kind === 'write' ? op.content.length : 0,
    }));
  const toViolation = (v: ReturnType<typeof checkScope>[number]): Violation => ({
    path: v.path,
    check: 'scope',
    code: v.code,
    reason: v.reason,
    data: v.data,
  });
  if (current) return checkScope(scope, asKind(null)).map(toViolation);
  const asModify = new Set(checkScope(scope, asKind('modify')).map((v) => `${v.path}\0${v.code}`));
  return checkScope(scope, asKind('create'))
    .filter((v) => asModify.has(`${v.path}\0${v.code}`))
    .map(toViolation);
}

function collisions(
  ops: readonly WriteOp[],
  current: ReadonlyMap<string, CurrentFile>,
  deleting: ReadonlySet<string>,
  uncaptured: TreeView['uncaptured'],
): Violation[] {
  const out: Violation[] = [];
  const writing = new Set(ops.filter((op) => op.kind === 'write').map((op) => op.path));
  const remains = (path: string): boolean => (current.has(path) && !deleting.has(path)) || writing.has(path);
  const dirsAfter = new Set<string>();
  for (const path of [...current.keys(), ...writing]) {
    if (!remains(path)) continue;
    for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) dirsAfter.add(path.slice(0, at));
  }
  for (const op of ops) {
    const here = current.get(op.path);
    if (op.expect !== undefined && (here?.oid ?? null) !== op.expect) {
      out.push({
        path: op.path,
        check: 'collisions',
        code: 'E_CHANGED_SINCE_BASE',
        reason: 'changed since the state this write is based on',
        data: { expected: op.expect, found: here?.oid ?? null },
      });
      continue;
    }
    if (op.kind === 'delete') {
      if (!here)
        out.push({ path: op.path, check: 'collisions', code: 'E_PATH_NOT_FOUND', reason: 'no such file to delete' });
      continue;
    }
    if (dirsAfter.has(op.path)) {
      out.push({
        path: op.path,
        check: 'collisions',
        code: 'E_COLLISION_FILE_DIR',
        reason: 'a file would replace a directory that keeps files',
      });
      continue;
    }
    const parentFile = op.path
      .split('/')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('/'))
      .find((prefix) => remains(prefix));
    if (parentFile) {
      out.push({
        path: op.path,
        check: 'collisions',
        code: 'E_COLLISION_FILE_DIR',
        reason: `${parentFile} is a file`,
        data: { file: parentFile },
      });
      continue;
    }
    if (!here && uncaptured(op.path) === 'file') {
      out.push({
        path: op.path,
        check: 'collisions',
        code: 'E_WORKTREE_CONFLICT',
        reason: 'an uncaptured (ignored or skipped) file is there',
        data: { paths: [op.path] },
      });
    }
  }
  return out;
}
