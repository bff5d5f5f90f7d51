// Every error coo can report, in one place. The catalogue is documentation: each code says what
// happened and what the user can do; the CLI turns `exit` into the process exit status, and the
// README's error table is checked against this list by a test.

export const exitCodes = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  governance: 3,
  trust: 4,
  conflict: 5,
  busy: 6,
  io: 74,
  internal: 70,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

interface CodeInfo {
  readonly exit: ExitCode;
  /** What happened, in general terms. */
  readonly summary: string;
  /** What the user can do about it. */
  readonly hint: string;
}

export const catalogue = {
  E_USAGE: {
    exit: exitCodes.usage,
    summary: 'The command line is not valid.',
    hint: 'Run `coo --help` or `coo <command> --help`.',
  },
  E_NOT_INITIALISED: {
    exit: exitCodes.usage,
    summary: 'No coo state was found in this directory or any parent.',
    hint: 'Run `coo init` at the root of the repository.',
  },
  E_CONFIG_INVALID: {
    exit: exitCodes.usage,
    summary: '.coo/config.json does not match its schema.',
    hint: 'Fix the field named in `data.pointer`; the schema is schemas/config.schema.json.',
  },
  E_REF_NOT_FOUND: {
    exit: exitCodes.usage,
    summary: 'The name does not resolve to a state in the state repository.',
    hint: 'List states with `coo log` or `git --git-dir=.coo/state.git show-ref`.',
  },
  E_REF_AMBIGUOUS: {
    exit: exitCodes.usage,
    summary: 'An abbreviated object id matches more than one object.',
    hint: 'Give more hex digits of the id.',
  },
  E_REF_INVALID: {
    exit: exitCodes.usage,
    summary: 'The name is not a valid state name.',
    hint: 'Names use letters, digits, `.`, `_`, `-` and `/`, as git branch names do.',
  },
  E_NOT_A_COMMIT: {
    exit: exitCodes.usage,
    summary: 'The name resolves to an object that is not a commit.',
    hint: 'Name a snapshot, baseline or run.',
  },
  E_BASELINE_EXISTS: {
    exit: exitCodes.usage,
    summary: 'A baseline with this name already exists; named baselines never move.',
    hint: 'Choose another name, or restore the existing one with `coo baseline restore NAME`.',
  },
  E_NO_BASELINE: {
    exit: exitCodes.usage,
    summary: 'There is no AMU0 baseline yet.',
    hint: 'Create one with `coo baseline create NAME`.',
  },
  E_NOTHING_TO_UNDO: {
    exit: exitCodes.usage,
    summary: 'The last operation did not change the working tree, so there is nothing to undo.',
    hint: 'See `coo log` for the operation history; `coo rollback REF` returns to any state.',
  },
  E_PATH_INVALID: {
    exit: exitCodes.governance,
    summary: 'A path is not a valid repository path.',
    hint: 'Paths are relative, use `/` as separator, and have no empty, `.` or `..` component.',
  },
  E_PATH_ABSOLUTE: {
    exit: exitCodes.governance,
    summary: 'A path is absolute (POSIX, Windows drive or UNC form).',
    hint: 'Give the path relative to the repository root.',
  },
  E_PATH_TRAVERSAL: {
    exit: exitCodes.governance,
    summary: 'A path has a `..` component and could leave the repository root.',
    hint: 'Give the path relative to the repository root, without `..`.',
  },
  E_PATH_DOTGIT: {
    exit: exitCodes.governance,
    summary: 'A path names `.git` in one of its spellings (case, trailing dots or spaces, short name, stream, ignorable characters).',
    hint: 'coo never writes into a `.git` directory; rename the file.',
  },
  E_PATH_BACKSLASH: {
    exit: exitCodes.governance,
    summary: 'A path contains a backslash, which is a separator on Windows.',
    hint: 'Use `/` as the separator and rename files whose names contain `\\`.',
  },
  E_SYMLINK_IN_PATH: {
    exit: exitCodes.conflict,
    summary: 'A directory on the way to a path is a symbolic link; coo never writes through one.',
    hint: 'Replace the link with a real directory, or remove it, then try again.',
  },
  E_WORKTREE_CONFLICT: {
    exit: exitCodes.conflict,
    summary: 'The working tree holds something coo must not overwrite or remove.',
    hint: 'Move the files named in `data.paths` aside (they are ignored or not capturable, so no snapshot holds them), then try again.',
  },
  E_WORKTREE_CHANGED: {
    exit: exitCodes.conflict,
    summary: 'After writing, the working tree does not match what was written: something else changed it meanwhile.',
    hint: 'Stop the other writer, then run the same command again; the safety snapshot named in `data.safety` holds the tree from before.',
  },
  E_FILE_CHANGED_DURING_CAPTURE: {
    exit: exitCodes.conflict,
    summary: 'A file kept changing while it was being read.',
    hint: 'Stop whatever is writing the file named in `data.path`, then snapshot again.',
  },
  E_LOCKED: {
    exit: exitCodes.busy,
    summary: 'Another coo process is working on this repository.',
    hint: 'Wait for it to finish. If `data.pid` is not running on `data.host`, remove `.coo/state.git/coo.lock`.',
  },
  E_INTERRUPTED: {
    exit: exitCodes.busy,
    summary: 'An earlier operation was interrupted before it finished.',
    hint: 'Follow `data.todo`: finish it (run the same rollback again) or return to the safety snapshot.',
  },
  E_UNSIGNED: {
    exit: exitCodes.trust,
    summary: 'The baseline commit carries no signature.',
    hint: 'Only signed baselines are restored. Recreate it with `coo baseline create`.',
  },
  E_SIGNATURE_INVALID: {
    exit: exitCodes.trust,
    summary: 'The signature does not match the commit: it was tampered with or is malformed.',
    hint: 'Do not trust this state. Inspect it with `git --git-dir=.coo/state.git cat-file -p REF`.',
  },
  E_SIGNER_UNTRUSTED: {
    exit: exitCodes.trust,
    summary: 'The commit is signed by a key that .coo/allowed_signers does not trust for git.',
    hint: 'If you trust the key in `data.key`, add it to .coo/allowed_signers.',
  },
  E_MANIFEST_MISMATCH: {
    exit: exitCodes.trust,
    summary: 'The content manifest recorded in the commit does not match its tree.',
    hint: 'The state repository is damaged or was forged; do not restore this state.',
  },
  E_BASELINE_OUT_OF_SEQUENCE: {
    exit: exitCodes.trust,
    summary: 'The baseline is older than one already seen, or its lineage numbers do not follow each other.',
    hint: 'Someone moved the baseline ref back. `data` names the expected and found sequence numbers.',
  },
  E_SIGNING_KEY: {
    exit: exitCodes.trust,
    summary: 'No usable Ed25519 signing key was found.',
    hint: 'Run `coo init` to create one under .coo/keys/, or set git `user.signingkey` to an unencrypted Ed25519 key with `gpg.format=ssh`.',
  },
  E_STATE_CORRUPT: {
    exit: exitCodes.checkFailed,
    summary: 'The state repository holds a missing or malformed object.',
    hint: 'Run `git --git-dir=.coo/state.git fsck --strict` to see the damage.',
  },
  E_IO: {
    exit: exitCodes.io,
    summary: 'A filesystem operation failed.',
    hint: 'See `data.syscall`, `data.path` and `data.errno`; fix permissions or free space, then retry. Nothing was half-written.',
  },
  E_INTERNAL: {
    exit: exitCodes.internal,
    summary: 'coo hit a bug.',
    hint: 'Please report it with the command you ran and the output of `coo --version`.',
  },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof catalogue;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(catalogue, value);
}
