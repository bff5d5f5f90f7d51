import { CooError } from '../core/coo-error.js';
import { compareUtf8 } from '../core/compare-utf8.js';

// Git tree objects: `<mode> <name>\0<20-byte id>` per entry, sorted by name as bytes with a
// directory compared as if its name ended in `/`. `git fsck --strict` rejects any other order,
// duplicate names, and modes other than these.

export type FileMode = '100644' | '100755' | '120000';
export type EntryMode = FileMode | '40000' | '160000';

export interface TreeEntry {
  readonly name: string;
  readonly mode: EntryMode;
  readonly oid: string;
}

const modes = new Set<string>(['100644', '100755', '120000', '40000', '160000']);

function sortKey(entry: TreeEntry): string {
  return entry.mode === '40000' ? `${entry.name}/` : entry.name;
}

export function compareTreeEntries(a: TreeEntry, b: TreeEntry): number {
  return compareUtf8(sortKey(a), sortKey(b));
}

export function formatTree(entries: readonly TreeEntry[]): Buffer {
  const sorted = [...entries].sort(compareTreeEntries);
  let length = 0;
  for (const entry of sorted) length += entry.mode.length + Buffer.byteLength(entry.name) + 22;
  const out = Buffer.allocUnsafe(length); // every byte is written below
  let at = 0;
  for (const entry of sorted) {
    at += out.write(entry.mode, at, 'latin1');
    out[at++] = 0x20;
    at += out.write(entry.name, at, 'utf8');
    out[at++] = 0;
    const written = out.write(entry.oid, at, 'hex');
    if (written !== 20 || entry.oid.length !== 40)
      throw new CooError(
        'E_INTERNAL',
        `tree entry ${JSON.stringify(entry.name)} has no object id: ${JSON.stringify(entry.oid)}`,
        { name: entry.name },
      );
    at += 20;
  }
  return out;
}

export function parseTree(content: Buffer, oid = '(tree)'): TreeEntry[] {
  const entries: TreeEntry[] = [];
  const names = new Set<string>();
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    const nul = content.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 21 > content.length) break;
    const mode = content.toString('latin1', at, space);
    const name = content.toString('utf8', space + 1, nul);
    const entryOid = content.toString('hex', nul + 1, nul + 21);
    if (!modes.has(mode) || name === '' || name.includes('/') || names.has(name)) {
      throw new CooError('E_STATE_CORRUPT', `tree ${oid} has a malformed entry ${JSON.stringify(name)}`, {
        oid,
        name,
        mode,
      });
    }
    names.add(name);
    entries.push({ name, mode: mode as EntryMode, oid: entryOid });
    at = nul + 21;
  }
  if (at !== content.length) throw new CooError('E_STATE_CORRUPT', `tree ${oid} is truncated`, { oid });
  return entries;
}
