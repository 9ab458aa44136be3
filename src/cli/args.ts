// The command line of one command, read against the registry of settings (config/settings.ts):
// `--name VALUE`, `--name=VALUE`, a repeatable flag given several times, a switch as `--name`,
// `--name=false` or `--no-name`, `--` before arguments that are not flags, and an old flag name
// taken with a one-line notice. Anything else is a UsageError that says what to write instead.
import { closest } from '../config/suggest';
import { parseBool } from '../config/setting-values';
import { COMMAND_NAMES, flagSettings, SETTINGS, type CommandName, type Setting } from '../config/settings';

export class UsageError extends Error {}

export interface CommandLine {
  /** The values given, by setting name, in order (a switch's are 'true' or 'false'). */
  values: Map<string, string[]>;
  /** The arguments that are not flags (all of them after `--`). */
  positional: string[];
  /** `-h` or `--help` was given. */
  help: boolean;
  /** One line for each old flag name used, naming the new one. */
  notices: string[];
}

interface Known {
  setting: Setting;
  /** The value an old flag stood for (`--no-fail`: false). */
  value?: string;
  /** The old name, when it is one. */
  old?: string;
}

/** Every name a command's flags answer to: the settings' names and their old names. */
function knownFlags(command: CommandName): Map<string, Known> {
  const known = new Map<string, Known>();
  for (const setting of flagSettings(command)) {
    known.set(setting.name, { setting });
    for (const old of setting.deprecated ?? [])
      if (old.flag) known.set(old.flag, { setting, value: old.value, old: old.flag });
  }
  return known;
}

/** The flag of another command, for a message that says where it belongs. */
function elsewhere(name: string, command: CommandName): string {
  const owners = COMMAND_NAMES.filter(
    (c) => c !== command && SETTINGS.some((s) => s.name === name && s.flag?.commands.includes(c)),
  );
  return owners.length ? ` (it is a flag of ${owners.join(', ')})` : '';
}

/** A switch's value from `=text`: true or false, or a UsageError naming the flag. */
function switchValue(flag: string, text: string): string {
  try {
    return String(parseBool(text));
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`);
  }
}

export function parseCommandLine(command: CommandName, argv: readonly string[]): CommandLine {
  const known = knownFlags(command);
  const line: CommandLine = { values: new Map(), positional: [], help: false, notices: [] };
  const add = (setting: Setting, value: string, written: string): void => {
    const list = line.values.get(setting.name) ?? [];
    if (list.length > 0 && setting.kind !== 'list')
      throw new UsageError(
        `--${setting.name} is given twice${written !== setting.name ? ` (as --${written})` : ''}`,
      );
    line.values.set(setting.name, [...list, value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      line.positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      line.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-')
        throw new UsageError(`unknown option ${arg} (flags are written --name; -h is the only short one)`);
      line.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const written = arg.slice(2, eq > 0 ? eq : undefined);
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const found = known.get(written);
    // --no-NAME: a switch set to false.
    if (!found && written.startsWith('no-')) {
      const negated = known.get(written.slice(3));
      if (negated?.setting.kind === 'switch' && !negated.old) {
        if (inline !== undefined) throw new UsageError(`--${written} takes no value`);
        add(negated.setting, 'false', written);
        continue;
      }
    }
    if (!found) {
      const hint = closest(written, [...known.keys()]);
      throw new UsageError(
        `unknown flag --${written}${elsewhere(written, command) || (hint ? ` (did you mean --${hint}?)` : '')}`,
      );
    }
    if (found.old) {
      const now = `--${found.setting.name}${found.value !== undefined ? `=${found.value}` : ''}`;
      const notice = `--${found.old} is deprecated: use ${now}`;
      if (!line.notices.includes(notice)) line.notices.push(notice);
    }
    if (found.value !== undefined) {
      if (inline !== undefined) throw new UsageError(`--${written} takes no value`);
      add(found.setting, found.value, written);
      continue;
    }
    if (found.setting.kind === 'switch') {
      add(found.setting, inline === undefined ? 'true' : switchValue(written, inline), written);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${written} needs a value`);
      if (next.startsWith('--'))
        throw new UsageError(
          `--${written} needs a value, and ${next} looks like a flag (write --${written}=${next} if it is the value)`,
        );
      value = next;
      i++;
    }
    add(found.setting, value, written);
  }
  return line;
}

/** The last value of a flag, or undefined. */
export function flagValue(line: CommandLine, name: string): string | undefined {
  return line.values.get(name)?.at(-1);
}

/** A switch's value: true or false when given, else `fallback`. */
export function flagSwitch(line: CommandLine, name: string, fallback: boolean): boolean {
  const value = flagValue(line, name);
  return value === undefined ? fallback : value === 'true';
}

/**
 * The run settings among a command's flags, as the run config takes them: a list flag's values
 * as a list (each may be comma-separated), a value flag's value, a switch's 'true' or 'false'.
 * `leave` names flags a command reads in its own way (render's service-map is pod selectors).
 */
export function runSettingsFromFlags(
  line: CommandLine,
  leave: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, values] of line.values) {
    const setting = SETTINGS.find((s) => s.name === name);
    if (setting?.scope !== 'run' || leave.includes(name)) continue;
    out[name] = setting.kind === 'list' ? values : values.at(-1);
  }
  return out;
}
