import { createHash } from 'node:crypto';
import { CID } from 'multiformats/cid';
import { compareUtf8 } from '../core/compare-utf8.js';
import type { FileMode } from './tree.js';

// Every file is named twice: by git's SHA-1 object id and by a CIDv1 over SHA-256 of its bytes.
// A commit's message carries the CID of its manifest (path, mode, blob CID of every file, in
// canonical JSON), so a signature over the commit also covers SHA-256 hashes of all content.

const sha256Code = 0x12;
const rawCode = 0x55;
const jsonCode = 0x0200;

export const manifestFormat = 'coo-manifest/1';

// A CIDv1 over a SHA-256 digest is fixed bytes (0x01, the codec as a varint, 0x12 0x20, the
// digest) in base32 behind a 'b'. multiformats names and parses CIDs here, and a test holds this
// encoder to its output; encoding is done here because multiformats builds the text a character
// at a time, and V8 keeps such a string as a chain of ~60 pieces (~2 KB): a snapshot of 50,000
// files held 100 MB of them. Text made from a Buffer is one flat string of 59 bytes.

const base32 = 'abcdefghijklmnopqrstuvwxyz234567';

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return out;
}

export function cidFromSha256(codec: number, sha256: Uint8Array): string {
  const bytes = Buffer.from([1, ...varint(codec), sha256Code, 32, ...sha256]);
  const text = Buffer.allocUnsafe(1 + Math.ceil((bytes.length * 8) / 5));
  text[0] = 0x62; // 'b'
  let at = 1;
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text[at++] = base32.charCodeAt((value >>> bits) & 31);
    }
  }
  if (bits > 0) text[at++] = base32.charCodeAt((value << (5 - bits)) & 31);
  return text.toString('latin1', 0, at);
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

const byPath = (a: ManifestEntry, b: ManifestEntry): number => compareUtf8(a.path, b.path);

function inPathOrder(entries: readonly ManifestEntry[]): readonly ManifestEntry[] {
  for (let i = 1; i < entries.length; i++)
    if (byPath(entries[i - 1] as ManifestEntry, entries[i] as ManifestEntry) > 0) return [...entries].sort(byPath);
  return entries; // a capture's files already are
}

// cid (base32) and mode (digits) never need escaping; the path may. JSON.stringify escapes only
// `"`, `\`, control characters and lone surrogates; a path with none of these (nearly every one)
// is quoted as it is, which for 10,000 paths is a few milliseconds instead of ~40 (cold).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters JSON.stringify escapes
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/u;
const quoted = (path: string): string => (needsEscape.test(path) ? JSON.stringify(path) : `"${path}"`);

/** One entry's text in the manifest: `{"cid":…,"mode":…,"path":…}`, canonical JSON. */
export const manifestItem = (e: ManifestEntry): string =>
  `{"cid":"${e.cid}","mode":"${e.mode}","path":${quoted(e.path)}}`;
const head = '{"entries":[';
const tail = `],"format":${JSON.stringify(manifestFormat)}}`;

/**
 * The canonical JSON of `{format, entries}` with entries sorted by path bytes. Written out by hand
 * for speed (a manifest of 50,000 files); a test pins it to canonicalJson's output.
 */
export function formatManifest(entries: readonly ManifestEntry[]): Buffer {
  return Buffer.from(`${head}${inPathOrder(entries).map(manifestItem).join(',')}${tail}`);
}

/**
 * Hashes a manifest as it is written out, entries in path order: one entry at a time, or a run of
 * consecutive items that are already text (`manifestItem`s joined by commas, as a capture's stat
 * cache keeps them), which is hashed as it is. Entries are rendered and hashed a few thousand at a
 * time rather than as one text.
 */
export interface ManifestBuilder {
  entry(e: ManifestEntry): void;
  items(text: Uint8Array): void;
  /** The manifest's CID; nothing may be added after. */
  cid(): string;
}

export function manifestBuilder(): ManifestBuilder {
  const sha256 = createHash('sha256').update(head);
  let pending: string[] = [];
  let empty = true;
  const flush = (): void => {
    if (pending.length === 0) return;
    sha256.update(`${empty ? '' : ','}${pending.join(',')}`);
    empty = false;
    pending = [];
  };
  return {
    entry(e) {
      pending.push(manifestItem(e));
      if (pending.length === 4096) flush();
    },
    items(text) {
      if (text.length === 0) return;
      flush();
      if (!empty) sha256.update(',');
      sha256.update(text);
      empty = false;
    },
    cid() {
      flush();
      return cidFromSha256(jsonCode, sha256.update(tail).digest());
    },
  };
}

/**
 * The CID of formatManifest(entries). A caller whose entries are in path order by construction
 * says so with `ordered`, and the check (a tenth of the time, for 10,000 paths that share long
 * prefixes) is skipped.
 */
export function manifestCid(entries: readonly ManifestEntry[], ordered = false): string {
  const builder = manifestBuilder();
  for (const e of ordered ? entries : inPathOrder(entries)) builder.entry(e);
  return builder.cid();
}

/** The SHA-256 inside a sha2-256 CID, as hex. */
export function sha256HexOfCid(cid: string): string {
  return Buffer.from(CID.parse(cid).multihash.digest).toString('hex');
}
