import { CooError } from './coo-error.js';
import type { ErrorCode } from './catalogue.js';
import { isDotGitComponent } from './dotgit.js';

// The rules every path coo captures or writes must pass: nothing that could leave the root, name
// `.git`, or be read differently on another filesystem. A path that fails here is never captured
// (it is recorded as skipped) and never written (rollback refuses the whole tree before writing).
// The write gateway adds its stricter rules on top of these.

export const maxComponentBytes = 255;
export const maxPathBytes = 4096;

export interface PathProblem {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly component?: string;
}

export function checkRepoPath(path: string): PathProblem | null {
  if (typeof path !== 'string' || path.length === 0) return { code: 'E_PATH_INVALID', reason: 'empty' };
  if (path.includes('\0')) return { code: 'E_PATH_INVALID', reason: 'NUL character' };
  if (path.includes('\uFFFD')) return { code: 'E_PATH_INVALID', reason: 'not valid UTF-8' };
  if (path.startsWith('/') || /^[A-Za-z]:/u.test(path)) return { code: 'E_PATH_ABSOLUTE', reason: 'absolute' };
  if (path.includes('\\')) {
    return path.startsWith('\\')
      ? { code: 'E_PATH_ABSOLUTE', reason: 'absolute (Windows root or UNC)' }
      : { code: 'E_PATH_BACKSLASH', reason: 'backslash' };
  }
  if (Buffer.byteLength(path) > maxPathBytes)
    return { code: 'E_PATH_INVALID', reason: `longer than ${maxPathBytes} bytes` };
  for (const component of path.split('/')) {
    const problem = checkComponent(component);
    if (problem) return problem;
  }
  return null;
}

/** The rules for one component (a name within a directory); `checkRepoPath` applies them to each. */
export function checkPathComponent(component: string): PathProblem | null {
  if (component.includes('\0')) return { code: 'E_PATH_INVALID', reason: 'NUL character', component };
  if (component.includes('\uFFFD')) return { code: 'E_PATH_INVALID', reason: 'not valid UTF-8', component };
  if (component.includes('\\')) return { code: 'E_PATH_BACKSLASH', reason: 'backslash', component };
  if (component.includes('/')) return { code: 'E_PATH_INVALID', reason: 'slash inside a name', component };
  return checkComponent(component);
}

/**
 * Most names are printable ASCII with nothing like "git" in them; those pass every rule of
 * `checkPathComponent` (and are not `.git` in any spelling) at one glance, so a walk of 10,000
 * files need not run the full checks on each. Anything else gets the full checks.
 */
const plainComponent = /^(?![. ]+$)(?!.*git)[\x20-\x2e\x30-\x5b\x5d-\x7e]{1,255}$/iu;

export function isPlainComponent(component: string): boolean {
  return plainComponent.test(component);
}

function checkComponent(component: string): PathProblem | null {
  if (component === '') return { code: 'E_PATH_INVALID', reason: 'empty component', component };
  if (/^[. ]+$/u.test(component)) {
    // `.`, `..`, and the spellings Windows reduces to them (`.. `, `...`).
    return component.includes('..')
      ? { code: 'E_PATH_TRAVERSAL', reason: 'parent directory component', component }
      : { code: 'E_PATH_INVALID', reason: 'dot component', component };
  }
  if (isDotGitComponent(component)) return { code: 'E_PATH_DOTGIT', reason: '.git component', component };
  if (Buffer.byteLength(component) > maxComponentBytes) {
    return { code: 'E_PATH_INVALID', reason: `component longer than ${maxComponentBytes} bytes`, component };
  }
  return null;
}

export function isValidRepoPath(path: string): boolean {
  return checkRepoPath(path) === null;
}

export function ensureValidRepoPath(path: string): void {
  const problem = checkRepoPath(path);
  if (problem) throw pathError(path, problem);
}

export function pathError(path: string, problem: PathProblem): CooError {
  return new CooError(problem.code, `invalid path ${JSON.stringify(path)}: ${problem.reason}`, {
    path,
    reason: problem.reason,
    ...(problem.component === undefined ? {} : { component: problem.component }),
  });
}
