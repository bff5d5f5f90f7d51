import { existsSync, readFileSync } from 'node:fs';
import { CooError } from '../core/coo-error.js';
import { cooDirName } from '../store/layout.js';
import { captureNow } from '../worktree/capture-now.js';
import { openRepo, type Repo, type RepoOptions } from '../store/repo.js';
import { withLock } from '../store/with-lock.js';
import { gatewayWriteLocked } from './gateway.js';
import { pinOfContent } from './write-set.js';
import { globMatcher } from '../governance/glob.js';
import { loadConfig, maxProtectedPatterns, type ProtectedEntry } from '../core/config.js';
import { ensureDocumentPattern } from '../core/document-paths.js';
import { findTampering, type TamperFinding } from '../governance/protected.js';
import { pinsOfCapture, readCooPins, registryOf, writeCooPins } from '../governance/governance.js';
import { createRequest, type Request, type RequestStatus } from '../governance/requests.js';
import type { Executor } from '../governance/executor.js';
import { ensureNotInMission } from '../governance/human-only.js';
import { signersInForce } from '../governance/trusted-signers.js';

// The protected registry changes only through requests a human approves: `coo protect add PATTERN`
// (pinning every file it matches now), `coo protect rm PATTERN`, and `coo protect accept` (taking
// the current content of protected files changed outside coo as their new pins; never
// .coo/allowed_signers, whose keys change only through `coo trust add`).

const configPath = `${cooDirName}/config.json`;

async function currentPins(repo: Repo): Promise<Map<string, string>> {
  const capture = await captureNow(repo);
  return pinsOfCapture(capture.files);
}

export interface ProtectList {
  readonly patterns: readonly { pattern: string; always: boolean; pins: Readonly<Record<string, string>> }[];
  readonly cooPins: Readonly<Record<string, string>>;
  readonly tampered: readonly TamperFinding[];
}

/** `coo protect list`: the registry, and what the tripwire finds now. */
export async function protectList(options: RepoOptions = {}): Promise<ProtectList> {
  const repo = await openRepo(options);
  const registry = await registryOf(repo);
  const cooPins = (await readCooPins(repo.layout)) ?? {};
  return {
    patterns: [
      { pattern: `${cooDirName}/**`, always: true, pins: cooPins },
      ...repo.config.protected.map((e) => ({ pattern: e.pattern, always: false, pins: e.pins })),
    ],
    cooPins,
    tampered: findTampering(registry, await currentPins(repo)),
  };
}

export interface ProtectRequestOptions extends RepoOptions {
  readonly action: 'add' | 'rm' | 'accept';
  readonly pattern?: string;
}

