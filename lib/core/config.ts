import { CooError } from './coo-error.js';
import { ensureDocumentName, ensureDocumentPath, ensureDocumentPattern } from './document-paths.js';
import { readJsonFile } from './json-document.js';
import { compileNamingRule } from './naming-rule.js';
import { escapePointer } from './strict-json.js';

// `.coo/config.json`: committed with the repository, checked against schemas/config.schema.json
// on every read. A repository without one runs on the embedded defaults. The shapes of what it
// holds live here; what they mean (the protected registry, naming rules) is governance's.

/** A protected pattern, pinned to the SHA-256 of every file it matched when it was added. */
export interface ProtectedEntry {
  readonly pattern: string;
  /** path → "sha256:<hex>" of each file the pattern matched when it was pinned. */
  readonly pins: Readonly<Record<string, string>>;
}

/** A governed directory: its naming rule (named groups `name` and `version`) and its INDEX file. */
export interface GovernedDir {
  readonly dir: string;
  readonly naming: string;
  readonly index: string;
}

/** The registry's size (schemas/config.schema.json says the same). */
export const maxProtectedPatterns = 1000;

export const defaultNaming = '^(?<name>[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)_v(?<version>[0-9]+(?:\\.[0-9]+)*)\\.md$';
export const defaultIndexName = 'INDEX.md';

export interface CooConfig {
  readonly version: 1;
  readonly capture: {
    readonly maxNewFileBytes: number;
  };
  readonly gateway: {
    readonly maxFileBytes: number;
  };
  readonly protected: readonly ProtectedEntry[];
  readonly governed: readonly GovernedDir[];
}

export const defaultConfig: CooConfig = {
  version: 1,
  capture: { maxNewFileBytes: 100 * 1024 * 1024 },
  gateway: { maxFileBytes: 100 * 1024 * 1024 },
  protected: [],
  governed: [],
};

/** The part of the defaults `coo init` writes into a new .coo/config.json. */
export const initialConfig = { version: 1, capture: defaultConfig.capture, protected: [], governed: [] };

export async function loadConfig(path: string): Promise<CooConfig> {
  const given = await readJsonFile<Partial<CooConfig>, null>(path, {
    schema: 'config',
    code: 'E_CONFIG_INVALID',
    missing: () => null,
  });
  if (given === null) return defaultConfig;
  ensureConfigValues(given, path);
  return {
    version: 1,
    capture: { ...defaultConfig.capture, ...given.capture },
    gateway: { ...defaultConfig.gateway, ...given.gateway },
    protected: given.protected ?? [],
    governed: (given.governed ?? []).map((g) => ({
      dir: g.dir,
      naming: g.naming ?? defaultNaming,
      index: g.index ?? defaultIndexName,
    })),
  };
}

/**
 * What the schema cannot say about a config: every path in it is one the gateway would accept
 * (with the gateway's code, `data.pointer` naming the field), and every naming rule compiles.
 */
export function ensureConfigValues(config: Partial<CooConfig>, source: string): void {
  for (const [i, entry] of (config.protected ?? []).entries()) {
    ensureDocumentPattern(entry.pattern, { source, pointer: `/protected/${i}/pattern` });
    for (const pinned of Object.keys(entry.pins))
      ensureDocumentPath(pinned, { source, pointer: `/protected/${i}/pins/${escapePointer(pinned)}` });
  }
  for (const [i, g] of (config.governed ?? []).entries()) {
    ensureDocumentPath(g.dir, { source, pointer: `/governed/${i}/dir` });
    const index = g.index ?? defaultIndexName;
    ensureDocumentName(index, { source, pointer: `/governed/${i}/index` });
    ensureDocumentPath(`${g.dir}/${index}`, { source, pointer: `/governed/${i}/index` });
    const naming = g.naming ?? defaultNaming;
    const rule = compileNamingRule(naming);
    if ('problem' in rule) {
      throw new CooError(
        'E_CONFIG_INVALID',
        `${source}: at /governed/${i}/naming: the naming rule is ${rule.problem}`,
        { path: source, pointer: `/governed/${i}/naming`, problem: 'naming-rule', reason: rule.problem },
      );
    }
  }
}
