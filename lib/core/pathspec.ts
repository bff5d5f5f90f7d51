import { CooError } from './coo-error.js';

// Pathspecs, read as git reads them by default (dir.c's match_pathspec_item, without :(glob)), so a
// path rollback or diff picks the paths `git ls-files -- SPEC` would pick. Each pathspec here is
// repository-relative; the CLI turns what a person types (counted from the current directory) into
// this form. A pathspec matches a path when:
//   - it is empty (`.` or `:/`): every path;
//   - it equals the path, or is a leading part of it ending at a `/` (a directory's whole content);
//     a trailing `/` (`src/`) matches only a directory's content, never a file of that name;
//   - it has a wildcard (`*`, `?`, `[...]`, `\` escapes) and its literal lead equals the path's
//     while the rest matches the rest of the path as fnmatch without FNM_PATHNAME: `*` and `?`
//     match `/` too, so `src/*.js` takes `src/a.js` and `src/x/b.js`, and `*.js` every `.js` file.
// Matching is byte for byte on UTF-8, case-sensitive. A pattern without magic is normalised (`.`,
// `..`, `//`); with magic it is taken as it is, as git takes it. Magic: `:/path` and `:(top)path`
// (the path counts from the root; here everything does) and git's `:(prefix:N)path` (the first N
// bytes are literal even if they hold wildcards: a current directory named `a[1]`). Any other magic
// (`:!`, `:^`, `:(exclude)`, `:(glob)`, `:(literal)`, `:(icase)`, `:(attr)`…) is refused.

export interface Pathspec {
  /** The pathspec in its canonical repository-relative form (what records and messages show). */
  readonly source: string;
  /** The pattern, magic removed, normalised (no `.`, `..` or empty components). */
  readonly match: string;
  /** How many leading bytes of `match` are compared literally (git's nowildcard_len). */
  readonly literal: number;
}

export interface PathspecMagic {
  /** `:/` or `:(top)`: counts from the root, not from the current directory. */
  readonly top: boolean;
  /** `:(prefix:N)`: the first N bytes of the pattern are literal. */
  readonly prefix: number | null;
  readonly pattern: string;
}

const slash = 0x2f;
const star = 0x2a;
const question = 0x3f;
const open = 0x5b;
const close = 0x5d;
const backslash = 0x5c;
/** Characters git reads as short magic after a leading `:` (ctype.c's GIT_PATHSPEC_MAGIC). */
const shortMagic = new Set('!"#%&\',-/:;<=>@_`~');

const usage = (spec: string, message: string): CooError =>
  new CooError('E_USAGE', `pathspec ${JSON.stringify(spec)}: ${message}`, { pathspec: spec });

/** Splits the magic off a pathspec (`:/src`, `:(top)src`, `:(prefix:4)a[1]/x`); refuses magic coo does not support. */
export function splitPathspecMagic(spec: string): PathspecMagic {
  if (!spec.startsWith(':')) return { top: false, prefix: null, pattern: spec };
  let top = false;
  let prefix: number | null = null;
  if (spec.startsWith(':(')) {
    const end = spec.indexOf(')');
    if (end < 0) throw usage(spec, "missing ')' at the end of its magic");
    for (const word of spec.slice(2, end).split(',')) {
      const n = /^prefix:(\d+)$/u.exec(word);
      if (word === 'top') top = true;
      else if (n) prefix = Number(n[1]);
      else if (word !== '') throw usage(spec, `magic ${JSON.stringify(word)} is not supported (only top)`);
    }
    return { top, prefix, pattern: spec.slice(end + 1) };
  }
  let at = 1;
  for (; at < spec.length && spec[at] !== ':'; at++) {
    const ch = spec[at] as string;
    if (ch === '/') top = true;
    else if (ch === '!' || ch === '^') throw usage(spec, 'exclusion (:!, :^) is not supported');
    else if (shortMagic.has(ch)) throw usage(spec, `magic ${JSON.stringify(ch)} is not supported (only :/)`);
    else break;
  }
  if (spec[at] === ':') at += 1;
  return { top, prefix, pattern: spec.slice(at) };
}

/** Where the first wildcard of a pattern is (its length if none), in bytes. */
function simpleLength(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === star || b === question || b === open || b === backslash) return i;
  }
  return bytes.length;
}

export interface NormalisedPattern {
  /** The components after `.`, `..` and empty ones are resolved. */
  readonly parts: readonly string[];
  /** How many leading components came from `base` and survived (`..` can consume them). */
  readonly kept: number;
  /** Whether it names a directory only: a trailing `/`, `.` or `..`. */
  readonly dir: boolean;
}

/**
 * Resolves `pattern` against the components of `base` lexically, as git does: `.` and empty
 * components go, `..` takes the one before it; a `..` with nothing before it leaves the root.
 */
