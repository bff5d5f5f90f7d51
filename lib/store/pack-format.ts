import { inflateSync } from 'node:zlib';
import { join } from 'node:path';
import { hashObject, type ObjectType } from './git-object.js';

// Git's pack format (Documentation/gitformat-pack.txt), the parts coo writes and reads: where packs
// live, and the header of one packed entry (a 3-bit type and a size in 7-bit groups). Types 1-4
// are whole objects; 6 and 7 are deltas, which coo never writes and leaves to isomorphic-git.

const typeCode: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
const typeName: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };

export function packDir(gitdir: string): string {
  return join(gitdir, 'objects', 'pack');
}

export function entryHeader(type: ObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (typeCode[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/** The type, size and data offset of a packed entry; null for a delta. */
export function parseEntry(raw: Buffer): { type: ObjectType; size: number; dataAt: number } | null {
  let byte = raw[0] as number;
  const type = typeName[(byte >> 4) & 7];
  let size = byte & 0x0f;
  let shift = 4;
  let at = 1;
  while (byte & 0x80) {
    byte = raw[at++] as number;
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  }
  return type ? { type, size, dataAt: at } : null;
}

/** Whether a packed entry is a whole object (no delta) whose content matches `oid`. */
export function wholeAndRight(bytes: Buffer, oid: string): boolean {
  const entry = parseEntry(bytes);
  if (!entry) return false;
  try {
    const content = inflateSync(bytes.subarray(entry.dataAt));
    return content.length === entry.size && hashObject(entry.type, content) === oid;
  } catch {
    return false;
  }
}
