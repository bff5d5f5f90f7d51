import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatOpenSshPrivateKey, formatPublicKeyLine, generateEd25519Key, parseOpenSshPrivateKey, parsePublicKeyBlob } from '../../lib/signing/ed25519-key.js';
import { armor, dearmor } from '../../lib/signing/ssh-wire.js';
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
      assert.ok(String((err as { data: { reason: string } }).data.reason).includes(reason), `${name}: ${(err as Error).message}`);
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
