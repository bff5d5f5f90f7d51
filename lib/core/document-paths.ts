import { CooError } from './coo-error.js';
import { checkGatewayPath, type GatewayPathProblem } from './gateway-path.js';

// Paths that come from documents (a governed directory and its INDEX in the config, a protected
// pattern and its pins, a mission's scope patterns, a plan's report) are held to the gateway's
// rules when the document is read, with the gateway's codes: a value such as `../outside` or
// `.git` is refused there, before anything trusts it, rather than written through later by a
// part of coo that took the config for granted. `data.path` is the value, `data.source` the
// document and `data.pointer` the field.

export interface DocumentPlace {
  readonly source: string;
  readonly pointer: string;
}

/** Characters that make a component of a glob a wildcard (picomatch's syntax); a leading `!` negates. */
const globSyntax = /[*?[\]{}()\\]/u;

function error(value: string, problem: GatewayPathProblem, where: DocumentPlace): CooError {
  return new CooError(
    problem.code,
    `${where.source}: at ${where.pointer}: ${JSON.stringify(value)}: ${problem.reason}`,
    {
      path: value,
      source: where.source,
      pointer: where.pointer,
      check: problem.check,
      reason: problem.reason,
      ...(problem.component === undefined ? {} : { component: problem.component }),
    },
  );
}

/** A repository path, as the gateway would judge it. */
export function ensureDocumentPath(value: string, where: DocumentPlace): void {
  const problem = checkGatewayPath(value);
  if (problem) throw error(value, problem, where);
}

/** A file name: one component, as the gateway would judge it. */
export function ensureDocumentName(value: string, where: DocumentPlace): void {
  if (value.includes('/'))
    throw error(value, { check: 'syntax', code: 'E_PATH_INVALID', reason: 'a name, not a path (it has a /)' }, where);
  ensureDocumentPath(value, where);
}

/**
 * A glob's literal part: every component without wildcard syntax must be what the gateway would
 * accept in a path (so no `..`, no `.git`, not absolute, no empty component), the wildcards stand
 * for any valid name. `**`, `src/*.js` and `docs/[ab].md` pass; `../x/**` and `.git/**` do not.
 */
export function checkPatternLiteral(pattern: string): GatewayPathProblem | null {
  const literal = pattern
    .split('/')
    .map((c) => (globSyntax.test(c) || c.startsWith('!') ? 'x' : c))
    .join('/');
  return checkGatewayPath(literal);
}

export function ensureDocumentPattern(pattern: string, where: DocumentPlace): void {
  const problem = checkPatternLiteral(pattern);
  if (problem) throw error(pattern, problem, where);
}
