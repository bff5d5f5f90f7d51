import type { Args, ArgDecl, CommandGroup, CommandSpec } from './context.js';

// A parser for the plain command lines people and hooks type most often (`coo snapshot -m x`,
// `coo rollback amu0`, `coo guard pre-commit`), so that they run without loading yargs: its
// import and set-up cost ~30 ms, about as much as the rest of an incremental snapshot's start.
//
// It reads only what a command declares as data (`options`, `positionals`) and accepts only an
// unambiguous shape: known long options, their declared aliases, `--name=value`, the global
// `--json` and `-C DIR`, exactly the positionals the command names, and then `--` with whatever
// follows it, kept as it is under `--` (as yargs keeps it; main refuses it for a command that
// takes nothing there). Anything else (help, `--version`, an unknown or repeated option, `--no-x`,
// a value that looks like an option, a missing or extra positional, a value outside its choices)
// returns null, and yargs, the CLI's one full parser, takes the whole line and gives its usual
// answer. The tests check that every line this accepts yields what yargs yields.

export interface QuickParse {
  readonly spec: CommandSpec;
  readonly args: Args;
}

interface Positional {
  readonly name: string;
  readonly required: boolean;
}

const globals: Readonly<Record<string, ArgDecl>> = {
  json: { type: 'boolean', default: false, describe: '' },
  C: { type: 'string', describe: '' },
};

function positionalsOf(command: string): Positional[] | null {
  const out: Positional[] = [];
  for (const word of command.split(' ').slice(1)) {
    const m = /^([<[])([a-z][a-z0-9-]*)[>\]]$/u.exec(word);
    if (!m) return null; // variadic or unusual: leave it to yargs
    out.push({ name: m[2] as string, required: m[1] === '<' });
  }
  return out;
}

const camel = (name: string): string => name.replace(/-([a-z])/gu, (_, c: string) => c.toUpperCase());

export function quickParse(
  argv: readonly string[],
  commands: readonly (CommandSpec | CommandGroup)[],
): QuickParse | null {
  const [name, ...rest] = argv;
  const spec = commands.find((c): c is CommandSpec => !('subcommands' in c) && c.command.split(' ')[0] === name);
  if (!spec || spec.builder) return null;
  const positionals = positionalsOf(spec.command);
  if (!positionals) return null;
  const declared: Record<string, ArgDecl> = { ...globals, ...spec.options };
  const byFlag = new Map<string, string>();
  for (const [key, decl] of Object.entries(declared)) {
    byFlag.set(key.length === 1 ? `-${key}` : `--${key}`, key);
    if (decl.alias) byFlag.set(decl.alias.length === 1 ? `-${decl.alias}` : `--${decl.alias}`, key);
  }

  const values = new Map<string, string | boolean>();
  const words: string[] = [];
  let dashDash: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] as string;
    if (token === '--') {
      dashDash = rest.slice(i + 1);
      break;
    }
    if (!token.startsWith('-')) {
      words.push(token);
      continue;
    }
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const flag = eq > 0 ? token.slice(0, eq) : token;
    const key = byFlag.get(flag);
    if (key === undefined || values.has(key)) return null;
    const decl = declared[key] as ArgDecl;
    if (decl.type === 'boolean') {
      if (eq > 0) return null;
      values.set(key, true);
      continue;
    }
    const value = eq > 0 ? token.slice(eq + 1) : rest[++i];
    if (value === undefined || value.startsWith('-')) return null;
    values.set(key, value);
  }
  if (words.length > positionals.length || positionals.some((p, i) => p.required && words[i] === undefined))
    return null;

  const args: Record<string, unknown> = { _: [name as string] };
  if (dashDash.length > 0) args['--'] = dashDash;
  const set = (key: string, decl: ArgDecl, value: unknown): void => {
    args[key] = value;
    if (camel(key) !== key) args[camel(key)] = value;
    if (decl.alias) args[decl.alias] = value;
  };
  for (const [key, decl] of Object.entries(declared)) {
    const value = values.get(key) ?? (decl.type === 'boolean' ? decl.default : undefined);
    if (value !== undefined) set(key, decl, value);
  }
  for (const [i, p] of positionals.entries()) {
    const word = words[i];
    if (word === undefined) continue;
    const decl = spec.positionals?.[p.name];
    if (decl?.type !== 'string' || (decl.choices && !decl.choices.includes(word))) return null;
    set(p.name, decl, word);
  }
  return { spec, args: args as Args };
}
