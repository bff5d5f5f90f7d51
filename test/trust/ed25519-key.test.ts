import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ed25519KeyFromSeed,
  formatOpenSshPrivateKey,
  formatPublicKeyLine,
  generateEd25519Key,
  parseOpenSshPrivateKey,
  parsePublicKeyBlob,
  privateKeyObject,
} from '../../lib/trust/ed25519-key.js';
import { sign } from 'node:crypto';
import { armor, dearmor } from '../../lib/trust/ssh-wire.js';
import { fixtures, sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('Ed25519 keys in OpenSSH format');
let box: Sandbox;
test.before.each(() => {
  box = sandbox({ gitInit: false });
});
test.after.each(() => box.cleanup());

const fixture = (name: string): string => readFileSync(join(fixtures, 'keys', name), 'utf8');
/** The key file with the second half of its body cut off. */
const truncated = (text: string): string => {
  const blob = dearmor('OPENSSH PRIVATE KEY', text) as Buffer;
  return armor('OPENSSH PRIVATE KEY', blob.subarray(0, blob.length >> 1), 70);
};

test('a key from a seed is RFC 8032 test vector 1: its public key and its signature of the empty message', () => {
  const key = ed25519KeyFromSeed(
    Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
    'vector',
  );
  assert.is(key.publicKey.toString('hex'), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  assert.is(
    sign(null, Buffer.alloc(0), privateKeyObject(key)).toString('hex'),
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  );
  assert.throws(() => ed25519KeyFromSeed(Buffer.alloc(31), 'short'));
});

test('reads a key ssh-keygen made, with the public half its .pub file names', () => {
  const key = parseOpenSshPrivateKey(fixture('ed25519'), 'ed25519');
  assert.is(key.comment, 'fixture@coo.test');
  assert.is(`${formatPublicKeyLine(key.publicKey, key.comment)}\n`, fixture('ed25519.pub'));
});

test('a key coo writes is one ssh-keygen reads back to the same public key', () => {
  const key = generateEd25519Key('made@coo');
  const path = join(box.dir, 'k');
  writeFileSync(path, formatOpenSshPrivateKey(key), { mode: 0o600 });
  const derived = spawnSync('ssh-keygen', ['-y', '-f', path], { encoding: 'utf8' });
  assert.is(derived.status, 0, derived.stderr);
  assert.is(derived.stdout.trim().split(' ').slice(0, 2).join(' '), formatPublicKeyLine(key.publicKey));
  assert.equal(parseOpenSshPrivateKey(readFileSync(path, 'utf8'), path).seed, key.seed);
});

test('encrypted, RSA and damaged keys are refused with E_SIGNING_KEY and a reason', () => {
  for (const [name, text, reason] of [
    ['encrypted', fixture('encrypted'), 'encrypted'],
    ['rsa', fixture('rsa'), 'not Ed25519'],
    ['garbage', 'not a key', 'not an OpenSSH private key'],
    ['truncated', truncated(fixture('ed25519')), 'damaged'],
  ] as const) {
    try {
      parseOpenSshPrivateKey(text, name);
      assert.unreachable(name);
    } catch (err) {
      assert.is((err as { code: string }).code, 'E_SIGNING_KEY', name);
      assert.ok(
        String((err as { data: { reason: string } }).data.reason).includes(reason),
        `${name}: ${(err as Error).message}`,
      );
    }
  }
});

test('public key blobs: Ed25519 parsed, anything else null', () => {
  const key = parseOpenSshPrivateKey(fixture('ed25519'), 'ed25519');
  assert.equal(parsePublicKeyBlob(fixture('ed25519.pub').split(' ')[1] as string), key.publicKey);
  assert.is(parsePublicKeyBlob(fixture('rsa.pub').split(' ')[1] as string), null);
  assert.is(parsePublicKeyBlob('!!!'), null);
});

test.run();
