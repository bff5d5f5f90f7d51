import { createHash } from 'node:crypto';
import { readObjectOfType } from './objects.js';
import type { FileRecord } from './flat-tree.js';
import { blobCid, manifestCid } from './manifest.js';
import { parseTrailers } from './trailers.js';
import type { ParsedCommit } from './commit.js';

// The manifest CID of a stored tree, computed from its blobs (reading every one), and the one a
// commit claims in its `Coo-Manifest` trailer. Verification compares the two.

export async function computeManifestCid(gitdir: string, files: readonly FileRecord[]): Promise<string> {
  const entries = [];
  for (const file of files) {
    const content = await readObjectOfType(gitdir, file.oid, 'blob');
    entries.push({ path: file.path, mode: file.mode, cid: blobCid(createHash('sha256').update(content).digest()) });
  }
  return manifestCid(entries);
}

export function claimedManifest(commit: ParsedCommit): string | null {
  return parseTrailers(commit.message).get('Coo-Manifest') ?? null;
}
