import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { CooError, ioError } from '../core/coo-error.js';
import { cooDirName } from '../store/layout.js';
import type { Repo } from '../store/repo.js';
import { findSigner, parseAllowedSigners, type AllowedSigner } from '../trust/allowed-signers.js';
import { formatPublicKeyLine, parseOpenSshPrivateKey } from '../trust/ed25519-key.js';
import { cooKeyPath, requireSigningKey, type SigningKey } from '../trust/signing-key.js';
import { gitNamespace } from '../trust/sshsig.js';
import { readCooPins } from './governance.js';
import { sha256Pin } from './protected.js';

// Trust is pinned. The keys coo trusts are the allowed signers recorded with the policy in the
// state repository (the pin of .coo/allowed_signers, taken by the first `coo init` and by every
// approved change since), not whatever the file says now. Every command that relies on trust
// (verifying, restoring or rolling back to a baseline, signing one, deciding a request) gets its
// signers here: the file is read once, its bytes are hashed and compared with the pin, and only
// those same bytes are parsed. A file that differs from its pin is tampering, never a loosening.

export const allowedSignersFile = `${cooDirName}/allowed_signers`;

export interface SignersInForce {
  readonly signers: readonly AllowedSigner[];
  /** The file's text, exactly the pinned content ('' when there is neither file nor pin). */
  readonly text: string;
  readonly pin: string | null;
}

const pinOf = (bytes: Uint8Array): string => sha256Pin(createHash('sha256').update(bytes).digest('hex'));

/** The file as a capture sees it: its bytes and their pin, a symbolic link pinned by its target, null when absent. */
function readAsCaptured(path: string): { bytes: Buffer | null; found: string | null } {
  let fd: number;
  try {
    // O_NOFOLLOW: a link is never read through; O_NONBLOCK: a FIFO put there cannot hang coo.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { bytes: null, found: null };
    if (code === 'ELOOP') return { bytes: null, found: pinOf(readlinkSync(path, { encoding: 'buffer' })) };
    throw ioError(err, `reading ${allowedSignersFile}`);
  }
  try {
    if (!fstatSync(fd).isFile()) return { bytes: null, found: null };
    const bytes = readFileSync(fd);
    return { bytes, found: pinOf(bytes) };
  } finally {
    closeSync(fd);
  }
}

/** How to get out of a tampered allowed_signers, for the error's `data.todo`. */
export const untamperSteps = [
  `put back the content last approved (\`git checkout -- ${allowedSignersFile}\` if you committed it; \`coo protect list\` shows its pin)`,
  'to trust another key, ask for it: `coo trust add [KEY]`, then `coo approve` it with a key already trusted',
];

/** The allowed signers in force; E_PROTECTED_TAMPERED when .coo/allowed_signers is not its pinned content. */
export async function signersInForce(repo: Pick<Repo, 'layout'>): Promise<SignersInForce> {
  const pin = (await readCooPins(repo.layout))?.[allowedSignersFile] ?? null;
  const { bytes, found } = readAsCaptured(repo.layout.allowedSignersPath);
  if (found !== pin || (pin !== null && bytes === null)) {
    const finding = { path: allowedSignersFile, expected: pin, found };
    throw new CooError(
      'E_PROTECTED_TAMPERED',
      `${allowedSignersFile} changed outside coo (expected ${pin ?? '(no file)'}, found ${found ?? '(no file)'}): the keys coo trusts are the ones last approved, so nothing that relies on them runs until it is put back`,
      { ...finding, findings: [finding], todo: untamperSteps },
    );
  }
  const text = bytes === null ? '' : bytes.toString('utf8');
  return { signers: parseAllowedSigners(text), text, pin };
}

/** The key `coo init` made, if it is still trusted and is not the key in use: the usual key to approve with. */
function trustedCooKey(repo: Repo, signers: readonly AllowedSigner[], inUse: SigningKey): boolean {
  const path = cooKeyPath(repo.layout);
  if (inUse.path === path || !existsSync(path)) return false;
  try {
    const { publicKey } = parseOpenSshPrivateKey(readFileSync(path, 'utf8'), path);
    return findSigner(signers, publicKey, { namespace: gitNamespace, time: repo.identity().timestamp }) !== null;
  } catch {
    return false;
  }
}

export interface TrustedKey {
  readonly key: SigningKey;
  readonly signer: AllowedSigner;
}

/**
 * The user's signing key, if the allowed signers in force trust it for `git` now; otherwise
 * E_SIGNER_UNTRUSTED, before anything is signed, saying how to ask for it. `refusal` says what the
 * key would have done ("coo will not sign a baseline with it").
 */
export async function requireTrustedKey(repo: Repo, refusal: string): Promise<TrustedKey> {
  const { signers } = await signersInForce(repo);
  const key = requireSigningKey(repo.layout, repo.gitConfig, repo.env);
  const signer = findSigner(signers, key.key.publicKey, { namespace: gitNamespace, time: repo.identity().timestamp });
  if (signer) return { key, signer };
  const line = formatPublicKeyLine(key.key.publicKey);
  throw new CooError(
    'E_SIGNER_UNTRUSTED',
    `your signing key (${key.path}) is not among the allowed signers in force, so ${refusal}: ${line}`,
    {
      key: line,
      path: key.path,
      todo: [
        'ask for it to be trusted: `coo trust add` (your signing key; or `coo trust add KEY`)',
        trustedCooKey(repo, signers, key)
          ? // git's own way to name another signing key for one command, which coo reads as git does
            'then approve it with the key coo made, which is trusted: `GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=user.signingkey GIT_CONFIG_VALUE_0=.coo/keys/id_ed25519 coo approve R-n`'
          : 'then `coo approve R-n` with a key the allowed signers already trust',
      ],
    },
  );
}
