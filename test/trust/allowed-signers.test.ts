import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { findSigner, formatAllowedSigner, parseAllowedSigners } from '../../lib/trust/allowed-signers.js';
import { parseOpenSshPrivateKey } from '../../lib/trust/ed25519-key.js';
import { fixtures } from '../helpers/sandbox.js';

const test = suite('allowed signers');
const pub = (name: string): string => readFileSync(join(fixtures, 'keys', `${name}.pub`), 'utf8').trim();
const key = parseOpenSshPrivateKey(readFileSync(join(fixtures, 'keys', 'ed25519'), 'utf8'), 'k').publicKey;

test('parses principals, options and comments as ssh-keygen documents them', () => {
  const text = [
    '# comment',
    '',
    `alice@x,bob@x ${pub('ed25519')}`,
    `carol@x namespaces="file,git",valid-after=20200101,valid-before="20300101Z" ${pub('stranger')}`,
    `ca@x cert-authority ${pub('ed25519')}`,
    `rsa@x ${pub('rsa')}`,
  ].join('\n');
  const signers = parseAllowedSigners(text);
  assert.is(signers.length, 3);
  assert.equal(signers[0]?.principals, ['alice@x', 'bob@x']);
  assert.is(signers[0]?.namespaces, null);
  assert.equal(signers[1]?.namespaces, ['file', 'git']);
  assert.is(signers[1]?.validBefore, Date.UTC(2030, 0, 1) / 1000);
  assert.ok(signers[2]?.certAuthority);
});

test('findSigner honours namespace and validity window, and never trusts a CA line as a key', () => {
  const signers = parseAllowedSigners(
    `a@x namespaces="file" ${pub('ed25519')}\nb@x valid-before=20000101Z ${pub('ed25519')}\nc@x cert-authority ${pub('ed25519')}\n`,
  );
  assert.is(findSigner(signers, key, { namespace: 'git', time: 1700000000 }), null);
  const ok = parseAllowedSigners(`d@x valid-after=20200101Z ${pub('ed25519')}\n`);
  assert.is(findSigner(ok, key, { namespace: 'git', time: 1500000000 }), null);
  assert.equal(findSigner(ok, key, { namespace: 'git', time: 1700000000 })?.principals, ['d@x']);
});

test('the line coo writes is parsed back to the same key, limited to namespace git', () => {
  const [signer] = parseAllowedSigners(formatAllowedSigner('me@x', key));
  assert.equal(signer?.publicKey, key);
  assert.equal(signer?.namespaces, ['git']);
});

test.run();
