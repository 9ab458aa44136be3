// Every example in README.md and docs/ says what the code takes: a scenario snippet validates
// against the scenario schema (a part of a file: no key is required), a run config against the
// run config's, a workflow gives chaos-action only inputs action.yml declares, and every
// `chaos-action COMMAND --flag` line uses flags that command has, by their current names.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { SCHEMA_FILES } from '../../../src/config/json-schema';
import { COMMAND_NAMES, flagSettings, inputSettings, type CommandName } from '../../../src/config/settings';

const root = path.join(__dirname, '../../..');
const DOCS = [
  'README.md',
  ...readdirSync(path.join(root, 'docs')).map((f) => `docs/${f}`),
  'examples/fraud-api/README.md',
].filter((f) => f.endsWith('.md'));

interface Block {
  file: string;
  line: number;
  lang: string;
  text: string;
}

/** The fenced code blocks of a markdown file (indented ones too, as in a list item). */
function blocks(file: string): Block[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !new RegExp(`^ {${indent}}\`\`\`\\s*$`).test(lines[j]); j++)
      body.push(lines[j].slice(indent));
    out.push({ file, line: i + 1, lang: open[2], text: body.join('\n') });
    i = j;
  }
  return out;
}

const all = DOCS.flatMap(blocks);
const where = (b: Block): string => `${b.file}:${b.line}`;

/** A schema with no key required anywhere: a snippet shows part of a file. */
function partial(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(partial);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema as Record<string, unknown>)
      .filter(([key]) => key !== 'required' && key !== 'minItems')
      .map(([key, value]) => [key, partial(value)]),
  );
}

function validator(file: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword('deprecationMessage');
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\/\/\S+$/i);
  return ajv.compile(partial(JSON.parse(readFileSync(path.join(root, file), 'utf8'))) as object);
}

const scenario = validator(SCHEMA_FILES.scenario);
const runConfig = validator(SCHEMA_FILES.runConfig);
const SCENARIO_KEYS = Object.keys(
  (JSON.parse(readFileSync(path.join(root, SCHEMA_FILES.scenario), 'utf8')) as { properties: object })
    .properties,
);
const RUN_CONFIG_KEYS = Object.keys(
  (JSON.parse(readFileSync(path.join(root, SCHEMA_FILES.runConfig), 'utf8')) as { properties: object })
    .properties,
);
const INPUTS = inputSettings().map((s) => s.name);

const errors = (validate: ValidateFunction, data: unknown): string[] =>
  validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}

/** The steps of a workflow, or a list of steps. */
function steps(doc: unknown): Step[] {
  if (Array.isArray(doc)) return doc as Step[];
  const jobs = (doc as { jobs?: Record<string, { steps?: Step[] }> }).jobs ?? {};
  return Object.values(jobs).flatMap((job) => job.steps ?? []);
}

const yamlBlocks = all.filter((b) => b.lang === 'yaml' || b.lang === 'yml');

describe('YAML examples', () => {
  it('are found (README, docs/scenarios.md)', () => {
    expect(yamlBlocks.filter((b) => b.file === 'README.md').length).toBeGreaterThan(0);
    expect(yamlBlocks.filter((b) => b.file === 'docs/scenarios.md').length).toBeGreaterThan(0);
  });

  it.each(yamlBlocks.map((b) => [where(b), b] as const))('%s says what the code takes', (_, block) => {
    const doc = parse(block.text) as unknown;
    expect(doc).not.toBeNull();
    const keys = Array.isArray(doc) || typeof doc !== 'object' ? [] : Object.keys(doc as object);
    if (Array.isArray(doc) || keys.includes('jobs')) {
      const ours = steps(doc).filter((s) => s.uses?.startsWith('org/chaos-action@') || s.uses === './');
      expect(ours.length).toBeGreaterThan(0);
      for (const step of ours)
        expect(Object.keys(step.with ?? {}).filter((key) => !INPUTS.includes(key))).toEqual([]);
    } else if (keys.every((key) => SCENARIO_KEYS.includes(key))) {
      expect(errors(scenario, doc)).toEqual([]);
    } else if (keys.every((key) => RUN_CONFIG_KEYS.includes(key))) {
      expect(errors(runConfig, doc)).toEqual([]);
    } else {
      // A suites file: suite names, each a list of scenario names.
      expect(Object.values(doc as object).every((v) => Array.isArray(v))).toBe(true);
    }
  });
});

/** The `chaos-action COMMAND ...` invocations of the shell examples, continuation lines joined. */
function invocations(block: Block): { command: CommandName; args: string[]; text: string }[] {
  const text = block.text.replace(/\\\n\s*/g, ' ');
  const found: { command: CommandName; args: string[]; text: string }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(/\s#.*$/, '') // a comment
      .replace(/[<$]\([^)]*\)/g, 'X') // a command or process substitution is one value
      .replace(/'[^']*'|"[^"]*"/g, 'X') // a quoted value is one value
      .replace(/[[\]]/g, ' '); // [optional] parts of a usage line
    for (const part of line.split(/&&|;|\|\|/)) {
      const tokens = part.trim().split(/\s+/);
      const at = tokens.indexOf('chaos-action');
      const command = tokens[at + 1];
      if (at < 0 || !(COMMAND_NAMES as readonly string[]).includes(command)) continue;
      found.push({
        command: command as CommandName,
        args: tokens.slice(at + 2),
        text: raw.replace(/\s#.*$/, '').trim(),
      });
    }
  }
  return found;
}

const shellBlocks = all.filter((b) => b.lang === 'sh' || b.lang === 'bash' || b.lang === '');
const commandLines = shellBlocks.flatMap((b) =>
  invocations(b).map((i) => [`${where(b)}: ${i.text}`, i] as const),
);

describe('command-line examples', () => {
  it('are found', () => {
    expect(commandLines.length).toBeGreaterThan(10);
  });

  it.each(commandLines)('%s uses flags the command has, by their names', (_, { command, args }) => {
    const names = flagSettings(command).map((s) => s.name);
    const switches = flagSettings(command)
      .filter((s) => s.kind === 'switch')
      .map((s) => `no-${s.name}`);
    const flags = args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).replace(/=.*$/, ''));
    expect(flags.filter((f) => !names.includes(f) && !switches.includes(f) && f !== 'help')).toEqual([]);
  });
});
