import type { ObjectType } from './git-object.js';
import { writeObjectWithId } from './loose-objects.js';
import { packLookup } from './pack-reader.js';
import { PackWriter } from './pack-writer.js';

// Where a capture puts the objects it hashed. A handful are written on the spot as loose objects.
// More (an incremental snapshot's tens, a first snapshot's 50,000) go into one new pack (pack-writer.ts):
// creating a file costs the kernel 0.2-1 ms here, so one file per object costs what one pack
// does not (small packs are folded together as they accumulate). Objects already packed are left
// out.
// Either way every object is in place, whole, when `close` returns, and the caller writes nothing
// that refers to them before that.
//
// (A worker thread compressing into the pack was tried: the capture ran no faster, since without
// per-object files the writing is no longer the slow half, and the second V8 heap cost ~80 MB.)

export interface ObjectWriter {
  /** Stores an object whose id the caller computed. `content` may be reused once this returns. */
  put(oid: string, type: ObjectType, content: Uint8Array): void;
  /** Puts every object in place (finishes the pack); after a failure, drops what is unfinished. */
  close(failed?: boolean): void;
}

/** At and above this many blobs to store, a capture writes a pack. */
export const bulkObjects = 8;

export function objectWriter(gitdir: string, expected: number): ObjectWriter {
  if (expected < bulkObjects)
    return { put: (oid, type, content) => writeObjectWithId(gitdir, oid, type, content), close: () => {} };
  let pack: PackWriter | null = null;
  const packed = packLookup(gitdir);
  return {
    put(oid, type, content) {
      // Loose objects are not looked for (a failed lookup costs a syscall per object): an object
      // both loose and packed is harmless, as after any `git gc`.
      if (packed(oid)) return;
      pack ??= new PackWriter(gitdir);
      pack.add(oid, type, content);
    },
    close(failed = false) {
      if (!pack) return;
      if (failed) pack.abandon();
      else pack.finish();
    },
  };
}
