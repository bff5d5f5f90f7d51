import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { formatPathspec, normalisePattern, parsePathspec, splitPathspecMagic } from '../core/pathspec.js';
import { findRoot } from '../store/layout.js';

// Paths on the command line count from the current directory, as in git: in `lib/`, `coo rm
// index.js` means lib/index.js, `../index.js` and `:/index.js` the root's. The library takes
// repository-relative paths only; this turns what a person typed into them. `.` and `..` are
// resolved lexically (a `..` may climb out of the current directory but not out of the root:
// E_PATH_OUTSIDE_ROOT); an absolute path is taken when it lies inside the repository.

export interface CwdPaths {
  /** The repository root (real path). */
  readonly root: string;
  /** The current directory from the root, `/`-separated ('' at the root). */
  readonly prefix: string;
  /** A path for the write gateway (`coo write`, `coo rm`): `:/` counts from the root; no wildcards. */
  path(arg: string): string;
  /** A repository-relative pathspec for the library (`coo rollback`, `coo diff`). */
  pathspec(arg: string): string;
}

const outside = (arg: string): CooError =>
  new CooError('E_PATH_OUTSIDE_ROOT', `${JSON.stringify(arg)} is outside the repository`, { path: arg });

/** An absolute path as a path from `root` (trailing `/` kept), or E_PATH_OUTSIDE_ROOT. */
function fromRoot(root: string, abs: string, arg: string): string {
  const within = (p: string): string | null => {
    if (p === root) return '';
    return p.startsWith(root + sep) ? relative(root, p).split(sep).join('/') : null;
  };
  const lexical = resolve(abs);
  let rel = within(lexical);
  if (rel === null) {
    // Through a symbolic link (a /tmp that is /private/tmp): the nearest part that exists, resolved.
    let probe = lexical;
    const rest: string[] = [];
    while (!existsSync(probe) && dirname(probe) !== probe) {
      rest.unshift(basename(probe));
      probe = dirname(probe);
    }
    rel = within(join(realpathSync(probe), ...rest));
  }
  if (rel === null) throw outside(arg);
  return rel !== '' && /\/\.{0,2}$/u.test(abs) ? `${rel}/` : rel;
}

export function cwdPaths(cwd: string): CwdPaths {
  const root = findRoot(cwd);
  if (!root) throw new CooError('E_NOT_INITIALISED', `no .coo/state.git in ${cwd} or any parent`, { cwd });
  const prefix = relative(root, realpathSync(cwd)).split(sep).join('/');
  const base = prefix === '' ? [] : prefix.split('/');

  /** A path from the current directory, normalised (`:/` from the root); `..` may not leave the root. */
  const resolveArg = (arg: string, top: boolean, pattern: string) => {
    let from: readonly string[] = top ? [] : base;
    let rest = pattern;
    if (isAbsolute(rest)) {
      rest = fromRoot(root, rest, arg);
      from = [];
    }
    try {
      return normalisePattern(from, rest, arg);
    } catch (err) {
      if ((err as { code?: string }).code === 'E_PATH_OUTSIDE_ROOT') throw outside(arg);
      throw err;
    }
  };

  return {
    root,
    prefix,
    path(arg) {
      if (arg === '') return arg; // the gateway says what is wrong with it
      const magic = splitPathspecMagic(arg);
      if (magic.prefix !== null)
        throw new CooError('E_USAGE', `${JSON.stringify(arg)}: prefix magic is for pathspecs, not paths`, {
          path: arg,
        });
      const { parts, dir } = resolveArg(arg, magic.top, magic.pattern);
      return parts.join('/') + (dir ? '/' : '');
    },
    pathspec(arg) {
      if (arg === '')
        throw new CooError('E_USAGE', 'an empty pathspec matches nothing; use . for this directory, :/ for all', {
          pathspec: arg,
        });
      const magic = splitPathspecMagic(arg);
      // With magic, git takes the pattern from the root as it is; so does the library.
      if (magic.top || magic.prefix !== null) {
        if (!magic.top && prefix !== '')
          throw new CooError('E_USAGE', `${JSON.stringify(arg)}: prefix magic without top only at the root`, {
            pathspec: arg,
          });
        return parsePathspec(arg).source;
      }
      const { parts, kept, dir } = resolveArg(arg, false, magic.pattern);
      const match = parts.join('/') + (dir ? '/' : '');
      // What came from the current directory is literal, wildcards or not (git's prefix length).
      const fromCwd = kept === 0 ? 0 : Buffer.byteLength(`${parts.slice(0, kept).join('/')}/`);
      return formatPathspec(match, Math.min(Buffer.byteLength(match), fromCwd));
    },
  };
}
