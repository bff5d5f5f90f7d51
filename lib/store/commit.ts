import { CooError } from '../core/coo-error.js';

// Git commit objects, written and read as bytes. The signed payload of a commit is the object
// without its `gpgsig` header (and that header's continuation lines); isomorphic-git computes it
// wrongly for SSH signatures, so reading is done here.

export interface Identity {
  readonly name: string;
  readonly email: string;
  /** Seconds since the epoch. */
  readonly timestamp: number;
  /** Minutes east of UTC, as git stores `+0100` = 60. */
  readonly tzOffsetMinutes: number;
}

export interface CommitFields {
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: Identity;
  readonly committer: Identity;
  readonly message: string;
}

export interface ParsedCommit extends CommitFields {
  readonly oid: string;
  /** The armoured signature from the `gpgsig` header, if any. */
  readonly gpgsig: string | null;
  /** The bytes the signature covers. */
  readonly payload: Buffer;
}

export function formatIdentity(who: Identity): string {
  if (/[<>\n\0]/u.test(who.name) || /[<>\n\0]/u.test(who.email)) {
    throw new CooError(
      'E_USAGE',
      `identity ${JSON.stringify(`${who.name} <${who.email}>`)} contains <, >, NUL or a newline`,
      {
        name: who.name,
        email: who.email,
      },
    );
  }
  const sign = who.tzOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(who.tzOffsetMinutes);
  const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${who.name} <${who.email}> ${who.timestamp} ${tz}`;
}

export function formatCommit(fields: CommitFields): Buffer {
  const lines = [`tree ${fields.tree}`];
  for (const parent of fields.parents) lines.push(`parent ${parent}`);
  lines.push(`author ${formatIdentity(fields.author)}`, `committer ${formatIdentity(fields.committer)}`);
  return Buffer.from(`${lines.join('\n')}\n\n${fields.message}`);
}

function parseIdentity(value: string, oid: string): Identity {
  const match = /^(.*) <([^<>]*)> ([0-9]+) ([+-])([0-9]{2})([0-9]{2})$/u.exec(value);
  if (!match) throw new CooError('E_STATE_CORRUPT', `commit ${oid} has a malformed identity`, { oid, value });
  const minutes = Number(match[5]) * 60 + Number(match[6]);
  return {
    name: match[1] as string,
    email: match[2] as string,
    timestamp: Number(match[3]),
    tzOffsetMinutes: match[4] === '-' ? -minutes : minutes,
  };
}

export function parseCommit(content: Buffer, oid: string): ParsedCommit {
  const text = content.toString('latin1'); // byte-preserving, so payload slices stay exact
  const end = text.indexOf('\n\n');
  const headerText = end < 0 ? text : text.slice(0, end);
  const headers: [string, string][] = [];
  const payloadLines: string[] = [];
  let inSignature = false;
  for (const line of headerText.split('\n')) {
    if (line.startsWith(' ')) {
      const last = headers[headers.length - 1];
      if (!last) throw new CooError('E_STATE_CORRUPT', `commit ${oid} starts with a continuation line`, { oid });
      last[1] += `\n${line.slice(1)}`;
      if (!inSignature) payloadLines.push(line);
      continue;
    }
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    headers.push([key, space < 0 ? '' : line.slice(space + 1)]);
    inSignature = key === 'gpgsig';
    if (!inSignature) payloadLines.push(line);
  }
  const decode = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');
  const one = (key: string): string => {
    const found = headers.filter(([k]) => k === key);
    if (found.length !== 1)
      throw new CooError('E_STATE_CORRUPT', `commit ${oid} has ${found.length} ${key} headers`, { oid, key });
    return decode((found[0] as [string, string])[1]);
  };
  const tree = one('tree');
  const parents = headers.filter(([k]) => k === 'parent').map(([, v]) => v);
  if (![tree, ...parents].every((id) => /^[0-9a-f]{40}$/u.test(id))) {
    throw new CooError('E_STATE_CORRUPT', `commit ${oid} names a malformed object id`, { oid });
  }
  const signatures = headers.filter(([k]) => k === 'gpgsig');
  if (signatures.length > 1) throw new CooError('E_STATE_CORRUPT', `commit ${oid} has two signatures`, { oid });
  const rest = end < 0 ? '' : text.slice(end + 2);
  return {
    oid,
    tree,
    parents,
    author: parseIdentity(one('author'), oid),
    committer: parseIdentity(one('committer'), oid),
    message: decode(rest),
    gpgsig: signatures[0] ? signatures[0][1] : null,
    payload: Buffer.from(`${payloadLines.join('\n')}\n\n${rest}`, 'latin1'),
  };
}
