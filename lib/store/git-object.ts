import { createHash } from 'node:crypto';

// Git's object encoding: `<type> <size>\0<content>`, named by the SHA-1 of those bytes.

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export const emptyTreeOid = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export function objectHeader(type: ObjectType, size: number): Buffer {
  return Buffer.from(`${type} ${size}\0`, 'latin1');
}

export function hashObject(type: ObjectType, content: Uint8Array): string {
  return createHash('sha1').update(objectHeader(type, content.length)).update(content).digest('hex');
}

export function isOid(value: string): boolean {
  return /^[0-9a-f]{40}$/u.test(value);
}

/** Splits a decompressed loose object into its type and content, checking the header. */
export function parseObject(raw: Buffer): { type: ObjectType; content: Buffer } | null {
  const nul = raw.indexOf(0);
  if (nul < 0 || nul > 32) return null;
  const match = /^(blob|tree|commit|tag) ([0-9]+)$/u.exec(raw.toString('latin1', 0, nul));
  if (!match) return null;
  const content = raw.subarray(nul + 1);
  if (Number(match[2]) !== content.length) return null;
  return { type: match[1] as ObjectType, content };
}
