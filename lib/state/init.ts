import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CooError, ioError } from '../core/coo-error.js';
import { initialConfig, loadConfig } from '../core/config.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { cooDirName, findGitTop, layoutFor, privateCooEntries, type Layout } from '../store/layout.js';
import { hashCooFiles, readCooPins, recordPolicy, writeCooPins } from '../governance/governance.js';
import { allowedSignersFile, signersInForce } from '../governance/trusted-signers.js';
import { formatAllowedSigner, parseAllowedSigners, type AllowedSigner } from '../trust/allowed-signers.js';
import { formatPublicKeyLine } from '../trust/ed25519-key.js';
import { createCooKey, findSigningKey, type SigningKey } from '../trust/signing-key.js';
import { readGitConfig, type Env } from '../core/git-config.js';
import { defaultEmail } from '../store/repo.js';

// `coo init`: the `.coo/` directory, the bare state repository, the ignore rules for coo's
// private parts, a default config, a signing key if the user has none, and that key's line in
// allowed_signers. Running it again repairs what is missing and changes nothing else.

export interface InitOptions {
  /** The repository root. Default: the top of the git work tree around `cwd`, else `cwd`. */
  readonly dir?: string;
  readonly cwd?: string;
  readonly env?: Env;
}

export interface InitResult {
  readonly root: string;
  readonly created: boolean;
  readonly key: {
    readonly source: SigningKey['source'];
    readonly path: string;
    readonly publicKey: string;
    readonly created: boolean;
  };
  readonly notes: readonly string[];
}

const stateConfig = `[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = true
\tautocrlf = false
\tlogallrefupdates = false
[gc]
\tauto = 0
`;

function writeIfMissing(path: string, content: string, mode?: number): boolean {
  if (existsSync(path)) return false;
  writeFileAtomic(path, content, mode === undefined ? {} : { mode });
  return true;
}

function createStateRepo(layout: Layout): boolean {
  const { gitdir } = layout;
  const fresh = !existsSync(join(gitdir, 'HEAD'));
  for (const dir of ['objects/info', 'objects/pack', 'refs/heads', 'refs/tags', 'coo'])
    mkdirSync(join(gitdir, dir), { recursive: true });
  writeIfMissing(join(gitdir, 'config'), stateConfig);
  writeIfMissing(
    join(gitdir, 'description'),
    'coo state repository: snapshots, baselines (amu0), runs and the operation log\n',
  );
  // HEAD last: its presence is what marks the state repository as usable.
  writeIfMissing(join(gitdir, 'HEAD'), 'ref: refs/heads/amu0\n');
  return fresh;
}

/** Adds the key to allowed_signers unless it is there. */
function trustKey(layout: Layout, key: SigningKey, principal: string): void {
  const path = layout.allowedSignersPath;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (parseAllowedSigners(text).some((s) => s.publicKey.equals(key.key.publicKey))) return;
  const prefix =
    text === ''
      ? '# Keys trusted to sign coo baselines and approvals (git allowed-signers format).\n'
      : text.endsWith('\n')
        ? text
        : `${text}\n`;
  writeFileAtomic(path, prefix + formatAllowedSigner(principal, key.key.publicKey));
}

/**
 * On first use, trusts the signing key and pins coo's committed files. A later run changes neither
 * the trusted keys nor a pin (running init never blesses an edit made outside coo, nor trusts a
 * key on its own); it says how to ask for a key that is not trusted.
 */
async function trustAndPin(layout: Layout, key: SigningKey, principal: string): Promise<string[]> {
  const pins = await readCooPins(layout);
  if (!pins) {
    trustKey(layout, key, principal);
    writeCooPins(layout, hashCooFiles(layout));
    return [];
  }
  // A repository pinned before coo kept the policy in force: record it now, if the file is still as pinned.
  const configPin = pins[`${cooDirName}/config.json`] ?? null;
  if (
    !existsSync(layout.policyPath) &&
    configPin !== null &&
    hashCooFiles(layout)[`${cooDirName}/config.json`] === configPin
  ) {
    recordPolicy(layout, configPin);
  }
  let signers: readonly AllowedSigner[];
  try {
    ({ signers } = await signersInForce({ layout }));
  } catch (err) {
    if ((err as CooError).code !== 'E_PROTECTED_TAMPERED') throw err;
    return [
      `${allowedSignersFile} differs from its pin (changed outside coo): nothing that relies on trust runs until it is put back as approved; keys are added with \`coo trust add\``,
    ];
  }
  if (signers.some((s) => s.publicKey.equals(key.key.publicKey))) return [];
  return [
    'your signing key is not trusted by .coo/allowed_signers: ask for it with `coo trust add`, and approve that with a key already trusted',
  ];
}

export async function initRepo(options: InitOptions = {}): Promise<InitResult> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  let root: string;
  try {
    root = realpathSync(options.dir ? resolve(cwd, options.dir) : (findGitTop(cwd) ?? cwd));
  } catch (err) {
    throw new CooError(
      'E_USAGE',
      `cannot use ${options.dir ?? cwd} as a repository root`,
      { dir: options.dir ?? cwd },
      { cause: err },
    );
  }
  const layout = layoutFor(root);
  // Read first: a git configuration git refuses fails init before anything is written.
  const gitConfig = readGitConfig(root, env);
  try {
    mkdirSync(layout.cooDir, { recursive: true });
    const created = createStateRepo(layout);
    writeIfMissing(join(layout.cooDir, '.gitignore'), `${privateCooEntries.map((e) => `/${e}/`).join('\n')}\n`);
    writeIfMissing(layout.configPath, `${JSON.stringify(initialConfig, null, 2)}\n`);
    await loadConfig(layout.configPath); // an existing config must still be valid

    const found = findSigningKey(layout, gitConfig, env);
    const principal = gitConfig.get('user.email') ?? defaultEmail;
    const key = found.key ?? createCooKey(layout, principal);
    const notes = [...found.notes, ...(await trustAndPin(layout, key, principal))];
    return {
      root,
      created,
      key: {
        source: key.source,
        path: key.path,
        publicKey: formatPublicKeyLine(key.key.publicKey),
        created: !found.key,
      },
      notes,
    };
  } catch (err) {
    throw ioError(err, `initialising ${layout.cooDir}`);
  }
}
