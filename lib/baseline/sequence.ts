import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.js';
import { parseTrailers } from '../store/trailers.js';
import type { ParsedCommit } from '../store/commit.js';
import { listOperations } from '../state/oplog.js';
import type { Repo } from '../store/repo.js';

// Every baseline carries a sequence number in its signed message (`Coo-Sequence`), one more than
// its predecessor's. coo remembers the highest it has written or accepted (a high-water mark,
// kept both in a file and in the operation log), so a baseline ref moved back to an older
// signed commit is caught even though that commit's signature is good. The file is read first;
// the log (a walk of every operation) only when the file is missing.

export const amu0Ref = 'refs/heads/amu0';
export const baselineTagPrefix = 'refs/tags/amu0/';

export function sequenceOf(commit: ParsedCommit): number | null {
  const value = parseTrailers(commit.message).get('Coo-Sequence');
  return value !== undefined && /^[1-9][0-9]{0,15}$/u.test(value) ? Number(value) : null;
}

function markPath(repo: Repo): string {
  return join(repo.layout.privateDir, 'amu0-sequence');
}

export async function highWaterMark(repo: Repo): Promise<number> {
  let mark = 0;
  try {
    return Number(readFileSync(markPath(repo), 'utf8').trim()) || 0;
  } catch {
    // no file: the operation log speaks
  }
  for (const entry of await listOperations(repo)) {
    const seq = entry.record['sequence'];
    if ((entry.record.op === 'baseline-create' || entry.record.op === 'baseline-promote') && typeof seq === 'number')
      mark = Math.max(mark, seq);
  }
  return mark;
}

export function raiseHighWaterMark(repo: Repo, sequence: number): void {
  let mark = 0;
  try {
    mark = Number(readFileSync(markPath(repo), 'utf8').trim()) || 0;
  } catch {
    // first baseline
  }
  if (sequence > mark) writeFileAtomic(markPath(repo), `${sequence}\n`, { fsync: true });
}
