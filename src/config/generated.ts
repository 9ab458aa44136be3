// The files made from the registry of settings (settings.ts) and the exit-code table
// (results/gate.ts): action.yml's inputs, README's settings and exit-code tables, and the JSON
// Schemas in schemas/. `npm run generate` (scripts/generate.ts) writes them; the drift test
// (__tests__/unit/config/settings-drift.test.ts) makes them and compares, so a file edited by
// hand, or a setting renamed in one place only, turns the test command red. Build-time only:
// no entry point imports this file (it formats with prettier, a development tool, run as its
// own process: its API loads ES modules that jest's CommonJS runtime cannot).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT_MEANING } from '../results/gate';
import { runConfigJsonSchema, scenarioJsonSchema, SCHEMA_FILES } from './json-schema';
import { inputSettings, SETTINGS, sources, type Setting } from './settings';

/** The markers around a generated part of a markdown file. */
export const MARKERS = {
  settings: ['<!-- generated: settings (npm run generate) -->', '<!-- /generated: settings -->'],
  exits: ['<!-- generated: exit codes (npm run generate) -->', '<!-- /generated: exit codes -->'],
  renamed: ['<!-- generated: renamed (npm run generate) -->', '<!-- /generated: renamed -->'],
} as const;

/** action.yml with its `inputs:` section made from the settings that are inputs. */
export function actionYml(current: string): string {
  const start = current.indexOf('\ninputs:\n');
  const end = current.indexOf('\noutputs:\n');
  if (start < 0 || end < start) throw new Error('action.yml: no inputs: section before outputs:');
  // An input whose default is not a value (an empty `default:`) says its default in words.
  const described = (s: Setting): string =>
    s.default && !s.input?.default ? `${s.description} Default: ${s.default}.` : s.description;
  const inputs = inputSettings().map((s) =>
    [
      `  ${s.name}:`,
      `    description: ${JSON.stringify(described(s))}`,
      '    required: false',
      `    default: ${JSON.stringify(s.input?.default ?? '')}`,
    ].join('\n'),
  );
  return `${current.slice(0, start)}\ninputs:\n${inputs.join('\n')}\n${current.slice(end)}`;
}

/** Text for a table cell: no pipe or emphasis of its own (INPUT_* stays INPUT_*). */
const cell = (text: string): string => text.replace(/([|*])/g, '\\$1').replace(/\n/g, ' ');

/** A default as README shows it: a value in backticks, prose as it is. */
function shownDefault(s: Setting): string {
  if (!s.default) return '';
  return /^[^\s,]+$|^\$\{\{.*\}\}$/.test(s.default) ? `\`${s.default}\`` : s.default;
}

/** README's table: every setting that is an input or a config key, where it may come from, its default. */
export function settingsTable(): string {
  const rows = SETTINGS.filter((s) => s.scope !== 'command').map((s) => {
    const where = sources(s).map((w) => (w.startsWith('--') ? `\`${w}\`` : w));
    return `| \`${s.name}\` | ${where.join(', ')} | ${cell(shownDefault(s))} | ${cell(s.description)} |`;
  });
  return ['| setting | where | default | what it does |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** README's exit codes: the one table every command follows. */
export function exitTable(): string {
  const rows = Object.entries(EXIT_MEANING).map(([code, meaning]) => `| **${code}** | ${cell(meaning)} |`);
  return ['| exit | meaning |', '| --- | --- |', ...rows].join('\n');
}

/** README's list of old names that still work, each with the name that replaced it. */
export function renamedTable(): string {
  const rows = SETTINGS.flatMap((s) =>
    (s.deprecated ?? []).map((old) => {
      const was = old.flag ? `\`--${old.flag}\`` : `\`${old.key}:\` in chaos-action.yml`;
      const now = old.flag
        ? `\`--${s.name}${old.value !== undefined ? `=${old.value}` : ''}\``
        : `\`${s.name}:\``;
      return `| ${was} | ${now} |`;
    }),
  );
  return ['| old name | now |', '| --- | --- |', ...rows].join('\n');
}

/** `text` with the part between a marker pair replaced by `body`. */
export function replaceBetween(text: string, [open, close]: readonly [string, string], body: string): string {
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`no ${open} ... ${close} in the file`);
  return `${text.slice(0, start + open.length)}\n\n${body}\n\n${text.slice(end)}`;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Every generated file, path relative to `root` → its content as it should be committed. */
export async function generatedFiles(root: string): Promise<Record<string, string>> {
  const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');
  const prettier = path.join(root, 'node_modules/prettier/bin/prettier.cjs');
  // As `prettier --write` formats the file: its configuration found from the file's path.
  const format = async (text: string, file: string): Promise<string> =>
    execFileSync(process.execPath, [prettier, '--stdin-filepath', path.join(root, file)], {
      input: text,
      encoding: 'utf8',
      cwd: root,
    });
  let readme = read('README.md');
  readme = replaceBetween(readme, MARKERS.settings, settingsTable());
  readme = replaceBetween(readme, MARKERS.exits, exitTable());
  readme = replaceBetween(readme, MARKERS.renamed, renamedTable());
  return {
    'action.yml': await format(actionYml(read('action.yml')), 'action.yml'),
    'README.md': await format(readme, 'README.md'),
    [SCHEMA_FILES.runConfig]: await format(json(runConfigJsonSchema()), SCHEMA_FILES.runConfig),
    [SCHEMA_FILES.scenario]: await format(json(scenarioJsonSchema()), SCHEMA_FILES.scenario),
  };
}
