import { readJsonFile } from './json-document.js';

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
