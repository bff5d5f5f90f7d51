import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import type { Layout } from '../store/layout.js';
import type { CommitSigner } from '../store/state-commit.js';
import { expandHome, type Env } from '../core/git-config.js';
import { signSshSig } from './sshsig.js';
import {
  formatOpenSshPrivateKey,
  formatPublicKeyLine,
  generateEd25519Key,
  parseOpenSshPrivateKey,
  type Ed25519Key,
} from './ed25519-key.js';

// Which key signs baselines: the user's own git signing key when `gpg.format=ssh` names an
// unencrypted Ed25519 key (so the commits verify with the key the user already trusts), else the
// key `coo init` made under `.coo/keys/`.

export interface SigningKey {
  readonly key: Ed25519Key;
  readonly source: 'git-config' | 'coo';
  readonly path: string;
}

export interface KeyLookup {
  readonly key: SigningKey | null;
  /** Why the git-configured key was not used, when one is configured. */
  readonly notes: readonly string[];
}

export function cooKeyPath(layout: Layout): string {
  return join(layout.keysDir, 'id_ed25519');
}

function fromGitConfig(
  gitConfig: ReadonlyMap<string, string>,
  env: Env,
  cwd: string,
): { key: SigningKey | null; note: string | null } {
  const configured = gitConfig.get('user.signingkey');
  if (gitConfig.get('gpg.format') !== 'ssh' || !configured) return { key: null, note: null };
  if (configured.startsWith('key::') || configured.startsWith('ssh-')) {
    return {
      key: null,
      note: 'user.signingkey is a literal public key (its private half is in ssh-agent, which coo does not use)',
    };
  }
  const expanded = expandHome(configured, env);
  const base = isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
  const path = base.endsWith('.pub') && existsSync(base.slice(0, -4)) ? base.slice(0, -4) : base;
  try {
    return {
      key: { key: parseOpenSshPrivateKey(readFileSync(path, 'utf8'), path), source: 'git-config', path },
      note: null,
    };
  } catch (err) {
    const reason = (err as CooError).code === 'E_SIGNING_KEY' ? (err as CooError).message : `cannot read ${path}`;
    return { key: null, note: `user.signingkey not used: ${reason}` };
  }
}

export function findSigningKey(layout: Layout, gitConfig: ReadonlyMap<string, string>, env: Env): KeyLookup {
  const configured = fromGitConfig(gitConfig, env, layout.root);
  if (configured.key) return { key: configured.key, notes: [] };
  const notes = configured.note ? [configured.note] : [];
  const path = cooKeyPath(layout);
  if (!existsSync(path)) return { key: null, notes };
  return { key: { key: parseOpenSshPrivateKey(readFileSync(path, 'utf8'), path), source: 'coo', path }, notes };
}

export function requireSigningKey(layout: Layout, gitConfig: ReadonlyMap<string, string>, env: Env): SigningKey {
  const found = findSigningKey(layout, gitConfig, env);
  if (!found.key)
    throw new CooError('E_SIGNING_KEY', 'no signing key: run `coo init` to create one', { notes: found.notes });
  return found.key;
}

/** Makes coo's own key under `.coo/keys/` (private part mode 0600). */
export function createCooKey(layout: Layout, comment: string): SigningKey {
  mkdirSync(layout.keysDir, { recursive: true, mode: 0o700 });
  const key = generateEd25519Key(comment);
  const path = cooKeyPath(layout);
  writeFileAtomic(path, formatOpenSshPrivateKey(key), { mode: 0o600, fsync: true });
  writeFileAtomic(`${path}.pub`, `${formatPublicKeyLine(key.publicKey, comment)}\n`, { mode: 0o644 });
  return { key, source: 'coo', path };
}

/** The signer of state commits made with this key (SSHSIG, namespace `git`, as `git verify-commit` expects). */
export function commitSigner(key: SigningKey): CommitSigner {
  return { keyId: key.path, sign: (payload) => signSshSig(key.key, payload) };
}
