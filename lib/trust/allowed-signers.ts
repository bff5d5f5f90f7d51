import { formatPublicKeyLine, parsePublicKeyBlob } from './ed25519-key.js';

// OpenSSH's allowed signers file (ssh-keygen(1), "ALLOWED SIGNERS"), the file git reads through
// `gpg.ssh.allowedSignersFile`: `principals [options] keytype key [comment]`. coo reads the same
// file with the same meaning, so a key git trusts for namespace `git` is the key coo trusts. The
// file is never read here: the signers in force are its pinned content (governance/trusted-signers.ts).

export interface AllowedSigner {
  readonly principals: readonly string[];
  readonly publicKey: Buffer;
  /** Namespaces the key may sign for; null = any. */
  readonly namespaces: readonly string[] | null;
  /** Seconds since the epoch; null = unbounded. */
  readonly validAfter: number | null;
  readonly validBefore: number | null;
  readonly certAuthority: boolean;
  readonly line: number;
}

function tokens(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ' ' || ch === '\t')) {
      if (current) out.push(current);
      current = '';
    } else current += ch;
  }
  if (current) out.push(current);
  return out;
}

function parseTime(value: string): number | null {
  const match = /^([0-9]{4})([0-9]{2})([0-9]{2})(?:([0-9]{2})([0-9]{2})(?:([0-9]{2}))?)?(Z?)$/u.exec(value);
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', z] = match;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  // Like ssh-keygen: local time unless the value ends in Z.
  const ms = z ? Date.UTC(...parts) : new Date(...parts).getTime();
  return Math.floor(ms / 1000);
}

export function parseAllowedSigners(text: string): AllowedSigner[] {
  const signers: AllowedSigner[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = tokens(line);
    const principals = (parts.shift() ?? '').split(',').filter(Boolean);
    let options: string[] = [];
    if (parts[0] && !/^(ssh-|ecdsa-|sk-)/u.test(parts[0]))
      options = (parts.shift() as string).split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/u);
    const [type, key] = parts;
    if (type !== 'ssh-ed25519' || !key) return;
    const publicKey = parsePublicKeyBlob(key);
    if (!publicKey) return;
    let namespaces: string[] | null = null;
    let validAfter: number | null = null;
    let validBefore: number | null = null;
    let certAuthority = false;
    for (const option of options) {
      const [name, value = ''] = option.split(/=(.*)/su) as [string, string?];
      const unquoted = value.replace(/^"|"$/gu, '');
      const lower = name.toLowerCase();
      if (lower === 'namespaces') namespaces = unquoted.split(',').map((s) => s.trim());
      else if (lower === 'valid-after') validAfter = parseTime(unquoted);
      else if (lower === 'valid-before') validBefore = parseTime(unquoted);
      else if (lower === 'cert-authority') certAuthority = true;
    }
    signers.push({ principals, publicKey, namespaces, validAfter, validBefore, certAuthority, line: index + 1 });
  });
  return signers;
}

/** The entry that trusts this key for this namespace at this time, if any. */
export function findSigner(
  signers: readonly AllowedSigner[],
  publicKey: Uint8Array,
  options: { namespace: string; time: number },
): AllowedSigner | null {
  return (
    signers.find(
      (s) =>
        !s.certAuthority &&
        s.publicKey.equals(publicKey) &&
        (s.namespaces === null || s.namespaces.includes(options.namespace)) &&
        (s.validAfter === null || options.time >= s.validAfter) &&
        (s.validBefore === null || options.time <= s.validBefore),
    ) ?? null
  );
}

export function formatAllowedSigner(principal: string, publicKey: Uint8Array): string {
  return `${principal} namespaces="git" ${formatPublicKeyLine(publicKey)}\n`;
}
