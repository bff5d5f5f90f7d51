import { createHash } from 'node:crypto';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { compareUtf8 } from '../util/compare-utf8.js';
import type { FileMode } from './tree.js';

// Every file is named twice: by git's SHA-1 object id and by a CIDv1 over SHA-256 of its bytes.
// A commit's message carries the CID of its manifest (path, mode, blob CID of every file, in
// canonical JSON), so a signature over the commit also covers SHA-256 hashes of all content.

const sha256Code = 0x12;
const rawCode = 0x55;
const jsonCode = 0x0200;

export const manifestFormat = 'coo-manifest/1';

export function cidFromSha256(codec: number, sha256: Uint8Array): string {
  return CID.create(1, codec, createDigest(sha256Code, sha256)).toString();
}

export function blobCid(sha256: Uint8Array): string {
  return cidFromSha256(rawCode, sha256);
}

export function sha256Of(content: Uint8Array): Buffer {
  return createHash('sha256').update(content).digest();
}

export interface ManifestEntry {
  readonly path: string;
  readonly mode: FileMode;
  readonly cid: string;
}

/**
 * The canonical JSON of `{format, entries}` with entries sorted by path bytes. Written out by hand
 * for speed (a manifest of 50,000 files); a test pins it to canonicalJson's output.
 */
export function formatManifest(entries: readonly ManifestEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => compareUtf8(a.path, b.path));
  // cid (base32) and mode (digits) never need escaping; the path may.
  const items = sorted.map((e) => `{"cid":"${e.cid}","mode":"${e.mode}","path":${JSON.stringify(e.path)}}`);
  return Buffer.from(`{"entries":[${items.join(',')}],"format":${JSON.stringify(manifestFormat)}}`);
}

export function manifestCid(entries: readonly ManifestEntry[]): string {
  return cidFromSha256(jsonCode, sha256Of(formatManifest(entries)));
}

/** The SHA-256 inside a sha2-256 CID, as hex. */
export function sha256HexOfCid(cid: string): string {
  return Buffer.from(CID.parse(cid).multihash.digest).toString('hex');
}
