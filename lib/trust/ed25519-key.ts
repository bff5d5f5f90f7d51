import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { CooError } from '../core/coo-error.js';
import { armor, dearmor, ed25519PublicBlob, SshReader, sshString, sshUint32 } from './ssh-wire.js';

// Ed25519 keys in OpenSSH's own file format (`openssh-key-v1`, PROTOCOL.key), so the key coo makes
// works with ssh-keygen and git, and a user's existing unencrypted key works with coo. No small
// maintained package reads and writes this format together with SSHSIG (sshpk parses keys but
// knows nothing of SSHSIG), and the unencrypted Ed25519 case is short.

export interface Ed25519Key {
  /** 32-byte seed (the private key). */
  readonly seed: Buffer;
  /** 32-byte public key. */
  readonly publicKey: Buffer;
  readonly comment: string;
}

const magic = Buffer.from('openssh-key-v1\0', 'latin1');

export function generateEd25519Key(comment: string): Ed25519Key {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    seed: Buffer.from(jwk.d as string, 'base64url'),
    publicKey: Buffer.from(jwk.x as string, 'base64url'),
    comment,
  };
}

/** The key a 32-byte seed makes (RFC 8032): the same seed, the same key, the same signatures. */
export function ed25519KeyFromSeed(seed: Uint8Array, comment: string): Ed25519Key {
  if (seed.length !== 32) throw new TypeError('an Ed25519 seed is 32 bytes');
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const jwk = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  return { seed: Buffer.from(seed), publicKey: Buffer.from(jwk.x as string, 'base64url'), comment };
}

export function privateKeyObject(key: Ed25519Key): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: key.seed.toString('base64url'), x: key.publicKey.toString('base64url') },
    format: 'jwk',
  });
}

export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
    format: 'jwk',
  });
}

/** `ssh-ed25519 AAAA… comment`, the form of `.pub` files and allowed_signers. */
export function formatPublicKeyLine(publicKey: Uint8Array, comment = ''): string {
  return `ssh-ed25519 ${ed25519PublicBlob(publicKey).toString('base64')}${comment ? ` ${comment}` : ''}`;
}

/** The key's fingerprint as `ssh-keygen -l` prints it: `SHA256:` and the unpadded base64 of its blob's SHA-256. */
export function publicKeyFingerprint(publicKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(ed25519PublicBlob(publicKey)).digest('base64').replace(/=+$/u, '')}`;
}

export function formatOpenSshPrivateKey(key: Ed25519Key): string {
  const check = randomBytes(4).readUInt32BE();
  const body = [
    sshUint32(check),
    sshUint32(check),
    sshString('ssh-ed25519'),
    sshString(key.publicKey),
    sshString(Buffer.concat([key.seed, key.publicKey])),
    sshString(key.comment),
  ];
  let section = Buffer.concat(body);
  const pad = (8 - (section.length % 8)) % 8;
  section = Buffer.concat([section, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const blob = Buffer.concat([
    magic,
    sshString('none'),
    sshString('none'),
    sshString(''),
    sshUint32(1),
    sshString(ed25519PublicBlob(key.publicKey)),
    sshString(section),
  ]);
  return armor('OPENSSH PRIVATE KEY', blob, 70);
}

export function parseOpenSshPrivateKey(text: string, source: string): Ed25519Key {
  const fail = (reason: string): CooError =>
    new CooError('E_SIGNING_KEY', `${source}: ${reason}`, { path: source, reason });
  const blob = dearmor('OPENSSH PRIVATE KEY', text);
  if (!blob?.subarray(0, magic.length).equals(magic)) throw fail('not an OpenSSH private key');
  try {
    const r = new SshReader(blob.subarray(magic.length));
    const cipher = r.string();
    r.string(); // kdf name
    r.bytes(); // kdf options
    if (cipher !== 'none') throw fail('the key is encrypted (coo cannot prompt for a passphrase)');
    if (r.uint32() !== 1) throw fail('the file holds more than one key');
    r.bytes(); // public key blob, repeated inside the private section
    const p = new SshReader(r.bytes());
    const check = p.uint32(); // OpenSSH writes one random number twice here
    if (p.uint32() !== check) throw fail('the key file is damaged (check bytes differ)');
    const type = p.string();
    if (type !== 'ssh-ed25519') throw fail(`the key is ${type}, not Ed25519`);
    const publicKey = p.bytes();
    const secret = p.bytes();
    const comment = p.string();
    if (publicKey.length !== 32 || secret.length !== 64 || !secret.subarray(32).equals(publicKey))
      throw fail('the key file is damaged');
    return { seed: Buffer.from(secret.subarray(0, 32)), publicKey: Buffer.from(publicKey), comment };
  } catch (err) {
    if ((err as { code?: unknown }).code === 'E_SIGNING_KEY') throw err;
    throw fail('the key file is damaged');
  }
}

/** Parses `ssh-ed25519 AAAA…` (the key part of a `.pub` line or allowed_signers entry). */
export function parsePublicKeyBlob(base64: string): Buffer | null {
  try {
    const r = new SshReader(Buffer.from(base64, 'base64'));
    if (r.string() !== 'ssh-ed25519') return null;
    const key = r.bytes();
    return key.length === 32 && r.done ? Buffer.from(key) : null;
  } catch {
    return null;
  }
}

/** Parses a public key line (`ssh-ed25519 AAAA… [comment]`, a `.pub` file's content); null if it is not one. */
export function parsePublicKeyLine(text: string): { publicKey: Buffer; comment: string | null } | null {
  if (/[\r\n]/u.test(text.trim())) return null; // one key, one line
  const [type, blob, ...rest] = text.trim().split(/[ \t]+/u);
  if (type !== 'ssh-ed25519' || !blob) return null;
  const publicKey = parsePublicKeyBlob(blob);
  return publicKey ? { publicKey, comment: rest.length > 0 ? rest.join(' ') : null } : null;
}
