import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fc } from '../helpers/property.js';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import {
  blobCid,
  cidFromSha256,
  formatManifest,
  manifestBuilder,
  manifestCid,
  manifestItem,
  sha256Of,
} from '../../lib/store/manifest.js';
import { canonicalJson } from '../../lib/core/canonical-json.js';
import { compareUtf8 } from '../../lib/core/compare-utf8.js';

const test = suite('manifest [C-STORE]');
// The pinned CIDs were computed independently of coo (Python hashlib + RFC 4648 base32 over
// 0x01 || codec varint || 0x12 0x20 || sha256), so these tests pin the format, not coo's output.

test('a blob CID is CIDv1, raw codec, sha2-256 of the bytes (pinned)', () => {
  const cid = blobCid(sha256Of(Buffer.from('hello\n')));
  assert.is(cid, 'bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am');
  const parsed = CID.parse(cid);
  assert.is(parsed.version, 1);
  assert.is(parsed.code, 0x55);
  assert.is(parsed.multihash.code, 0x12);
});

test('coo writes every CID exactly as multiformats does, as one flat string', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.constantFrom(0x55, 0x0200, 0x70, 0x71, 0x3fff, 0x4000),
      (digest, codec) => {
        const ours = cidFromSha256(codec, digest);
        assert.is(ours, CID.create(1, codec, createDigest(0x12, digest)).toString());
        assert.equal(CID.parse(ours).multihash.digest, digest);
      },
    ),
  );
});

// Paths of printable ASCII, of any code point, and of raw UTF-16 code units (lone surrogates,
// control characters): what needs escaping in JSON must be escaped exactly as canonical JSON does.
const anyPath = fc.oneof(
  fc.string({ minLength: 1, maxLength: 8 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 8,
  }),
  fc.constantFrom('a"b', 'a\\b', 'tab\there', 'nl\n', '\u007f', '\ud83d\ude00.txt', 'lone\ud800', '\udc00lone'),
);

test('the manifest is exactly the canonical JSON of its content, paths in byte order', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(
        fc.record({
          path: anyPath,
          mode: fc.constantFrom('100644', '100755', '120000') as fc.Arbitrary<'100644'>,
          cid: fc.stringMatching(/^b[a-z2-7]{8,60}$/u),
        }),
        {
          selector: (e) => e.path,
          maxLength: 8,
        },
      ),
      (entries) => {
        const sorted = [...entries].sort((a, b) => compareUtf8(a.path, b.path));
        assert.is(formatManifest(entries).toString(), canonicalJson({ entries: sorted, format: 'coo-manifest/1' }));
        assert.is(manifestCid(entries), cidFromSha256(0x0200, sha256Of(formatManifest(entries))));
      },
    ),
  );
});

test('the builder gives the same CID however the entries come: one at a time or as runs of ready text', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(
        fc.record({
          path: anyPath,
          mode: fc.constantFrom('100644', '100755', '120000') as fc.Arbitrary<'100644'>,
          cid: fc.stringMatching(/^b[a-z2-7]{8,60}$/u),
        }),
        { selector: (e) => e.path, maxLength: 12 },
      ),
      fc.array(fc.record({ size: fc.nat(4), asText: fc.boolean() }), { maxLength: 8 }),
      (unsorted, pieces) => {
        const entries = [...unsorted].sort((a, b) => compareUtf8(a.path, b.path));
        const builder = manifestBuilder();
        let at = 0;
        for (const { size, asText } of [...pieces, { size: entries.length, asText: false }]) {
          const piece = entries.slice(at, at + size);
          at += piece.length;
          if (asText) builder.items(Buffer.from(piece.map(manifestItem).join(',')));
          else for (const e of piece) builder.entry(e);
        }
        assert.is(builder.cid(), manifestCid(entries));
      },
    ),
  );
});

test('the manifest CID does not depend on input order and changes with any field (pinned)', () => {
  const a = { path: 'a.txt', mode: '100644' as const, cid: blobCid(sha256Of(Buffer.from('a'))) };
  const b = { path: 'b/c', mode: '100755' as const, cid: blobCid(sha256Of(Buffer.from('b'))) };
  assert.is(manifestCid([a, b]), manifestCid([b, a]));
  assert.is(manifestCid([a, b]), 'bagaaieraf4sz3b4c3fc56nylbhtxxmrtflvazfzzfgsa3uyyxwj46tipnega');
  assert.is.not(manifestCid([a, { ...b, mode: '100644' }]), manifestCid([a, b]));
  assert.is.not(manifestCid([a]), manifestCid([a, b]));
  // Across the pieces it is hashed in, and from either order, it is the CID of the one text.
  const many = Array.from({ length: 9000 }, (_, i) => ({
    path: `d${i % 7}/f${i}`,
    mode: '100644' as const,
    cid: a.cid,
  }));
  assert.is(manifestCid(many), cidFromSha256(0x0200, sha256Of(formatManifest(many))));
  assert.is(manifestCid([...many].reverse()), manifestCid(many));
});

test.run();
