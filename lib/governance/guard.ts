import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { isogit, isogitFs } from '../store/isogit.js';
import { layoutFor } from '../store/layout.js';
import { openRepo } from '../store/repo.js';
import { registryOf } from './governance.js';
import { keepsPin, sha256Pin, type Registry } from './protected.js';
import type { Env } from '../core/git-config.js';
import { gitRepoPaths, type HookName } from './hooks.js';

// `coo guard`: what the git hooks run. It reads the user's repository (never writes it) and refuses
// a commit, or a ref update, that would leave a protected path with content other than its pin,
// with the gateway's own error. A path that already differed before the change is left to the
// tripwire; the guard judges only what the change does.

const zero = '0'.repeat(40);
const emptyTree = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export interface GuardOptions {
  readonly cwd?: string;
  readonly env?: Env;
  readonly hook: HookName;
  /** For reference-transaction: the lines git gives on stdin, `<old> <new> <ref>`. */
  readonly updates?: string;
}

export interface GuardResult {
  readonly hook: HookName;
  readonly checked: number;
  readonly allowed: boolean;
  readonly note: string | null;
}

interface Change {
  readonly path: string;
  /** Blob id after the change; null when deleted. */
  readonly after: string | null;
}

async function refuse(
  registry: Registry,
  changes: readonly Change[],
  readBlob: (oid: string) => Promise<Uint8Array>,
  where: string,
): Promise<number> {
  let checked = 0;
  const refused: string[] = [];
  for (const change of changes) {
    if (!registry.isProtected(change.path)) continue;
    checked += 1;
    const after =
      change.after === null
        ? null
        : sha256Pin(
            createHash('sha256')
              .update(await readBlob(change.after))
              .digest('hex'),
          );
    if (!keepsPin(registry, { path: change.path, after })) refused.push(change.path);
  }
  if (refused.length > 0) {
    throw new CooError(
      'E_GOVERNANCE_PROTECTED',
      `${where} changes ${refused.length} protected artefact(s), first ${JSON.stringify(refused[0])}`,
      { paths: refused.sort() },
    );
  }
  return checked;
}

export async function guard(options: GuardOptions): Promise<GuardResult> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const paths = gitRepoPaths(cwd, env);
  if (!existsSync(join(layoutFor(paths.top).gitdir, 'HEAD'))) {
    return {
      hook: options.hook,
      checked: 0,
      allowed: true,
      note: 'coo is not initialised in this repository: nothing is protected',
    };
  }
  const repo = await openRepo({ cwd: paths.top, env });
  const registry = await registryOf(repo);
  const git = await isogit();
  const base = { fs: isogitFs, dir: paths.top, gitdir: paths.gitDir };
  // What the guard cannot read it cannot judge, so it refuses (an object in an alternate store, a
  // partial clone's missing object): a commit the guard let through unread would be a way around it.
  const unreadable = (what: string, cause: unknown): CooError =>
    new CooError(
      'E_GUARD_UNREADABLE',
      `the guard cannot read ${what}, so it cannot judge the change and refuses it`,
      { what },
      { cause },
    );
  const readBlob = async (oid: string): Promise<Uint8Array> => {
    try {
      return (await git.readBlob({ ...base, oid })).blob;
    } catch (cause) {
      throw unreadable(`blob ${oid}`, cause);
    }
  };
  const changesBetween = async (trees: ReturnType<typeof git.TREE | typeof git.STAGE>[]): Promise<Change[]> => {
    const out: Change[] = [];
    await walkOrRefuse({
      ...base,
      trees,
      map: async (path, [before, after]) => {
        if (path === '.') return true;
        const [beforeType, afterType] = [await before?.type(), await after?.type()];
        if (beforeType === 'tree' || afterType === 'tree') return true;
        const [a, b] = [
          beforeType === 'blob' ? await before?.oid() : null,
          afterType === 'blob' ? await after?.oid() : null,
        ];
        if (a !== b) out.push({ path, after: b ?? null });
        return true;
      },
    });
    return out;
  };
  const walkOrRefuse = async (args: Parameters<typeof git.walk>[0]): Promise<void> => {
    try {
      await git.walk(args);
    } catch (cause) {
      throw unreadable('the trees the change compares', cause);
    }
  };

  let checked = 0;
  if (options.hook === 'pre-commit') {
    const head = await git.resolveRef({ ...base, ref: 'HEAD' }).catch(() => null);
    const trees = head
      ? [git.TREE({ ref: head }), git.STAGE()]
      : [git.TREE({ ref: '4b825dc642cb6eb9a060e54bf8d69288fbee4904' }), git.STAGE()];
    checked = await refuse(registry, await changesBetween(trees), readBlob, 'the commit');
  } else {
    for (const line of (options.updates ?? '').split('\n')) {
      const [oldOid, newOid, ref] = line.trim().split(' ');
      if (!ref || !newOid || newOid === zero || !(ref.startsWith('refs/heads/') || ref === 'HEAD')) continue;
      let type: string;
      try {
        type = (await git.readObject({ ...base, oid: newOid, format: 'content' })).type;
      } catch (cause) {
        throw unreadable(`${newOid}, which ${ref} would point to`, cause);
      }
      if (type !== 'commit') continue;
      // git passes zeros as the old value when the update does not name one (`git branch -f`,
      // `git update-ref REF NEW`, a checkout): what the ref holds now is what it had.
      const current = oldOid && oldOid !== zero ? oldOid : await git.resolveRef({ ...base, ref }).catch(() => null);
      const parent = (await git.readCommit({ ...base, oid: newOid }).catch(() => null))?.commit.parent[0] ?? null;
      // A detached HEAD that moves to a commit made on top of it records that commit; one that moves
      // anywhere else is a checkout, which records nothing (history may be looked at freely). A branch
      // is judged against what it holds now, so moving it back (to before coo, say) is a change like any.
      if (ref === 'HEAD' && parent !== current) continue;
      const before = git.TREE({ ref: (ref === 'HEAD' ? parent : (current ?? parent)) ?? emptyTree });
      checked += await refuse(
        registry,
        await changesBetween([before, git.TREE({ ref: newOid })]),
        readBlob,
        `moving ${ref} to ${newOid.slice(0, 12)}`,
      );
    }
  }
  return { hook: options.hook, checked, allowed: true, note: null };
}
