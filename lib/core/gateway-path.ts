import type { ErrorCode } from './catalogue.js';
import { CooError } from './coo-error.js';
import { foldComponent, isDotGitComponent } from './dotgit.js';

// The rules a path must pass to be written through the gateway, stricter than git's own
// verify_path (read-cache.c) and the checks behind CVE-2014-9390 (case and HFS+ ignorables),
// CVE-2019-1353 (NTFS short names and streams), CVE-2018-11235 and CVE-2021-21300 (.gitmodules
// and friends as symlinks), CVE-2024-32002 (symlinked paths into .git): a path that passes means
// the same file on Linux, macOS and Windows and cannot reach outside the tree. Checks run in a
// fixed order (syntax, reserved names, limits, canonical form), so the same path always fails with
// the same code.

export type PathCheck = 'syntax' | 'reserved' | 'limits' | 'canonical';

export interface GatewayPathProblem {
  readonly check: PathCheck;
  readonly code: ErrorCode;
  readonly reason: string;
  readonly component?: string;
}

/**
 * `pathBytes` bounds the whole path the kernel is given, root included: Linux's PATH_MAX is 4096
 * bytes with the terminating NUL, so a path from the root of the file system has at most 4095. A
 * repository path alone is held to it less its root and a `/` when the root is known.
 */
