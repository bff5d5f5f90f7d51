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
  /** `coo determinism`: runs differed and no cause could be settled. */
  inconclusive: 8,
  /** `coo determinism`: a step fails in every run, so nothing could be compared. */
  determinismError: 9,
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
    summary:
      '.coo/config.json is not valid: too large, not strict JSON, a key named twice, nested too deep, or not its schema (`data.problem` says which).',
    hint: 'Fix the field named in `data.pointer`; the schema is schemas/config.schema.json.',
  },
  E_GIT_NOT_FOUND: {
    exit: exitCodes.usage,
    summary: 'git is not installed or not on PATH; coo reads the git configuration through it.',
    hint: 'Install git, or put it on the PATH that `data.path` shows.',
  },
  E_GIT_CONFIG: {
    exit: exitCodes.usage,
    summary: 'git could not read its configuration (a broken config file, include, or GIT_CONFIG_* variable).',
    hint: 'Run `git config --list --show-origin` in the repository: `data.stderr` names what git refused; fix it there.',
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
    summary:
      'A path names `.git` in one of its spellings (case, trailing dots or spaces, short name, stream, ignorable characters).',
    hint: 'coo never writes into a `.git` directory; rename the file.',
  },
  E_PATH_BACKSLASH: {
    exit: exitCodes.governance,
    summary: 'A path contains a backslash, which is a separator on Windows.',
    hint: 'Use `/` as the separator and rename files whose names contain `\\`.',
  },
  E_PATH_SURROGATE: {
    exit: exitCodes.governance,
    summary: 'A path contains a lone surrogate, which no filesystem can store as UTF-8.',
    hint: 'Pass the name as valid Unicode text.',
  },
  E_PATH_CONTROL_CHAR: {
    exit: exitCodes.governance,
    summary: 'A path contains a control character (newline, tab, escape, DEL, C1).',
    hint: 'Rename it with printable characters only.',
  },
  E_PATH_BIDI_CHAR: {
    exit: exitCodes.governance,
    summary: 'A path contains a bidirectional control character, which can make it display as another name.',
    hint: 'Remove the direction marks from the name.',
  },
  E_PATH_INVISIBLE_CHAR: {
    exit: exitCodes.governance,
    summary: 'A path contains a zero-width or ignorable character, which some filesystems drop.',
    hint: 'Remove the invisible characters from the name.',
  },
  E_PATH_RESERVED_CHAR: {
    exit: exitCodes.governance,
    summary: 'A path contains a character Windows reserves (< > : " | ? *).',
    hint: 'Rename it without those characters.',
  },
  E_PATH_RESERVED_NAME: {
    exit: exitCodes.governance,
    summary:
      'A path component is a device name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9), with or without an extension, or the first component is one a shell expands to a home directory (`~`, `~user`, `~+`, `~-`).',
    hint: 'Choose another name.',
  },
  E_PATH_TRAILING_DOT_SPACE: {
    exit: exitCodes.governance,
    summary: 'A path component ends in a dot or a space, which Windows drops.',
    hint: 'Remove the trailing dot or space.',
  },
  E_PATH_GIT_FILE_LINK: {
    exit: exitCodes.governance,
    summary:
      'A symbolic link would be named .gitmodules, .gitattributes, .gitignore or .mailmap (in some spelling); git reads these from the tree.',
    hint: 'Write a regular file instead.',
  },
  E_PATH_TOO_DEEP: {
    exit: exitCodes.governance,
    summary: 'A path has more components than the gateway allows.',
    hint: 'Flatten the directory structure.',
  },
  E_PATH_COMPONENT_TOO_LONG: {
    exit: exitCodes.governance,
    summary: 'A path component is longer than 255 bytes.',
    hint: 'Shorten the name.',
  },
  E_PATH_TOO_LONG: {
    exit: exitCodes.governance,
    summary:
      'A path is too long for the kernel: with the repository root and a `/` before it, more than 4095 bytes (PATH_MAX less its NUL).',
    hint: 'Shorten the path.',
  },
  E_PATH_NOT_NFC: {
    exit: exitCodes.governance,
    summary: 'A path is not in Unicode normalisation form C, so macOS and git would see another name.',
    hint: 'Normalise the name to NFC.',
  },
  E_PATH_CASE_TWIN: {
    exit: exitCodes.governance,
    summary:
      'Two names differ only by case or Unicode form, a file or a directory on the way (`SRC/x` beside `src/`); on a case-insensitive filesystem they are one.',
    hint: 'Use the existing spelling named in `data.existing`.',
  },
  E_PATH_OUTSIDE_ROOT: {
    exit: exitCodes.governance,
    summary: 'A path resolves outside the repository root.',
    hint: 'Name only paths inside the repository; on the command line they count from the current directory (`:/path` from the root).',
  },
  E_PATH_PRIVATE: {
    exit: exitCodes.governance,
    summary:
      "A file to read the content of a write from lies under .coo/ (coo's keys, state, work trees, config): coo never reads its own files on anyone's behalf.",
    hint: 'Name a file outside .coo/; to change the config, edit it and run `coo protect accept --approve`.',
  },
  E_PATH_NOT_FOUND: {
    exit: exitCodes.usage,
    summary: 'A path to delete does not exist in the working tree.',
    hint: 'Check the path; `coo diff` shows what exists.',
  },
  E_PATHSPEC_NO_MATCH: {
    exit: exitCodes.usage,
    summary: 'A pathspec matches no path of the state or the working tree, so the command would do nothing with it.',
    hint: 'Check `data.pathspecs`: paths count from the current directory (`:/path` from the root); `coo diff REF --stat` lists the paths.',
  },
  E_PATH_HARDLINK: {
    exit: exitCodes.conflict,
    summary: 'The file has other hard links; writing or deleting it through the gateway is refused.',
    hint: 'Break the hard link (copy the file) first.',
  },
  E_PATH_SPECIAL_FILE: {
    exit: exitCodes.conflict,
    summary: 'The path is a FIFO, socket or device, which the gateway never writes.',
    hint: 'Remove the special file first.',
  },
  E_CONTENT_TOO_LARGE: {
    exit: exitCodes.governance,
    summary: 'The content is larger than the gateway allows for one file.',
    hint: 'Raise `gateway.maxFileBytes` in .coo/config.json (an approved change) or write less.',
  },
  E_WRITE_DUPLICATE: {
    exit: exitCodes.governance,
    summary: 'A write set names the same path twice.',
    hint: 'Name each path once.',
  },
  E_WRITE_SET_INVALID: {
    exit: exitCodes.usage,
    summary:
      'A write set (`coo write --set FILE`) is not valid: unreadable, too large, not strict JSON, a key named twice, an unknown or missing field, or base64 that is not strict (`data.problem` says which).',
    hint: 'Fix the entry at `data.pointer`; the schema is schemas/write-set.schema.json.',
  },
  E_COLLISION_FILE_DIR: {
    exit: exitCodes.conflict,
    summary: 'A file would replace a directory, or a directory a file.',
    hint: 'Delete the file or directory in the same write set, explicitly.',
  },
  E_CHANGED_SINCE_BASE: {
    exit: exitCodes.conflict,
    summary: 'A file changed since the state the write was based on; the gateway does not overwrite it.',
    hint: 'Look at `data.expected` and `data.found`; redo the change on top of the current file.',
  },
  E_SYMLINK_RACE: {
    exit: exitCodes.conflict,
    summary: 'A directory on the way became a symbolic link during the write; what was written there was removed.',
    hint: 'Find what is swapping directories for links in the working tree.',
  },
  E_GOVERNANCE_PROTECTED: {
    exit: exitCodes.governance,
    summary: 'The write would change a protected artefact; no coo code path may.',
    hint: 'Protected paths change only through an approved registry change (`coo protect rm`, then `coo approve`).',
  },
  E_PROTECTED_TAMPERED: {
    exit: exitCodes.trust,
    summary: 'A protected file changed outside coo: its content no longer matches its pin.',
    hint: 'Restore it (`coo rollback` to a state where it matches), or accept the change with `coo protect accept` and `coo approve`. .coo/allowed_signers is only put back as it was approved; keys are added with `coo trust add`.',
  },
  E_SCOPE_DENIED: {
    exit: exitCodes.governance,
    summary: "The mission's scope does not allow this change (rules are read in order; what no rule allows is denied).",
    hint: "Widen the mission's scope rules, or leave the path alone.",
  },
  E_CEILING_FILES: {
    exit: exitCodes.governance,
    summary: "The write set changes more files than the mission's ceiling allows.",
    hint: 'Split the work into smaller missions, or raise `ceilings.maxFiles`.',
  },
  E_CEILING_BYTES: {
    exit: exitCodes.governance,
    summary: "The write set writes more bytes than the mission's ceiling allows.",
    hint: 'Raise `ceilings.maxBytes`, or write less.',
  },
  E_CEILING_FILE_SIZE: {
    exit: exitCodes.governance,
    summary: "A file is larger than the mission's ceiling for one file.",
    hint: 'Raise `ceilings.maxFileBytes`, or write a smaller file.',
  },
  E_CEILING_DEPTH: {
    exit: exitCodes.governance,
    summary: "A path is deeper than the mission's ceiling allows.",
    hint: 'Raise `ceilings.maxDepth`, or write higher up.',
  },
  E_NAMING: {
    exit: exitCodes.governance,
    summary: "A file in a governed directory does not follow the directory's naming rule.",
    hint: 'Name it as the rule in .coo/config.json says (for example `Report_Name_v0.1.md`).',
  },
  E_VERSION_NOT_NEWER: {
    exit: exitCodes.governance,
    summary: 'A new version of an artefact must be higher than every version that exists.',
    hint: 'Use a version above `data.latest`.',
  },
  E_VERSION_IMMUTABLE: {
    exit: exitCodes.governance,
    summary: 'A released version of an artefact cannot be changed or deleted.',
    hint: 'Write the change as a new, higher version.',
  },
  E_INDEX_MANAGED: {
    exit: exitCodes.governance,
    summary: 'INDEX files are written by coo alone, in the same commit as the writes they list.',
    hint: 'Write the artefacts; coo reconciles the INDEX. `coo index fix` repairs drift.',
  },
  E_MISSION_INVALID: {
    exit: exitCodes.usage,
    summary:
      'A mission document is not valid: too large, not strict JSON, a key named twice, nested too deep, or not its schema (`data.problem` says which).',
    hint: 'Fix the field at `data.pointer`; the schema is schemas/mission.schema.json.',
  },
  E_MISSION_TRANSITION: {
    exit: exitCodes.usage,
    summary: 'The mission run is not in a state where this can happen (see the lifecycle in the README).',
    hint: '`coo runs` shows each run and its state.',
  },
  E_MISSION_REJECTED: {
    exit: exitCodes.governance,
    summary: 'The workflow validator rejected the mission; it never started.',
    hint: 'See `data.report.violations`: each names the rule, the step, why, and the command step that would replace a routine human step.',
  },
  E_MISSION_FAILED: {
    exit: exitCodes.checkFailed,
    summary:
      'A mission run failed: a step failed or timed out, or its changes broke the scope, ceilings or protected paths. Nothing was applied.',
    hint: '`data.report` says which step and why, with its output; the run stays in the state repository as `data.run`.',
  },
  E_RUN_NOT_FOUND: {
    exit: exitCodes.usage,
    summary: 'No mission run has this name.',
    hint: 'Runs are named runs/<mission>/<n>; `coo runs` lists them.',
  },
  E_REQUEST_NOT_FOUND: {
    exit: exitCodes.usage,
    summary: 'No request has this id.',
    hint: 'List requests with `coo requests`.',
  },
  E_REQUEST_CLOSED: {
    exit: exitCodes.usage,
    summary: 'The request was already approved or vetoed.',
    hint: 'Decisions are final; make a new request.',
  },
  E_PLAN_INVALID: {
    exit: exitCodes.usage,
    summary:
      'A work plan, or a fix pack or mission it names, is not valid: schema, duplicate ids, a mission with a human step or breaking the workflow rules.',
    hint: 'Fix the document named in `data.path`; `coo plan validate FILE` checks the whole plan without running anything.',
  },
  E_PLAN_NOT_FOUND: {
    exit: exitCodes.usage,
    summary: 'No attempt of this work plan is recorded.',
    hint: 'Plan attempts are named plans/<plan>/<n>; `coo plan status` lists them.',
  },
  E_PLAN_TRANSITION: {
    exit: exitCodes.usage,
    summary: 'The plan attempt is not in a state where this can happen (see the plan lifecycle in the README).',
    hint: '`coo plan status` shows where each attempt is and what it waits for.',
  },
  E_PLAN_CHANGED: {
    exit: exitCodes.conflict,
    summary:
      'A plan attempt is under way with other documents than the files now hold: it goes on only with the documents that were approved.',
    hint: 'Put the plan, pack and mission files back (`git --git-dir=.coo/state.git ls-tree -r plans/<plan>/<n>` lists them), or veto the attempt and run the new plan as a new attempt.',
  },
  E_PLAN_DIVERGED: {
    exit: exitCodes.conflict,
    summary:
      'The baseline or the working tree is no longer what the plan left: something outside the plan moved amu0 or changed files.',
    hint: '`data.paths` names what differs. Put it back with `coo baseline restore` before approving, or veto.',
  },
  E_IN_MISSION: {
    exit: exitCodes.governance,
    summary: 'Human-only commands (approve, veto, registry changes) refuse to run inside a mission.',
    hint: 'A person runs these, outside any mission.',
  },
  E_NOT_A_GIT_REPO: {
    exit: exitCodes.usage,
    summary: 'The directory is not inside a git work tree, so there are no git hooks to install.',
    hint: 'Run it inside the repository (where `.git` is).',
  },
  E_SYMLINK_IN_PATH: {
    exit: exitCodes.conflict,
    summary: 'A directory on the way to a path is a symbolic link; coo never writes through one.',
    hint: 'Replace the link with a real directory, or remove it, then try again.',
  },
  E_WORKTREE_CONFLICT: {
    exit: exitCodes.conflict,
    summary: 'The working tree holds something coo must not overwrite or remove.',
    hint: 'Move the files named in `data.paths` aside (they are ignored or not capturable, so no snapshot holds them; or, in a path rollback, outside the paths given), then try again.',
  },
  E_WORKTREE_CHANGED: {
    exit: exitCodes.conflict,
    summary: 'After writing, the working tree does not match what was written: something else changed it meanwhile.',
    hint: 'Stop the other writer, then run the same command again; the safety snapshot named in `data.safety` holds the tree from before.',
  },
  E_FILE_CHANGED_DURING_CAPTURE: {
    exit: exitCodes.conflict,
    summary: 'A file changed while coo read it (its size, mtime or ctime moved): the read may mix versions.',
    hint: 'A capture reads such a file again, and after three tries skips it and records why; stop the writer and snapshot again to capture it.',
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
    summary:
      'A key the allowed signers in force (.coo/allowed_signers as last approved) do not trust for git: the commit is signed by it, or your signing key is that key and coo will not sign with it.',
    hint: 'If you trust the key in `data.key`, ask for it with `coo trust add KEY`; a person whose key is already trusted approves it with `coo approve`.',
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
  E_POLICY_TAMPERED: {
    exit: exitCodes.trust,
    summary:
      '.coo/config.json on disk is not the policy in force (the one recorded at the last approval): changed, older or missing. coo goes on by the recorded policy; the file loosens nothing.',
    hint: "Put back the approved file (`git checkout -- .coo/config.json` if it is committed), or ask for the change with `coo protect accept` and a person's `coo approve`.",
  },
  E_GUARD_UNREADABLE: {
    exit: exitCodes.governance,
    summary:
      "coo's git hook cannot read what a commit or a ref update records (an object in an alternate store, a partial clone), so it refuses it rather than let it through unjudged.",
    hint: 'Bring the objects into this repository (`git repack -a -d`, which also ends the dependence on alternates), then commit again.',
  },
  E_SANDBOX_UNAVAILABLE: {
    exit: exitCodes.governance,
    summary: 'Mission steps run in a sandbox (bubblewrap), and none can be made on this machine.',
    hint: 'Install bubblewrap (Debian: apt-get install bubblewrap), or accept an unconfined run: `coo run FILE --unconfined`, or `"sandbox": {"unconfined": true}` in the mission.',
  },
  E_GIT_INDEX: {
    exit: exitCodes.checkFailed,
    summary: "The user's git index cannot be read, so coo cannot tell which ignored files git tracks.",
    hint: 'Run `git status` to see what git makes of it (`git read-tree HEAD` rebuilds a lost index); coo only reads it.',
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
