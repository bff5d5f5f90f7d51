import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import type { Repo } from '../store/repo.js';
import { readJsonFile } from '../core/json-document.js';
import { rootPathspecArg } from '../core/pathspec.js';

/** A word as a POSIX shell reads it back: as it is when plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/u.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

// A working-tree rewrite (rollback, restore, undo) cannot be atomic as a whole, so it is written
// down before the first file changes and removed after the last one is checked. If coo dies in
// between, the journal says what was under way and how to finish or return.

export interface Journal {
  readonly version: 1;
  readonly op: string;
  /** The commit being restored. */
  readonly target: string;
  /** The safety snapshot taken just before: the tree as it was. */
  readonly safety: string;
  /** A path restore's pathspecs (repository-relative): finishing or undoing it touches only those. */
  readonly paths?: readonly string[];
  readonly startedAt: string;
}

function journalPath(repo: Repo): string {
  return join(repo.layout.privateDir, 'journal.json');
}

export async function readJournal(repo: Repo): Promise<Journal | null> {
  return readJsonFile<Journal, null>(journalPath(repo), {
    schema: 'journal',
    code: 'E_STATE_CORRUPT',
    missing: () => null,
  });
}

export function writeJournal(repo: Repo, journal: Journal): void {
  writeFileAtomic(journalPath(repo), JSON.stringify(journal), { fsync: true });
}

export function clearJournal(repo: Repo): void {
  rmSync(journalPath(repo), { force: true });
}

/** Refuses to work on a tree that an interrupted rewrite left half-done. */
export async function ensureNoJournal(repo: Repo): Promise<void> {
  const journal = await readJournal(repo);
  if (!journal) return;
  throw new CooError(
    'E_INTERRUPTED',
    `an earlier ${journal.op} to ${journal.target.slice(0, 12)} was interrupted; the working tree is part old, part new`,
    {
      ...journal,
      todo: [
        `coo rollback ${journal.target}${journal.paths ? ` -- ${journal.paths.map((p) => shellWord(rootPathspecArg(p))).join(' ')}` : ''}   # finish it`,
        `coo undo   # return to the safety snapshot ${journal.safety.slice(0, 12)}`,
      ],
    },
  );
}