export const gatewayLimits = { componentBytes: 255, pathBytes: 4095, depth: 32 } as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const controlChar = /[\u0000-\u001f\u007f-\u009f]/u;
const bidiChar = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const invisibleChar = /[\p{Default_Ignorable_Code_Point}\u200b]/u;
const reservedChar = /[<>:"|?*]/u;
/**
 * A first component a POSIX shell replaces before coo sees it (`~`, `~user`, `~+`, `~-`, `~2`):
 * `coo write ~/x` never reaches coo as that path, and a script that passes the name on unquoted
 * writes into a home directory instead. Whether `~name` expands depends on the machine's users,
 * so every name a login name could be is refused.
 */
const shellTilde = /^~(?:[+-]?[0-9]*|[A-Za-z_][A-Za-z0-9._-]*)$/u;
// Windows device names, with or without an extension, including the superscript-digit forms.
const reservedName =
  /^(con|prn|aux|nul|com[1-9\u00b9\u00b2\u00b3]|lpt[1-9\u00b9\u00b2\u00b3]|conin\$|conout\$|clock\$)(\..*)?$/iu;
/**
 * Files git itself reads from the tree, which must never be symlinks (CVE-2018-11235,
 * CVE-2021-21300), with the NTFS 8.3 short-name prefixes git's path.c checks for each: the
 * truncated name (`gitmod~1`) and the hashed fall-back form (`gi7eb1~1`).
 */
const gitFiles = [
  { name: '.gitmodules', short: 'gitmod', hashed: 'gi7eb1' },
  { name: '.gitattributes', short: 'gitatt', hashed: 'gi7d29' },
  { name: '.gitignore', short: 'gitign', hashed: 'gi250a' },
  { name: '.mailmap', short: 'mailma', hashed: 'maba30' },
];

function syntax(path: string): GatewayPathProblem | null {
  const fail = (code: ErrorCode, reason: string, component?: string): GatewayPathProblem => ({
    check: 'syntax',
    code,
    reason,
    ...(component === undefined ? {} : { component }),
  });
  if (typeof path !== 'string' || path === '') return fail('E_PATH_INVALID', 'empty');
  if (path.includes('\0')) return fail('E_PATH_INVALID', 'NUL character (no file name can hold it)');
  if (!path.isWellFormed()) return fail('E_PATH_SURROGATE', 'lone surrogate (not encodable as UTF-8)');
  if (path.includes('\uFFFD')) return fail('E_PATH_INVALID', 'replacement character (a name that was not valid UTF-8)');
  if (controlChar.test(path)) return fail('E_PATH_CONTROL_CHAR', 'control character');
  if (bidiChar.test(path)) return fail('E_PATH_BIDI_CHAR', 'bidirectional control character');
  if (invisibleChar.test(path)) return fail('E_PATH_INVISIBLE_CHAR', 'zero-width or ignorable character');
  if (path.startsWith('/') || /^[A-Za-z]:/u.test(path) || path.startsWith('\\'))
    return fail('E_PATH_ABSOLUTE', 'absolute (POSIX, drive or UNC)');
  if (path.includes('\\')) return fail('E_PATH_BACKSLASH', 'backslash (a separator on Windows)');
  for (const component of path.split('/')) {
    if (component === '') return fail('E_PATH_INVALID', 'empty component', component);
    if (/^[. ]+$/u.test(component)) {
      return component.includes('..')
        ? fail('E_PATH_TRAVERSAL', 'parent directory component', component)
        : fail('E_PATH_INVALID', 'dot component', component);
    }
  }
  return null;
}

function reserved(path: string, isSymlink: boolean): GatewayPathProblem | null {
  const components = path.split('/');
  for (const [i, component] of components.entries()) {
    const fail = (code: ErrorCode, reason: string): GatewayPathProblem => ({
      check: 'reserved',
      code,
      reason,
      component,
    });
    if (isDotGitComponent(component)) return fail('E_PATH_DOTGIT', '.git in one of its spellings');
    if (i === 0 && shellTilde.test(component))
      return fail('E_PATH_RESERVED_NAME', 'a first component a shell expands to a home directory (~, ~user)');
    if (reservedChar.test(component))
      return fail('E_PATH_RESERVED_CHAR', 'character reserved on Windows (< > : " | ? *)');
    if (reservedName.test(component.replace(/[. ]+$/u, '')))
      return fail('E_PATH_RESERVED_NAME', 'device name reserved on Windows');
    if (/[. ]$/u.test(component)) return fail('E_PATH_TRAILING_DOT_SPACE', 'trailing dot or space (Windows drops it)');
  }
  const last = components[components.length - 1] as string;
  if (isSymlink && isGitFileSpelling(last)) {
    return {
      check: 'reserved',
      code: 'E_PATH_GIT_FILE_LINK',
      reason: `${last} must not be a symbolic link`,
      component: last,
    };
  }
  return null;
}

/** `.gitmodules` and friends in any spelling, including NTFS 8.3 short names. */
function isGitFileSpelling(component: string): boolean {
  const folded = foldComponent(component).toLowerCase();
  return gitFiles.some(
    (f) => folded === f.name || new RegExp(`^(${f.short}~[1-4]|${f.hashed}~[1-9][0-9]*)$`, 'u').test(folded),
  );
}

function limits(path: string, root: string | undefined): GatewayPathProblem | null {
  const components = path.split('/');
  if (components.length > gatewayLimits.depth) {
    return { check: 'limits', code: 'E_PATH_TOO_DEEP', reason: `deeper than ${gatewayLimits.depth} components` };
  }
  for (const component of components) {
    if (Buffer.byteLength(component) > gatewayLimits.componentBytes) {
      return {
        check: 'limits',
        code: 'E_PATH_COMPONENT_TOO_LONG',
        reason: `component longer than ${gatewayLimits.componentBytes} bytes`,
        component,
      };
    }
  }
  const budget = gatewayLimits.pathBytes - (root === undefined ? 0 : Buffer.byteLength(root) + 1);
  if (Buffer.byteLength(path) > budget) {
    const reason =
      root === undefined
        ? `longer than ${budget} bytes`
        : `longer than ${budget} bytes (with the root, more than the ${gatewayLimits.pathBytes} a path may have)`;
    return { check: 'limits', code: 'E_PATH_TOO_LONG', reason };
  }
  return null;
}

function canonical(path: string): GatewayPathProblem | null {
  if (path !== path.normalize('NFC'))
    return {
      check: 'canonical',
      code: 'E_PATH_NOT_NFC',
      reason: 'not in Unicode NFC (macOS and git would see another name)',
    };
  return null;
}

/**
 * The key two names collide on where a filesystem ignores case or normalises Unicode: one name
 * per key, and protected patterns match on it.
 */
export function canonicalKey(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

export interface GatewayPathOptions {
  /** The path is written as a symbolic link. */
  readonly symlink?: boolean;
  /** The absolute root the path will be written under: the length limit counts it too. */
  readonly root?: string;
}

export function checkGatewayPath(path: string, options: GatewayPathOptions = {}): GatewayPathProblem | null {
  return syntax(path) ?? reserved(path, options.symlink === true) ?? limits(path, options.root) ?? canonical(path);
}

export function isValidGatewayPath(path: string, options: GatewayPathOptions = {}): boolean {
  return checkGatewayPath(path, options) === null;
}

export function ensureValidGatewayPath(path: string, options: GatewayPathOptions = {}): void {
  const problem = checkGatewayPath(path, options);
  if (problem) {
    throw new CooError(problem.code, `invalid path ${JSON.stringify(path)}: ${problem.reason}`, {
      path,
      check: problem.check,
      reason: problem.reason,
      ...(problem.component === undefined ? {} : { component: problem.component }),
    });
  }
}
