import type { Argv } from 'yargs';
import type { Env } from '../core/git-config.js';

// What a command needs from the process, passed in so the CLI runs the same in tests as in a
// terminal: streams, environment, working directory, and whether stderr is a terminal.

export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  readonly env: Env;
  readonly cwd: string;
  /** Reads all of standard input (for `coo write PATH` without --from). */
  readonly stdin?: () => Promise<Buffer>;
}

export interface CliContext {
  readonly io: Io;
  readonly json: boolean;
  /** Directory the command works in (`-C DIR`, else the process's cwd). */
  readonly cwd: string;
  /** True when progress may be drawn: stderr is a terminal and output is not JSON. */
  readonly interactive: boolean;
}

/** What a command produced: the JSON document for `--json`, and the text for people. */
export interface CommandOutput {
  readonly data: unknown;
  readonly text: string;
  /** Non-zero when the command ran but found a problem (e.g. a check that failed). */
  readonly exitCode?: number;
}

export type Args = Record<string, unknown> & { readonly _: (string | number)[] };

/** An option or positional declared as data: yargs is built from it, and so is the quick parser. */
export interface ArgDecl {
  readonly type: 'string' | 'boolean';
  readonly describe: string;
  readonly alias?: string;
  readonly default?: boolean;
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  readonly command: string;
  readonly describe: string;
  /** Declared options and positionals (by the names in `command`); a command needing more of yargs uses `builder`. */
  readonly options?: Readonly<Record<string, ArgDecl>>;
  readonly positionals?: Readonly<Record<string, ArgDecl>>;
  readonly builder?: (yargs: Argv) => Argv;
  /**
   * What the command takes after `--` (its paths), described for help. A command without it takes
   * nothing there: a word after `--` is a usage error, never ignored.
   */
  readonly afterDashDash?: string;
  run(args: Args, ctx: CliContext): Promise<CommandOutput>;
}

/** A command made of actions (`coo baseline create|restore|promote`). */
export interface CommandGroup {
  readonly command: string;
  readonly describe: string;
  readonly subcommands: readonly CommandSpec[];
}

/** The words after `--` (both parsers leave them under `--`, absent when there are none). */
export function afterDashDash(args: Args): string[] {
  const rest = args['--'];
  return Array.isArray(rest) ? rest.map(String) : [];
}

export function short(oid: string | null | undefined): string {
  return oid ? oid.slice(0, 12) : '-';
}
