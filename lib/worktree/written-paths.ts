import { join } from 'node:path';
import { readJsonFile } from '../core/json-document.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { compareUtf8 } from '../core/compare-utf8.js';

// The paths coo wrote through its gateway where git's ignore rules would leave them out of a
// capture (a file in an ignored directory). coo keeps capturing them, as git keeps tracking what
// was added, so that `coo undo` can take such a write back and a later write or `coo rm` finds the
// file. A path leaves the list when coo deletes it.

interface WrittenFile {
  readonly version: 1;
  readonly paths: string[];
}

function listPath(privateDir: string): string {
  return join(privateDir, 'written-paths.json');
}

export async function readWrittenPaths(privateDir: string): Promise<Set<string>> {
  const file = await readJsonFile<WrittenFile, null>(listPath(privateDir), {
    schema: 'written-paths',
    code: 'E_STATE_CORRUPT',
    maxBytes: 256 * 1024 * 1024,
    missing: () => null,
  });
  return new Set(file?.paths ?? []);
}

/** Adds and removes paths (the caller holds the lock); writes nothing when nothing changes. */
export async function updateWrittenPaths(
  privateDir: string,
  change: { add: readonly string[]; remove: readonly string[] },
): Promise<void> {
  const paths = await readWrittenPaths(privateDir);
  const before = paths.size;
  let changed = false;
  for (const path of change.remove) changed = paths.delete(path) || changed;
  for (const path of change.add) paths.add(path);
  if (!changed && paths.size === before) return;
  const doc: WrittenFile = { version: 1, paths: [...paths].sort(compareUtf8) };
  writeFileAtomic(listPath(privateDir), `${JSON.stringify(doc, null, 2)}\n`, { fsync: true });
}
