// One name per setting, everywhere: action.yml's inputs, README's tables and the JSON Schemas
// are made from the registry (src/config/settings.ts) and must be what `npm run generate`
// writes; every command's --help lists exactly its flags in the registry, and the parser takes
// each; the Action reads exactly the inputs action.yml declares. A setting renamed in one place
// only turns this red.
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as core from '@actions/core';
import { readInputs, readJudgeInputs, readMode, readReportInputs } from '../../../src/action/inputs';
import { parseCommandLine } from '../../../src/cli/args';
import { commandHelp } from '../../../src/cli/help';
import { generatedFiles } from '../../../src/config/generated';
import { runConfigJsonSchema } from '../../../src/config/json-schema';
import {
  COMMAND_NAMES,
  fileSettings,
  flagSettings,
  inputSettings,
  SETTINGS,
  type CommandName,
} from '../../../src/config/settings';

jest.mock('@actions/core', () => ({
  ...jest.requireActual('@actions/core'),
  getInput: jest.fn(() => ''),
  setSecret: jest.fn(),
  warning: jest.fn(),
}));

const root = path.join(__dirname, '../../..');
const onDisk = (file: string): string => readFileSync(path.join(root, file), 'utf8');

/** The generated files that differ from what is committed. */
function drift(generated: Record<string, string>, read: (file: string) => string): string[] {
  return Object.keys(generated).filter((file) => read(file) !== generated[file]);
}

let generated: Record<string, string>;
beforeAll(async () => {
  generated = await generatedFiles(root);
}, 30_000);

describe('what is made from the registry is current (npm run generate)', () => {
  it('action.yml, README.md and schemas/ are as generated', () => {
    expect(drift(generated, onDisk)).toEqual([]);
  });

  it('an input renamed in action.yml alone, or in the registry alone, is drift', () => {
    const renamedInFile = (file: string): string =>
      file === 'action.yml'
        ? onDisk(file).replace('\n  results-dir:\n', '\n  results-directory:\n')
        : onDisk(file);
    expect(drift(generated, renamedInFile)).toEqual(['action.yml']);
    const renamedInRegistry = {
      ...generated,
      'action.yml': generated['action.yml'].replace('scale:', 'scaling:'),
    };
    expect(drift(renamedInRegistry, onDisk)).toEqual(['action.yml']);
  });

  it("action.yml's inputs are the registry's inputs, in its order", () => {
    const declared = Object.keys((parseYaml(onDisk('action.yml')) as { inputs: object }).inputs);
    expect(declared).toEqual(inputSettings().map((s) => s.name));
  });

  it("README's table names every input and every config file key", () => {
    const readme = onDisk('README.md');
    const table = readme.slice(
      readme.indexOf('<!-- generated: settings'),
      readme.indexOf('<!-- /generated: settings'),
    );
    const named = [...table.matchAll(/^\| `([a-z0-9-]+)`/gm)].map((m) => m[1]);
    for (const s of [...inputSettings(), ...fileSettings()]) expect(named).toContain(s.name);
  });
});

describe('the config file', () => {
  it("its JSON Schema holds exactly the keys a file may hold: the settings' names and their old names", () => {
    const keys = Object.keys(runConfigJsonSchema().properties as object).sort();
    const old = SETTINGS.flatMap((s) => (s.deprecated ?? []).flatMap((d) => (d.key ? [d.key] : [])));
    expect(keys).toEqual([...fileSettings().map((s) => s.name), ...old].sort());
    expect(keys).not.toContain('compose-env');
  });
});

describe('every command', () => {
  it.each(COMMAND_NAMES.map((c) => [c]))(
    '%s --help lists exactly its flags, and the parser takes each',
    (command) => {
      const help = commandHelp(command as CommandName);
      const listed = [...help.matchAll(/^ {2}(--[a-z0-9-]+)/gm)]
        .map((m) => m[1].slice(2))
        .filter((n) => n !== 'help');
      expect(listed.sort()).toEqual(
        flagSettings(command as CommandName)
          .map((s) => s.name)
          .sort(),
      );
      for (const s of flagSettings(command as CommandName)) {
        const argv = s.kind === 'switch' ? [`--${s.name}`] : [`--${s.name}`, 'x'];
        expect(parseCommandLine(command as CommandName, argv).values.get(s.name)).toEqual([
          s.kind === 'switch' ? 'true' : 'x',
        ]);
      }
    },
  );
});

describe('the Action', () => {
  it('reads exactly the inputs action.yml declares', () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'drift-'));
    writeFileSync(path.join(workspace, 'compose.yaml'), 'services: {}\n');
    const given: Record<string, string> = {
      'k8s-rendered': 'rendered',
      'k8s-nodes': 'nodes.json',
      'prometheus-url': 'http://prometheus:9090',
    };
    const read = new Set<string>();
    jest.mocked(core.getInput).mockImplementation((name: string) => {
      read.add(name);
      return given[name] ?? '';
    });
    const env = { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: workspace };
    readMode();
    readInputs(env);
    readReportInputs(env);
    readJudgeInputs(env);
    const declared = Object.keys((parseYaml(onDisk('action.yml')) as { inputs: object }).inputs);
    expect([...read].sort()).toEqual([...declared].sort());
  });
});
