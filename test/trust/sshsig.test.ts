import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseOpenSshPrivateKey } from '../../lib/trust/ed25519-key.js';
import { signSshSig, verifySshSig } from '../../lib/trust/sshsig.js';
import { formatAllowedSigner } from '../../lib/trust/allowed-signers.js';
import { armor, dearmor } from '../../lib/trust/ssh-wire.js';
import { fixtures, sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('SSHSIG');
let box: Sandbox;
const key = parseOpenSshPrivateKey(readFileSync(join(fixtures, 'keys', 'ed25519'), 'utf8'), 'fixture');
const stranger = parseOpenSshPrivateKey(readFileSync(join(fixtures, 'keys', 'stranger'), 'utf8'), 'stranger');
test.before.each(() => {
  box = sandbox({ gitInit: false });
});
test.after.each(() => box.cleanup());

test('ssh-keygen -Y verify accepts what coo signs (namespace git)', () => {
  const message = Buffer.from('tree abc\n\nmessage\n');
  writeFileSync(join(box.dir, 'msg'), message);
  writeFileSync(join(box.dir, 'msg.sig'), signSshSig(key, message));
  writeFileSync(join(box.dir, 'allowed'), formatAllowedSigner('fixture@coo.test', key.publicKey));
  const run = spawnSync(
    'ssh-keygen',
    [
      '-Y',
      'verify',
      '-f',
      join(box.dir, 'allowed'),
      '-I',
      'fixture@coo.test',
      '-n',
      'git',
      '-s',
      join(box.dir, 'msg.sig'),
    ],
    {
      input: message,
      encoding: 'utf8',
    },
  );
  assert.is(run.status, 0, run.stderr + run.stdout);
});

test('coo verifies what ssh-keygen -Y sign made, and names the key', () => {
  const keyPath = join(box.dir, 'key');
  copyFileSync(join(fixtures, 'keys', 'ed25519'), keyPath);
  chmodSync(keyPath, 0o600);
  const message = Buffer.from('payload from ssh-keygen\n');
  writeFileSync(join(box.dir, 'm'), message);
  const run = spawnSync('ssh-keygen', ['-Y', 'sign', '-f', keyPath, '-n', 'git', join(box.dir, 'm')], {
    encoding: 'utf8',
  });
  assert.is(run.status, 0, run.stderr);
  const check = verifySshSig(readFileSync(join(box.dir, 'm.sig'), 'utf8'), message);
  assert.ok(check.ok);
  assert.equal(check.publicKey, key.publicKey);
});

test('Ed25519 signatures are deterministic: same key and message, same bytes', () => {
  assert.is(signSshSig(key, Buffer.from('x')), signSshSig(key, Buffer.from('x')));
  assert.is.not(signSshSig(key, Buffer.from('x')), signSshSig(stranger, Buffer.from('x')));
});

test('a changed message, another namespace, or a mangled signature fails with a reason', () => {
  const sig = signSshSig(key, Buffer.from('original'));
  const changed = verifySshSig(sig, Buffer.from('0riginal'));
  assert.not.ok(changed.ok);
  assert.ok(!changed.ok && changed.reason === 'signature does not match' && changed.publicKey?.equals(key.publicKey));
  const file = verifySshSig(signSshSig(key, Buffer.from('m'), 'file'), Buffer.from('m'), 'git');
  assert.ok(!file.ok && file.reason.includes('namespace'));
  assert.not.ok(verifySshSig('-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----', Buffer.from('m')).ok);
  assert.not.ok(verifySshSig('not armoured at all', Buffer.from('m')).ok);
  // One bit flipped inside the Ed25519 signature bytes (the blob's tail).
  const blob = dearmor('SSH SIGNATURE', sig) as Buffer;
  blob[blob.length - 5] = (blob[blob.length - 5] as number) ^ 0x01;
  const flipped = verifySshSig(armor('SSH SIGNATURE', blob, 70), Buffer.from('original'));
  assert.ok(!flipped.ok && flipped.reason === 'signature does not match');
});

test.run();
