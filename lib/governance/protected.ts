import type { ProtectedEntry } from '../core/config.js';
import { cooDirName } from '../store/layout.js';
import { globMatcher, type PathMatcher } from './glob.js';

// The protected artefact registry: patterns in .coo/config.json, each pinned to the SHA-256 of
// every file it matched when it was added. `.coo/` itself is always protected; its files are
// pinned in the state repository (they cannot carry their own pins). No coo code path may change
// a protected artefact: a write is allowed only when it leaves the content equal to the pin (a
// restore) or when an approved request names exactly that content.

export const alwaysProtected = [`${cooDirName}/**`];

export interface Registry {
  readonly patterns: readonly string[];
  isProtected: PathMatcher;
  /** The pinned hash of a path, or null if the path is protected but was not there when pinned. */
  pinOf(path: string): string | null;
  /** Every pinned path with its hash. */
  readonly pins: ReadonlyMap<string, string>;
}

export function sha256Pin(hex: string): string {
  return `sha256:${hex}`;
}

export function makeRegistry(entries: readonly ProtectedEntry[], cooPins: Readonly<Record<string, string>>): Registry {
  const patterns = [...alwaysProtected, ...entries.map((e) => e.pattern)];
  const pins = new Map<string, string>();
  for (const entry of entries) for (const [path, pin] of Object.entries(entry.pins)) pins.set(path, pin);
  for (const [path, pin] of Object.entries(cooPins)) pins.set(path, pin);
  return { patterns, isProtected: globMatcher(patterns), pinOf: (path) => pins.get(path) ?? null, pins };
}

export interface ProtectedChange {
  readonly path: string;
  /** The content's pin after the change; null for a deletion. */
  readonly after: string | null;
}

/** Whether a change to a path leaves it as its registry says (a restore), so that it changes nothing protected. */
export function keepsPin(registry: Registry, change: ProtectedChange): boolean {
  const pin = registry.pinOf(change.path);
  return pin !== null && change.after === pin;
}

export interface TamperFinding {
  readonly path: string;
  /** The pinned hash; null for a file under a protected pattern that no pin covers. */
  readonly expected: string | null;
  /** The hash on disk; null for a pinned file that is gone. */
  readonly found: string | null;
}

/** The tripwire: every protected file whose content is not its pin, and every pinned file that is gone. */
export function findTampering(registry: Registry, files: ReadonlyMap<string, string>): TamperFinding[] {
  const findings: TamperFinding[] = [];
  for (const [path, hash] of files) {
    if (!registry.isProtected(path)) continue;
    const pin = registry.pinOf(path);
    if (pin !== hash) findings.push({ path, expected: pin, found: hash });
  }
  for (const [path, pin] of registry.pins) if (!files.has(path)) findings.push({ path, expected: pin, found: null });
  return findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