/** `coo protect add|rm|accept`: records a request; `coo approve ID` carries it out. */
export async function protectRequest(options: ProtectRequestOptions): Promise<Request> {
  const repo = await openRepo(options);
  ensureNotInMission(repo.env, `protect ${options.action}`);
  return withLock(repo, `protect ${options.action}`, async () => {
    const pins = await currentPins(repo);
    const configPin = pins.get(configPath) ?? null;
    if (options.action === 'accept') {
      // The keys trusted are never taken from the file: a hand edit of allowed_signers is put back,
      // and a key is added with `coo trust add`.
      await signersInForce(repo);
      const findings = findTampering(await registryOf(repo), pins);
      if (findings.length === 0)
        throw new CooError('E_USAGE', 'nothing to accept: every protected file matches its pin', {});
      // A config offered as the next policy must be one: checked now, not when a person approves it.
      if (findings.some((f) => f.path === configPath && f.found !== null)) await loadConfig(repo.layout.configPath);
      const accept = Object.fromEntries(findings.map((f) => [f.path, f.found]));
      return createRequest(
        repo,
        'protect.accept',
        `accept ${findings.length} protected file(s) as changed outside coo`,
        { files: accept },
      );
    }
    const pattern = options.pattern ?? '';
    if (pattern === '' || pattern.startsWith('/'))
      throw new CooError('E_USAGE', 'name a pattern relative to the repository root', { pattern });
    const exists = repo.config.protected.some((e) => e.pattern === pattern);
    if (options.action === 'add') {
      if (exists) throw new CooError('E_USAGE', `${pattern} is already protected`, { pattern });
      // What the config would refuse once approved is refused now, with the same code.
      ensureDocumentPattern(pattern, { source: 'the pattern', pointer: '' });
      if (repo.config.protected.length >= maxProtectedPatterns)
        throw new CooError('E_USAGE', `the registry holds at most ${maxProtectedPatterns} patterns`, { pattern });
      const matches = globMatcher([pattern]);
      const entryPins = Object.fromEntries(
        [...pins].filter(([path]) => matches(path)).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      return createRequest(
        repo,
        'protect.add',
        `protect ${pattern} (${Object.keys(entryPins).length} file(s) pinned)`,
        { pattern, pins: entryPins, configPin },
      );
    }
    if (!exists) throw new CooError('E_USAGE', `${pattern} is not in the registry`, { pattern });
    return createRequest(repo, 'protect.rm', `stop protecting ${pattern}`, { pattern, configPin });
  });
}

// ---- carrying out approved requests ----

/**
 * The config document a registry change starts from: the policy in force (as last approved) for
 * `add` and `rm`, so that a hand edit never rides along; the file as it is on disk for `accept`,
 * whose point is to approve it.
 */
function readConfigDoc(
  repo: Repo,
  from: 'policy' | 'disk',
): { protected?: ProtectedEntry[] } & Record<string, unknown> {
  const path =
    from === 'policy' && existsSync(repo.layout.policyPath) ? repo.layout.policyPath : repo.layout.configPath;
  return JSON.parse(readFileSync(path, 'utf8')) as { protected?: ProtectedEntry[] };
}

/** Writes a new .coo/config.json through the gateway, authorised for exactly this content, and pins it. */
async function writeConfig(
  repo: Repo,
  doc: Record<string, unknown>,
  request: RequestStatus,
  tolerate?: ReadonlyMap<string, string | null>,
): Promise<Record<string, unknown>> {
  const content = Buffer.from(`${JSON.stringify(doc, null, 2)}\n`);
  const pin = pinOfContent(content);
  const written = await gatewayWriteLocked(repo, {
    ops: [{ kind: 'write', path: configPath, content }],
    message: `${request.id}: ${request.summary}`,
    authorized: new Map([[configPath, pin]]),
    ...(tolerate ? { tolerate } : {}),
  });
  writeCooPins(repo.layout, { ...((await readCooPins(repo.layout)) ?? {}), [configPath]: pin });
  return { commit: written.commit, config: pin };
}

async function ensureConfigUnchanged(repo: Repo, request: RequestStatus): Promise<void> {
  const now = (await currentPins(repo)).get(configPath) ?? null;
  if (now !== request.payload['configPin']) {
    throw new CooError(
      'E_CHANGED_SINCE_BASE',
      `${configPath} changed since ${request.id} was made; make the request again`,
      { expected: request.payload['configPin'], found: now },
    );
  }
}

export const protectAdd: Executor = {
  check: ensureConfigUnchanged,
  async run(repo, request) {
    const doc = readConfigDoc(repo, 'policy');
    const entry: ProtectedEntry = {
      pattern: String(request.payload['pattern']),
      pins: request.payload['pins'] as Record<string, string>,
    };
    return writeConfig(repo, { ...doc, protected: [...(doc.protected ?? []), entry] }, request);
  },
};

export const protectRm: Executor = {
  check: ensureConfigUnchanged,
  async run(repo, request) {
    const doc = readConfigDoc(repo, 'policy');
    return writeConfig(
      repo,
      { ...doc, protected: (doc.protected ?? []).filter((e) => e.pattern !== request.payload['pattern']) },
      request,
    );
  },
};

export const protectAccept: Executor = {
  async check(repo, request) {
    const now = await currentPins(repo);
    for (const [path, pin] of Object.entries(request.payload['files'] as Record<string, string | null>)) {
      if ((now.get(path) ?? null) !== pin)
        throw new CooError('E_CHANGED_SINCE_BASE', `${path} changed again since ${request.id} was made`, {
          path,
          expected: pin,
          found: now.get(path) ?? null,
        });
    }
  },
  async run(repo, request) {
    const files = request.payload['files'] as Record<string, string | null>;
    const coo = { ...((await readCooPins(repo.layout)) ?? {}) };
    const doc = readConfigDoc(repo, 'disk');
    const entries = (doc.protected ?? []).map((e) => ({ pattern: e.pattern, pins: { ...e.pins } }));
    for (const [path, pin] of Object.entries(files)) {
      if (path.startsWith(`${cooDirName}/`)) {
        if (pin === null) delete coo[path];
        else coo[path] = pin;
        continue;
      }
      const entry =
        entries.find((e) => e.pins[path] !== undefined) ?? entries.find((e) => globMatcher([e.pattern])(path));
      if (!entry) continue;
      if (pin === null) delete entry.pins[path];
      else entry.pins[path] = pin;
    }
    writeCooPins(repo.layout, coo);
    const changedEntries = JSON.stringify(entries) !== JSON.stringify(doc.protected ?? []);
    const written = changedEntries
      ? await writeConfig(repo, { ...doc, protected: entries }, request, new Map(Object.entries(files)))
      : {};
    return { accepted: Object.keys(files).sort(), ...written };
  },
};