export function normalisePattern(base: readonly string[], pattern: string, spec = pattern): NormalisedPattern {
  const parts = [...base];
  let kept = parts.length;
  const words = pattern.split('/');
  for (const word of words) {
    if (word === '' || word === '.') continue;
    if (word !== '..') {
      parts.push(word);
      continue;
    }
    if (parts.length === 0)
      throw new CooError('E_PATH_OUTSIDE_ROOT', `pathspec ${JSON.stringify(spec)} is outside the repository`, {
        path: spec,
      });
    parts.pop();
    kept = Math.min(kept, parts.length);
  }
  const last = words[words.length - 1];
  return { parts, kept, dir: parts.length > 0 && (last === '' || last === '.' || last === '..') };
}

/** A pattern as git reads it at the root without magic: `.`, `..` and empty components resolved. */
function normalisedText(pattern: string, spec: string): string {
  const { parts, dir } = normalisePattern([], pattern, spec);
  return parts.join('/') + (dir ? '/' : '');
}

function isNormal(match: string): boolean {
  try {
    return normalisedText(match, match) === match;
  } catch {
    return false;
  }
}

/**
 * The canonical repository-relative text of a pattern whose first `literal` bytes are literal: the
 * pattern itself when that reads back the same, else with `:(top…)` magic, under which git takes a
 * pattern as it is (`:(top,prefix:5)a[1]/*.js`, `:(top):x` for a name starting with a colon).
 */
export function formatPathspec(match: string, literal: number): string {
  const prefix = literal > simpleLength(Buffer.from(match));
  if (!prefix && !match.startsWith(':') && !match.startsWith('/') && isNormal(match)) return match === '' ? '.' : match;
  return `:(top${prefix ? `,prefix:${literal}` : ''})${match}`;
}

/** A canonical pathspec as a command-line argument that means the same from any directory. */
export function rootPathspecArg(source: string): string {
  if (source === '.') return ':/';
  return source.startsWith(':') ? source : `:/${source}`;
}

/**
 * Reads one repository-relative pathspec; E_USAGE for an empty or unsupported one. As git does,
 * a pattern with magic (`:/`, `:(top)`, `:(prefix:N)`) is taken as it is; one without is
 * normalised first (`src/./a` is `src/a`; `..` may not leave the root).
 */
export function parsePathspec(spec: string): Pathspec {
  if (typeof spec !== 'string' || spec === '') throw usage(String(spec), 'empty (use . or :/ for the whole tree)');
  if (spec.includes('\0')) throw usage(spec, 'NUL character');
  const magic = splitPathspecMagic(spec);
  const raw = magic.top || magic.prefix !== null;
  if (!raw && magic.pattern.startsWith('/'))
    throw new CooError('E_PATH_ABSOLUTE', `pathspec ${JSON.stringify(spec)} is absolute; give it from the root`, {
      path: spec,
    });
  const match = raw ? magic.pattern : normalisedText(magic.pattern, spec);
  const bytes = Buffer.from(match);
  if (magic.prefix !== null && magic.prefix > bytes.length)
    throw usage(spec, `prefix:${magic.prefix} is longer than the pattern`);
  const literal = Math.max(simpleLength(bytes), magic.prefix ?? 0);
  return { source: formatPathspec(match, literal), match, literal };
}

/** Whether one pathspec matches a file's repository-relative path. */
export function matchPathspec(spec: Pathspec, path: string): boolean {
  return matchBytes(Buffer.from(spec.match), spec.literal, Buffer.from(path));
}

function matchBytes(m: Buffer, literal: number, name: Buffer): boolean {
  const len = m.length;
  if (len === 0) return true;
  if (len <= name.length && name.compare(m, 0, len, 0, len) === 0) {
    if (len === name.length || m[len - 1] === slash || name[len] === slash) return true;
  }
  if (literal >= len) return false;
  if (name.length < literal || name.compare(m, 0, literal, 0, literal) !== 0) return false;
  return wildmatch(m.subarray(literal), name.subarray(literal));
}

/** A set of pathspecs: a path is in it when any of them matches. */
export interface PathspecSet {
  readonly specs: readonly Pathspec[];
  /** The canonical texts, in the order given, without repeats. */
  readonly sources: readonly string[];
  matches(path: string): boolean;
  /** The pathspecs (their canonical texts) that match none of `paths`. */
  unmatched(paths: Iterable<string>): string[];
}

