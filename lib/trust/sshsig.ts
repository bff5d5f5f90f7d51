import { createHash, sign, verify } from 'node:crypto';
import { armor, dearmor, ed25519PublicBlob, SshReader, sshString, sshUint32 } from './ssh-wire.js';
import { privateKeyObject, publicKeyObject, type Ed25519Key } from './ed25519-key.js';

// SSHSIG (OpenSSH PROTOCOL.sshsig), the signature format git uses with `gpg.format=ssh`. The
// signature covers "SSHSIG" || string(namespace) || string(reserved) || string(hash algorithm)
// || string(H(message)); Ed25519 is deterministic, so the same key and message give the same
// bytes, and with a pinned clock the same commit id.

const magic = Buffer.from('SSHSIG', 'latin1');
export const gitNamespace = 'git';

function signedData(namespace: string, hashAlg: string, message: Uint8Array): Buffer {
  const digest = createHash(hashAlg).update(message).digest();
  return Buffer.concat([magic, sshString(namespace), sshString(''), sshString(hashAlg), sshString(digest)]);
}

export function signSshSig(key: Ed25519Key, message: Uint8Array, namespace = gitNamespace): string {
  const signature = sign(null, signedData(namespace, 'sha512', message), privateKeyObject(key));
  const blob = Buffer.concat([
    magic,
    sshUint32(1),
    sshString(ed25519PublicBlob(key.publicKey)),
    sshString(namespace),
    sshString(''),
    sshString('sha512'),
    sshString(Buffer.concat([sshString('ssh-ed25519'), sshString(signature)])),
  ]);
  return armor('SSH SIGNATURE', blob, 70);
}

export type SshSigCheck =
  | { readonly ok: true; readonly publicKey: Buffer; readonly namespace: string }
  | { readonly ok: false; readonly reason: string; readonly publicKey: Buffer | null };

/** Checks an armoured SSHSIG over `message`; reports which key signed it either way. */
export function verifySshSig(armoured: string, message: Uint8Array, namespace = gitNamespace): SshSigCheck {
  const blob = dearmor('SSH SIGNATURE', armoured);
  if (!blob) return { ok: false, reason: 'not an SSH signature', publicKey: null };
  let publicKey: Buffer | null = null;
  try {
    const r = new SshReader(blob);
    if (!r.raw(6).equals(magic)) return { ok: false, reason: 'bad SSHSIG magic', publicKey };
    if (r.uint32() !== 1) return { ok: false, reason: 'unsupported SSHSIG version', publicKey };
    const keyBlob = new SshReader(r.bytes());
    const keyType = keyBlob.string();
    if (keyType !== 'ssh-ed25519') return { ok: false, reason: `unsupported key type ${keyType}`, publicKey };
    publicKey = Buffer.from(keyBlob.bytes());
    const signedNamespace = r.string();
    r.bytes(); // reserved
    const hashAlg = r.string();
    const sig = new SshReader(r.bytes());
    if (!r.done) return { ok: false, reason: 'trailing bytes after the signature', publicKey };
    if (signedNamespace !== namespace)
      return { ok: false, reason: `namespace is ${signedNamespace}, not ${namespace}`, publicKey };
    if (hashAlg !== 'sha512' && hashAlg !== 'sha256')
      return { ok: false, reason: `unsupported hash ${hashAlg}`, publicKey };
    if (sig.string() !== 'ssh-ed25519')
      return { ok: false, reason: 'signature type does not match the key', publicKey };
    const signature = sig.bytes();
    if (publicKey.length !== 32 || signature.length !== 64)
      return { ok: false, reason: 'malformed key or signature', publicKey };
    const good = verify(null, signedData(signedNamespace, hashAlg, message), publicKeyObject(publicKey), signature);
    return good
      ? { ok: true, publicKey, namespace: signedNamespace }
      : { ok: false, reason: 'signature does not match', publicKey };
  } catch {
    return { ok: false, reason: 'malformed SSHSIG', publicKey };
  }
}
