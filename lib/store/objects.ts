import { CooError } from '../core/coo-error.js';
import { emptyTreeOid, type ObjectType } from './git-object.js';
import { hasLooseObject, readLooseObject } from './loose-objects.js';
import { inPack, packedObject } from './pack-reader.js';
import { isogit, isogitCache, isogitFs } from './isogit.js';

// Reading any object of the state repo: loose objects and whole packed ones directly (fast,
// checked against their id), deltified ones (packs from `git gc` or a fetch) through
// isomorphic-git's pack reader.

export interface GitObject {
  readonly type: ObjectType;
  readonly content: Buffer;
}

export async function readObject(gitdir: string, oid: string): Promise<GitObject> {
  if (oid === emptyTreeOid) return { type: 'tree', content: Buffer.alloc(0) };
  // The packs already known first (a lookup in memory; a loose miss costs a failed open), then
  // loose objects, then packs written since.
  const packed = packedObject(gitdir, oid, false) ?? readLooseObject(gitdir, oid) ?? packedObject(gitdir, oid, true);
  if (packed === null) throw missing(oid);
  if (packed !== 'delta') return packed;
  const git = await isogit();
  try {
    const found = await git.readObject({ fs: isogitFs, gitdir, oid, format: 'content', cache: isogitCache(gitdir) });
    return { type: found.type as ObjectType, content: Buffer.from(found.object as Uint8Array) };
  } catch (cause) {
    throw missing(oid, cause);
  }
}

function missing(oid: string, cause?: unknown): CooError {
  return new CooError('E_STATE_CORRUPT', `object ${oid} is missing from the state repository`, { oid }, { cause });
}

export async function readObjectOfType(gitdir: string, oid: string, type: ObjectType): Promise<Buffer> {
  const found = await readObject(gitdir, oid);
  if (found.type !== type) {
    throw new CooError(
      type === 'commit' ? 'E_NOT_A_COMMIT' : 'E_STATE_CORRUPT',
      `object ${oid} is a ${found.type}, not a ${type}`,
      {
        oid,
        expected: type,
        found: found.type,
      },
    );
  }
  return found.content;
}

export async function hasObject(gitdir: string, oid: string): Promise<boolean> {
  return oid === emptyTreeOid || hasLooseObject(gitdir, oid) || inPack(gitdir, oid);
}
