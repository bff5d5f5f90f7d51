import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

// A governed directory's naming rule is a regular expression from the config, matched against
// every file name in the directory. JavaScript's engine backtracks: a rule such as
// `^(?<name>(a+)+)_v…` takes minutes on a name of 40 letters. Rules are compiled with RE2
// (re2js, a pure-JavaScript port), whose matching takes time linear in the name, whatever the
// rule. RE2's syntax is JavaScript's without backreferences and lookaround; a rule it cannot
// compile, or without the named groups `name` and `version`, is refused where the config is read.
// re2js is loaded only when a repository has a governed directory.

export interface NamingMatch {
  readonly name: string | undefined;
  readonly version: string | undefined;
}

export interface NamingRule {
  /** The first match in `file` (as RegExp.exec would find it), or null. */
  exec(file: string): NamingMatch | null;
}

export const namingRuleMaxLength = 1024;

const load = createRequire(import.meta.url);
let engine: typeof RE2JS | null = null;
const compiled = new Map<string, NamingRule | string>();

function compile(source: string): NamingRule | string {
  if (source.length > namingRuleMaxLength) return `longer than ${namingRuleMaxLength} characters`;
  engine ??= (load('re2js') as { RE2JS: typeof RE2JS }).RE2JS;
  let re: RE2JS;
  try {
    re = engine.compile(source);
  } catch (err) {
    return `not a regular expression RE2 accepts (${(err as Error).message})`;
  }
  const groups = re.namedGroups();
  const missing = ['name', 'version'].filter((g) => groups[g] === undefined);
  if (missing.length > 0) return `has no named group ${missing.map((g) => `(?<${g}>…)`).join(' or ')}`;
  return {
    exec(file) {
      const m = re.exec(file) as (string[] & { groups?: Record<string, string | undefined> }) | null;
      return m ? { name: m.groups?.['name'], version: m.groups?.['version'] } : null;
    },
  };
}

/** The compiled rule, or why `source` cannot be one (compiled once per source). */
export function compileNamingRule(source: string): NamingRule | { readonly problem: string } {
  let rule = compiled.get(source);
  if (rule === undefined) {
    rule = compile(source);
    compiled.set(source, rule);
  }
  return typeof rule === 'string' ? { problem: rule } : rule;
}
