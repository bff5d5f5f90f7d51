import { CooError } from '../core/coo-error.js';
import { openRepo, defaultEmail, type Repo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { findSigner, formatAllowedSigner, parseAllowedSigners } from '../trust/allowed-signers.js';
import { formatPublicKeyLine, parsePublicKeyLine, publicKeyFingerprint } from '../trust/ed25519-key.js';
import { requireSigningKey } from '../trust/signing-key.js';
import { gitNamespace } from '../trust/sshsig.js';
import { readCooPins, writeCooPins } from '../governance/governance.js';
import { createRequest, type Request, type RequestStatus } from '../governance/requests.js';
import type { Executor } from '../governance/executor.js';
import { ensureNotInMission } from '../governance/human-only.js';
import { allowedSignersFile, signersInForce } from '../governance/trusted-signers.js';
import { gatewayWriteLocked } from './gateway.js';
import { pinOfContent } from './write-set.js';

// `coo trust add [KEY]`: the one way a key comes to be trusted after `coo init`. It records a
// request (`trust.add`); a person whose key is already trusted approves it with `coo approve`,
// which appends the key's line to .coo/allowed_signers through the gateway and pins the new
// content. Editing the file by hand trusts nobody: it is tampering (see trusted-signers.ts).

export interface TrustRequestOptions extends RepoOptions {
  readonly action: 'add';
  /** The public key, `ssh-ed25519 AAAA… [comment]` (a `.pub` file's line); default: your signing key. */
  readonly key?: string;
  /** Its principal in allowed_signers; default: your `user.email` for your own key, else the key's comment. */
  readonly principal?: string;
}

interface Wanted {
  readonly publicKey: Buffer;
  readonly principal: string;
}

function wantedKey(repo: Repo, options: TrustRequestOptions): Wanted {
  if (options.key === undefined) {
    const own = requireSigningKey(repo.layout, repo.gitConfig, repo.env);
    return {
      publicKey: own.key.publicKey,
      principal: options.principal ?? repo.gitConfig.get('user.email') ?? defaultEmail,
    };
  }
  const parsed = parsePublicKeyLine(options.key);
  if (!parsed)
    throw new CooError('E_USAGE', 'give one Ed25519 public key: `ssh-ed25519 AAAA… [comment]`, or a .pub file', {
      key: options.key,
    });
  const principal = options.principal ?? parsed.comment;
  if (principal === null)
    throw new CooError('E_USAGE', 'the key has no comment to name it by: give --principal EMAIL', {});
  return { publicKey: parsed.publicKey, principal };
}

/** `coo trust add [KEY]`: records a request to trust a key; `coo approve ID` carries it out. */
export async function trustRequest(options: TrustRequestOptions): Promise<Request> {
  const repo = await openRepo(options);
  ensureNotInMission(repo.env, `trust ${options.action}`);
  return withLock(repo, `trust ${options.action}`, async () => {
    // A tampered file is refused now, not after someone approved a request made against it.
    const { signers } = await signersInForce(repo);
    const { publicKey, principal } = wantedKey(repo, options);
    // One principal, as ssh-keygen reads it: no blanks, commas, quotes or wildcards.
    if (!/^[^\s,"'*?!#][^\s,"'*?!]*$/u.test(principal))
      throw new CooError('E_USAGE', `${JSON.stringify(principal)} is not a principal: one name, like an email`, {
        principal,
      });
    const key = formatPublicKeyLine(publicKey);
    const trusted = findSigner(signers, publicKey, { namespace: gitNamespace, time: repo.identity().timestamp });
    if (trusted)
      throw new CooError('E_USAGE', `that key is already trusted, as ${trusted.principals.join(',')}`, {
        key,
        principals: trusted.principals,
      });
    const fingerprint = publicKeyFingerprint(publicKey);
    return createRequest(repo, 'trust.add', `trust ${principal}'s key ${fingerprint}`, {
      principal,
      key,
      fingerprint,
      line: formatAllowedSigner(principal, publicKey),
    });
  });
}

// ---- carrying out an approved request ----

function requestedLine(request: RequestStatus): { line: string; publicKey: Buffer } {
  const line = request.payload['line'];
  const entries = typeof line === 'string' && line.endsWith('\n') ? parseAllowedSigners(line) : [];
  const entry = entries[0];
  if (entries.length !== 1 || !entry || line !== formatAllowedSigner(entry.principals.join(','), entry.publicKey))
    throw new CooError('E_STATE_CORRUPT', `${request.id} does not hold one allowed-signers line`, { id: request.id });
  return { line: line as string, publicKey: entry.publicKey };
}

export const trustAdd: Executor = {
  async check(_repo, request) {
    requestedLine(request);
  },
  async run(repo, request) {
    const { line, publicKey } = requestedLine(request);
    const { text, signers } = await signersInForce(repo);
    const key = formatPublicKeyLine(publicKey);
    // Approved twice over (two requests for one key): the second has nothing left to do.
    if (findSigner(signers, publicKey, { namespace: gitNamespace, time: repo.identity().timestamp }))
      return { added: false, key };
    const content = Buffer.from(`${text === '' || text.endsWith('\n') ? text : `${text}\n`}${line}`);
    const pin = pinOfContent(content);
    const written = await gatewayWriteLocked(repo, {
      ops: [{ kind: 'write', path: allowedSignersFile, content }],
      message: `${request.id}: ${request.summary}`,
      authorized: new Map([[allowedSignersFile, pin]]),
    });
    writeCooPins(repo.layout, { ...((await readCooPins(repo.layout)) ?? {}), [allowedSignersFile]: pin });
    return { added: true, key, line, commit: written.commit, pin };
  },
};