export function pathspecSet(specs: readonly string[]): PathspecSet {
  // An empty list is refused rather than read as "everything": a caller whose list of paths came
  // out empty must not roll back the whole tree.
  if (!Array.isArray(specs) || specs.length === 0)
    throw new CooError('E_USAGE', 'no pathspecs given (leave `paths` out to mean the whole tree)', {});
  const parsed = specs.map(parsePathspec);
  const compiled = parsed.map((p) => ({ m: Buffer.from(p.match), literal: p.literal }));
  const test = (name: Buffer, c: { m: Buffer; literal: number }): boolean => matchBytes(c.m, c.literal, name);
  return {
    specs: parsed,
    sources: [...new Set(parsed.map((p) => p.source))],
    matches(path) {
      const name = Buffer.from(path);
      return compiled.some((c) => test(name, c));
    },
    unmatched(paths) {
      const left = new Set(compiled.keys());
      for (const path of paths) {
        if (left.size === 0) break;
        const name = Buffer.from(path);
        for (const i of left) if (test(name, compiled[i] as { m: Buffer; literal: number })) left.delete(i);
      }
      return [...new Set([...left].map((i) => (parsed[i] as Pathspec).source))];
    },
  };
}

// fnmatch without FNM_PATHNAME over bytes, as git's wildmatch without WM_PATHNAME: `*` (and `**`)
// any run of bytes, `?` one byte, `[...]` a set (`!` or `^` negates, ranges, `[:class:]`, `\`
// escapes), `\x` the byte x. A malformed set or a trailing `\` never matches.

const malformed = -2;
const noMatch = -1;

/** Whether `p` matches the whole of `t`. */
export function wildmatch(p: Uint8Array, t: Uint8Array): boolean {
  let pi = 0;
  let ti = 0;
  let starP = -1;
  let starT = -1;
  while (ti < t.length) {
    if (pi < p.length) {
      if (p[pi] === star) {
        while (p[pi] === star) pi += 1;
        if (pi === p.length) return true;
        starP = pi;
        starT = ti;
        continue;
      }
      const next = matchOne(p, pi, t[ti] as number);
      if (next === malformed) return false;
      if (next !== noMatch) {
        pi = next;
        ti += 1;
        continue;
      }
    }
    if (starP < 0) return false;
    pi = starP;
    starT += 1;
    ti = starT;
  }
  while (p[pi] === star) pi += 1;
  return pi === p.length;
}

/** Matches the pattern element at `pi` against one byte: the index after the element, or noMatch / malformed. */
function matchOne(p: Uint8Array, pi: number, c: number): number {
  const ch = p[pi] as number;
  if (ch === question) return pi + 1;
  if (ch === backslash) {
    if (pi + 1 >= p.length) return malformed;
    return p[pi + 1] === c ? pi + 2 : noMatch;
  }
  if (ch === open) return matchSet(p, pi + 1, c);
  return ch === c ? pi + 1 : noMatch;
}

const classes: Readonly<Record<string, (c: number) => boolean>> = {
  alnum: (c) => isDigit(c) || isAlpha(c),
  alpha: (c) => isAlpha(c),
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: (c) => isDigit(c),
  graph: (c) => c > 0x20 && c < 0x7f,
  lower: (c) => c >= 0x61 && c <= 0x7a,
  print: (c) => c >= 0x20 && c < 0x7f,
  punct: (c) => c > 0x20 && c < 0x7f && !isDigit(c) && !isAlpha(c),
  space: (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d),
  upper: (c) => c >= 0x41 && c <= 0x5a,
  xdigit: (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66),
};

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** A bracket set starting after its `[`; the first member is taken even if it is `]`, as git does. */
function matchSet(p: Uint8Array, start: number, c: number): number {
  let i = start;
  let negated = false;
  if (p[i] === 0x21 || p[i] === 0x5e) {
    negated = true;
    i += 1;
  }
  let matched = false;
  let prev = 0;
  for (;;) {
    if (i >= p.length) return malformed;
    let ch = p[i] as number;
    if (ch === backslash) {
      i += 1;
      if (i >= p.length) return malformed;
      ch = p[i] as number;
      if (ch === c) matched = true;
    } else if (ch === 0x2d && prev !== 0 && i + 1 < p.length && p[i + 1] !== close) {
      i += 1;
      let hi = p[i] as number;
      if (hi === backslash) {
        i += 1;
        if (i >= p.length) return malformed;
        hi = p[i] as number;
      }
      if (c >= prev && c <= hi) matched = true;
      ch = 0;
    } else if (ch === open && p[i + 1] === 0x3a) {
      const from = i + 2;
      let end = from;
      while (end < p.length && p[end] !== close) end += 1;
      if (end >= p.length) return malformed;
      if (end - from - 1 < 0 || p[end - 1] !== 0x3a) {
        // No ":]" before the "]": the "[" is an ordinary member.
        if (c === open) matched = true;
      } else {
        const test = classes[Buffer.from(p.subarray(from, end - 1)).toString('latin1')];
        if (!test) return malformed;
        if (test(c)) matched = true;
        i = end;
        ch = 0;
      }
    } else if (ch === c) matched = true;
    prev = ch;
    i += 1;
    if (p[i] === close) break;
  }
  return matched === negated ? noMatch : i + 1;
}
