// A small flag parser for the CLI: --name value, --name=value, repeatable flags and
// booleans, with an error that names the unknown flag and the closest known one.
import { closest } from '../config/suggest';

export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags that take a value; those in `repeatable` may be given several times. */
  values: string[];
  repeatable?: string[];
  booleans?: string[];
}

export interface ParsedArgs {
  flags: Record<string, string[]>;
  booleans: Set<string>;
  positional: string[];
}

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const known = [...spec.values, ...(spec.booleans ?? [])];
  const parsed: ParsedArgs = { flags: {}, booleans: new Set(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' && spec.booleans?.includes('help')) {
      parsed.booleans.add('help');
      continue;
    }
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    if (spec.booleans?.includes(name)) {
      parsed.booleans.add(name);
      continue;
    }
    if (!spec.values.includes(name)) {
      const hint = closest(name, known);
      throw new UsageError(`unknown flag --${name}${hint ? ` (did you mean --${hint}?)` : ''}`);
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    const list = (parsed.flags[name] ??= []);
    if (list.length > 0 && !spec.repeatable?.includes(name)) throw new UsageError(`--${name} is given twice`);
    list.push(value);
  }
  return parsed;
}
