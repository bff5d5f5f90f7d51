import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CooError } from '../core/coo-error.js';
import { readJsonFile } from '../core/json-document.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { cooDirName, privateCooEntries, type Layout } from '../store/layout.js';
import { sha256HexOfCid } from '../store/manifest.js';
import type { Repo } from '../store/repo.js';
import { findTampering, makeRegistry, sha256Pin, type Registry } from './protected.js';

// The governance state of an opened repository: its protected registry (patterns and pins from
// .coo/config.json, plus pins of coo's own committed files kept in the state repository), and
// the tripwire that every command reading governed state runs first.

function pinsPath(layout: Layout): string {
  return join(layout.privateDir, 'governance-pins.json');
}

interface PinsFile {
  readonly version: 1;
  readonly pins: Record<string, string>;
}

/** The pins of .coo/'s files (null before `coo init` made them); a damaged file is E_STATE_CORRUPT. */
export async function readCooPins(layout: Layout): Promise<Record<string, string> | null> {
  const file = await readJsonFile<PinsFile, null>(pinsPath(layout), {
    schema: 'governance-pins',
    code: 'E_STATE_CORRUPT',
    missing: () => null,
  });
  return file === null ? null : { ...file.pins };
}

const configFile = `${cooDirName}/config.json`;

/**
 * Records the pins of coo's committed files as approved, and with them the policy in force: the
 * bytes of `.coo/config.json` they pin, copied into the state repository. From then on the
 * config coo works by is that copy, whatever the file on disk becomes (changed, older, gone).
 */
export function writeCooPins(layout: Layout, pins: Record<string, string>): void {
  const sorted = Object.fromEntries(Object.entries(pins).sort(([a], [b]) => (a < b ? -1 : 1)));
  recordPolicy(layout, sorted[configFile] ?? null);
  const doc: PinsFile = { version: 1, pins: sorted };
  writeFileAtomic(pinsPath(layout), `${JSON.stringify(doc, null, 2)}\n`, { fsync: true });
}

/** Copies the config on disk as the policy in force, when its bytes are the ones pinned. */
export function recordPolicy(layout: Layout, pin: string | null): void {
  if (pin === null) return;
  let bytes: Buffer;
  try {
    bytes = readFileSync(layout.configPath);
  } catch {
    return; // no config: the embedded defaults, with nothing to record
  }
  if (sha256Pin(createHash('sha256').update(bytes).digest('hex')) !== pin) {
    throw new CooError('E_INTERNAL', `${configFile} is not the content its new pin names`, { pin });
  }
  writeFileAtomic(layout.policyPath, bytes, { fsync: true });
}

/** The SHA-256 pins of coo's committed files (everything under .coo/ but its private parts). */
export function hashCooFiles(layout: Layout): Record<string, string> {
  const pins: Record<string, string> = {};
  const walk = (abs: string, rel: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (rel === cooDirName && (privateCooEntries as readonly string[]).includes(entry.name)) continue;
      const childRel = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(join(abs, entry.name), childRel);
      else if (entry.isFile())
        pins[childRel] = sha256Pin(
          createHash('sha256')
            .update(readFileSync(join(abs, entry.name)))
            .digest('hex'),
        );
    }
  };
  walk(layout.cooDir, cooDirName);
  return pins;
}

export async function registryOf(repo: Repo): Promise<Registry> {
  return makeRegistry(repo.config.protected, (await readCooPins(repo.layout)) ?? {});
}

/** path → "sha256:<hex>" for captured files (their CIDs carry the digest). */
export function pinsOfCapture(files: readonly { path: string; cid: string }[]): Map<string, string> {
  return new Map(files.map((f) => [f.path, sha256Pin(sha256HexOfCid(f.cid))]));
}

/**
 * The tripwire: throws E_PROTECTED_TAMPERED naming every protected file that changed outside coo,
 * except changes an approved request accepts (`tolerate`: path → the exact content accepted).
 */
export function ensureNotTampered(
  registry: Registry,
  files: ReadonlyMap<string, string>,
  tolerate: ReadonlyMap<string, string | null> = new Map(),
): void {
  const findings = findTampering(registry, files).filter(
    (f) => !(tolerate.has(f.path) && tolerate.get(f.path) === f.found),
  );
  const first = findings[0];
  if (!first) return;
  const policy = findings.find((f) => f.path === configFile);
  if (policy) {
    throw new CooError(
      'E_POLICY_TAMPERED',
      `${configFile} is not the policy in force (as last approved): ${policy.found === null ? 'it is missing' : 'it was changed outside coo'}; coo goes on by the approved policy and counts the file for nothing`,
      {
        path: configFile,
        expected: policy.expected,
        found: policy.found,
        findings,
        todo: [
          `git checkout -- ${configFile}   # put back the approved file, if it is committed`,
          'coo protect accept   # or ask a person to approve the file as it is now',
        ],
      },
    );
  }
  throw new CooError(
    'E_PROTECTED_TAMPERED',
    `protected file ${first.path} changed outside coo: expected ${first.expected ?? '(no file)'}, found ${first.found ?? '(no file)'}${findings.length > 1 ? ` (and ${findings.length - 1} more)` : ''}`,
    { path: first.path, expected: first.expected, found: first.found, findings },
  );
}
