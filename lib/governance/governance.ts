import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CooError } from '../errors/coo-error.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { cooDirName, privateCooEntries, type Layout } from '../store/layout.js';
import { sha256HexOfCid } from '../store/manifest.js';
import type { Repo } from '../repo/repo.js';
import { findTampering, makeRegistry, sha256Pin, type Registry } from './protected.js';

// The governance state of an opened repository: its protected registry (patterns and pins from
// .coo/config.json, plus pins of coo's own committed files kept in the state repository), and
// the tripwire that every command reading governed state runs first.

function pinsPath(layout: Layout): string {
  return join(layout.privateDir, 'governance-pins.json');
}

export function readCooPins(layout: Layout): Record<string, string> | null {
  try {
    return JSON.parse(readFileSync(pinsPath(layout), 'utf8')) as Record<string, string>;
  } catch {
    return null;
  }
}

export function writeCooPins(layout: Layout, pins: Record<string, string>): void {
  const sorted = Object.fromEntries(Object.entries(pins).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileAtomic(pinsPath(layout), `${JSON.stringify(sorted, null, 2)}\n`, { fsync: true });
}

/** The SHA-256 pins of coo's committed files (everything under .coo/ but its private parts). */
export function hashCooFiles(layout: Layout): Record<string, string> {
  const pins: Record<string, string> = {};
  const walk = (abs: string, rel: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (rel === cooDirName && (privateCooEntries as readonly string[]).includes(entry.name)) continue;
      const childRel = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(join(abs, entry.name), childRel);
      else if (entry.isFile()) pins[childRel] = sha256Pin(createHash('sha256').update(readFileSync(join(abs, entry.name))).digest('hex'));
    }
  };
  walk(layout.cooDir, cooDirName);
  return pins;
}

export function registryOf(repo: Repo): Registry {
  return makeRegistry(repo.config.protected, readCooPins(repo.layout) ?? {});
}

/** path → "sha256:<hex>" for captured files (their CIDs carry the digest). */
export function pinsOfCapture(files: readonly { path: string; cid: string }[]): Map<string, string> {
  return new Map(files.map((f) => [f.path, sha256Pin(sha256HexOfCid(f.cid))]));
}

/**
 * The tripwire: throws E_PROTECTED_TAMPERED naming every protected file that changed outside coo,
 * except changes an approved request accepts (`tolerate`: path → the exact content accepted).
 */
export function ensureNotTampered(registry: Registry, files: ReadonlyMap<string, string>, tolerate: ReadonlyMap<string, string | null> = new Map()): void {
  const findings = findTampering(registry, files).filter((f) => !(tolerate.has(f.path) && tolerate.get(f.path) === f.found));
  const first = findings[0];
  if (!first) return;
  throw new CooError(
    'E_PROTECTED_TAMPERED',
    `protected file ${first.path} changed outside coo: expected ${first.expected ?? '(no file)'}, found ${first.found ?? '(no file)'}${findings.length > 1 ? ` (and ${findings.length - 1} more)` : ''}`,
    { path: first.path, expected: first.expected, found: first.found, findings },
  );
}
