import { structuredPatch } from 'diff';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { readObjectOfType } from '../store/objects.js';
import { compareUtf8 } from '../core/compare-utf8.js';

// What differs between two trees of a diverging step, file by file, with hints that name the usual
// suspects: only the order of lines changed, only line endings, a timestamp, an absolute path, a UUID.

export type Hint =
  | 'ordering only'
  | 'line endings'
  | 'looks like a timestamp'
  | 'an absolute path'
  | 'looks like a UUID'
  | 'exec bit'
  | 'file vs symlink';

export interface PathDifference {
  readonly path: string;
  readonly status: 'added' | 'deleted' | 'modified' | 'mode';
  readonly mode: readonly [string | null, string | null];
  readonly blob: readonly [string | null, string | null];
  /** Offset of the first byte that differs (null when one side is missing). */
  readonly firstDifferingByte: number | null;
  readonly diff: string | null;
  readonly hex: string | null;
  readonly hints: readonly Hint[];
}

const timestamp =
  /\b(19|20)\d\d-[01]\d-[0-3]\dT?[ ]?[0-2]?\d?:?\d?\d?|\b1[5-9]\d{8}(\d{3})?\b|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun),? [0-3]?\d |\b\d\d:\d\d:\d\d\b/u;
const uuid = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/iu;

function firstDifference(a: Buffer, b: Buffer): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : n;
}

function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

function hexWindow(content: Buffer, at: number): string {
  const start = Math.max(0, at - 16);
  const slice = content.subarray(start, start + 48);
  return `@${start}: ${slice.toString('hex').replace(/(..)/gu, '$1 ').trim()}`;
}

function hintsFor(a: Buffer, b: Buffer, changed: string, absolutePaths: readonly string[]): Hint[] {
  const hints: Hint[] = [];
  const ta = a.toString('utf8');
  const tb = b.toString('utf8');
  if (ta.replace(/\r\n/gu, '\n') === tb.replace(/\r\n/gu, '\n')) hints.push('line endings');
  else if (ta.split('\n').sort().join('\n') === tb.split('\n').sort().join('\n')) hints.push('ordering only');
  if (timestamp.test(changed)) hints.push('looks like a timestamp');
  if (
    absolutePaths.some((p) => p !== '' && changed.includes(p)) ||
    /(^|[\s"'=:])\/(home|tmp|work|root|usr|var|srv)\//u.test(changed)
  )
    hints.push('an absolute path');
  if (uuid.test(changed)) hints.push('looks like a UUID');
  return hints;
}

async function blob(gitdir: string, file: FileRecord | undefined): Promise<Buffer> {
  return file ? readObjectOfType(gitdir, file.oid, 'blob') : Buffer.alloc(0);
}

export async function explainTrees(
  gitdir: string,
  treeA: string,
  treeB: string,
  absolutePaths: readonly string[],
): Promise<PathDifference[]> {
  const a = new Map((await readFlatTree(gitdir, treeA)).files.map((f) => [f.path, f]));
  const b = new Map((await readFlatTree(gitdir, treeB)).files.map((f) => [f.path, f]));
  const paths = [...new Set([...a.keys(), ...b.keys()])]
    .filter((p) => a.get(p)?.oid !== b.get(p)?.oid || a.get(p)?.mode !== b.get(p)?.mode)
    .sort(compareUtf8);
  const out: PathDifference[] = [];
  for (const path of paths) {
    const fa = a.get(path);
    const fb = b.get(path);
    const status = !fa ? 'added' : !fb ? 'deleted' : fa.oid === fb.oid ? 'mode' : 'modified';
    const [ca, cb] = [await blob(gitdir, fa), await blob(gitdir, fb)];
    const first = fa && fb ? firstDifference(ca, cb) : null;
    let diff: string | null = null;
    let hex: string | null = null;
    let changed = '';
    if (status !== 'mode' && (isBinary(ca) || isBinary(cb))) {
      hex = `${hexWindow(ca, first ?? 0)}\n${hexWindow(cb, first ?? 0)}`;
      changed = `${ca.toString('latin1')}\n${cb.toString('latin1')}`;
    } else if (status !== 'mode') {
      const patch = structuredPatch(
        `a/${path}`,
        `b/${path}`,
        ca.toString('utf8'),
        cb.toString('utf8'),
        undefined,
        undefined,
        { context: 2 },
      );
      const lines = patch.hunks.flatMap((h) => [
        `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`,
        ...h.lines,
      ]);
      diff = lines.slice(0, 200).join('\n');
      changed = patch.hunks.flatMap((h) => h.lines.filter((l) => l.startsWith('+') || l.startsWith('-'))).join('\n');
    }
    const hints =
      status === 'mode'
        ? fa?.mode === '120000' || fb?.mode === '120000'
          ? (['file vs symlink'] as Hint[])
          : (['exec bit'] as Hint[])
        : hintsFor(ca, cb, changed, absolutePaths);
    out.push({
      path,
      status,
      mode: [fa?.mode ?? null, fb?.mode ?? null],
      blob: [fa?.oid ?? null, fb?.oid ?? null],
      firstDifferingByte: first,
      diff,
      hex,
      hints,
    });
  }
  return out;
}
