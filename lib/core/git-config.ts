import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Reads the few settings coo takes from the user's git configuration (identity, signing key),
// from the same files git reads, later files overriding earlier ones: system, global, the
// repository's own. Reading only; coo never writes git configuration. `include`/`includeIf` are
// not followed.

export type Env = Readonly<Record<string, string | undefined>>;

export function parseGitConfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  let section = '';
  for (const raw of text.split(/\r?\n/u)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\]\s*(?:[#;].*)?$/u.exec(line);
    if (header) {
      const [name = '', ...rest] = (header[1] as string).split('.');
      const sub = header[2] !== undefined ? header[2].replace(/\\(.)/gu, '$1') : rest.join('.');
      section = sub ? `${name.toLowerCase()}.${sub}` : name.toLowerCase();
      continue;
    }
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/u.exec(line);
    if (!entry || !section) continue;
    values.set(`${section}.${(entry[1] as string).toLowerCase()}`, entry[2] === undefined ? 'true' : unquote(entry[2]));
  }
  return values;
}

function unquote(value: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '"') quoted = !quoted;
    else if (ch === '\\' && i + 1 < value.length) {
      const next = value[++i] as string;
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
    } else if (!quoted && (ch === '#' || ch === ';')) break;
    else out += ch;
  }
  return out.trim();
}

function readConfigFile(path: string): Map<string, string> {
  try {
    return parseGitConfig(readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
}

/** The merged configuration git would see for a repository at `root` (if it has `.git`). */
export function readGitConfig(root: string | null, env: Env): Map<string, string> {
  const files: string[] = [];
  if (!env['GIT_CONFIG_NOSYSTEM']) files.push(env['GIT_CONFIG_SYSTEM'] ?? '/etc/gitconfig');
  if (env['GIT_CONFIG_GLOBAL'] !== undefined) files.push(env['GIT_CONFIG_GLOBAL']);
  else {
    const home = env['HOME'];
    const xdg = env['XDG_CONFIG_HOME'] ?? (home ? join(home, '.config') : undefined);
    if (xdg) files.push(join(xdg, 'git', 'config'));
    if (home) files.push(join(home, '.gitconfig'));
  }
  if (root) files.push(join(root, '.git', 'config'));
  const merged = new Map<string, string>();
  for (const file of files) for (const [key, value] of readConfigFile(file)) merged.set(key, value);
  return merged;
}

/** Expands a leading `~/` as git does for path-valued settings. */
export function expandHome(path: string, env: Env): string {
  return path.startsWith('~/') && env['HOME'] ? join(env['HOME'], path.slice(2)) : path;
}
