// The registry of settings and the run config read through it: one name per setting in every
// door, old names as aliases with a notice, every problem of a file at once, and the compose
// files found as docker compose finds them.
import { mkdtempSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfigIssue } from '../../../src/config/errors';
import { loadRunConfigFile, parseRunConfig } from '../../../src/config/run-config';
import { fileSettings, inputSettings, runSettings, SETTINGS } from '../../../src/config/settings';
import { discoverComposeFiles } from '../../../src/stack/compose-files';

const scratch = (): string => realpathSync(mkdtempSync(path.join(tmpdir(), 'settings-')));

describe('the registry', () => {
  it('names each setting once, in kebab-case, and no old name is a current one', () => {
    const names = SETTINGS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    for (const kind of ['flag', 'key'] as const) {
      const old = SETTINGS.flatMap((s) => (s.deprecated ?? []).map((d) => d[kind])).filter(Boolean);
      expect(old.filter((name) => names.includes(name as string))).toEqual([]);
      expect(new Set(old).size).toBe(old.length);
    }
  });

  it('gives every run setting a parser, and a file key its editor shape', () => {
    expect(
      runSettings()
        .filter((s) => !s.parse)
        .map((s) => s.name),
    ).toEqual([]);
    expect(fileSettings().every((s) => s.scope === 'run')).toBe(true);
  });

  it('every run setting that is an input is a key of the config file by the same name (compose-env aside)', () => {
    const keys = fileSettings().map((s) => s.name);
    const runInputs = inputSettings()
      .filter((s) => s.scope === 'run')
      .map((s) => s.name);
    expect(runInputs.filter((name) => !keys.includes(name))).toEqual(['compose-env']);
  });
});

describe('the config file takes the input names', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratch();
    writeFileSync(path.join(dir, 'compose.yaml'), 'services: { api: { image: x } }\n');
  });
  const load = (text: string, notices?: ConfigIssue[]) => {
    const file = path.join(dir, 'chaos-action.yml');
    writeFileSync(file, text);
    return loadRunConfigFile(file, {}, null, { workdir: dir, notices });
  };

  it('reads compose-file, scenarios-dir, pushgateway-url and the fail-on-* keys', () => {
    mkdirSync(path.join(dir, 'chaos'));
    const c = load(
      [
        'compose-file: compose.yaml',
        'scenarios-dir: chaos',
        'pushgateway-url: http://pushgateway:9091',
        'fail-on-violation: false',
        'fail-on-inconclusive: false',
        'fail-on-error: no',
        'builtin-scenarios: false',
        '',
      ].join('\n'),
    );
    expect(c).toMatchObject({
      composeFiles: [path.join(dir, 'compose.yaml')],
      scenariosDirs: [path.join(dir, 'chaos')],
      pushgatewayUrl: 'http://pushgateway:9091',
      failOnViolation: false,
      failOnInconclusive: false,
      failOnError: false,
      builtinScenarios: false,
    });
  });

  it('takes the old keys with a notice at their line, and refuses an old and a new key together', () => {
    const notices: ConfigIssue[] = [];
    const c = load('suite: full\ncompose-files: [compose.yaml]\nscenarios-dirs: []\n', notices);
    expect(c.composeFiles).toEqual([path.join(dir, 'compose.yaml')]);
    expect(notices).toEqual([
      {
        file: path.join(dir, 'chaos-action.yml'),
        line: 2,
        field: 'compose-files',
        message: 'is deprecated: write compose-file (the same value)',
      },
      {
        file: path.join(dir, 'chaos-action.yml'),
        line: 3,
        field: 'scenarios-dirs',
        message: 'is deprecated: write scenarios-dir (the same value)',
      },
    ]);
    expect(() => load('compose-file: compose.yaml\ncompose-files: compose.yaml\n')).toThrow(
      'chaos-action.yml:2: compose-files: and compose-file are the same setting: give it once, as compose-file',
    );
  });

  it('reports every problem of the file at once, each at its line', () => {
    let message = '';
    try {
      load(
        [
          'suite: default',
          'bogus: 1', // unknown
          'compose-env: GITHUB_TOKEN', // refused in a file
          'scale: 0', // bad value
          'results-dir: ../../elsewhere', // escapes the working directory
          'servise-map: { api: web }', // misspelt
          '',
        ].join('\n'),
      );
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n').map((l) => l.replace(`${dir}/`, ''));
    expect(lines).toEqual([
      'chaos-action.yml:2: bogus: unknown key',
      expect.stringMatching(/^chaos-action\.yml:3: compose-env: is an input \(compose-env\) or a flag/),
      'chaos-action.yml:4: scale: "0" is not a scale factor (a number > 0, e.g. 0.5)',
      expect.stringMatching(/^chaos-action\.yml:5: results-dir: .* outside the working directory/),
      'chaos-action.yml:6: servise-map: unknown key (did you mean "service-map"?)',
    ]);
  });

  it('without compose-file, reads what docker compose finds beside the file; says so when nothing is there', () => {
    writeFileSync(path.join(dir, 'compose.override.yml'), 'services: {}\n');
    expect(load('suite: default\n').composeFiles).toEqual([
      path.join(dir, 'compose.yaml'),
      path.join(dir, 'compose.override.yml'),
    ]);
    const empty = scratch();
    expect(() => parseRunConfig({ suite: 'full', scale: 'x' }, 'flag', { workdir: empty })).toThrow(
      [
        `compose-file: no compose file in ${empty} (looked for compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml); name one (the compose-file input, --compose-file)`,
        'flag scale: "x" is not a scale factor (a number > 0, e.g. 0.5)',
      ].join('\n'),
    );
  });
});

describe('compose file discovery', () => {
  it("takes compose's names in compose's order, and the first override beside them", () => {
    const dir = scratch();
    expect(discoverComposeFiles(dir)).toEqual([]);
    writeFileSync(path.join(dir, 'docker-compose.yaml'), '');
    expect(discoverComposeFiles(dir)).toEqual([path.join(dir, 'docker-compose.yaml')]);
    writeFileSync(path.join(dir, 'docker-compose.yml'), '');
    expect(discoverComposeFiles(dir)).toEqual([path.join(dir, 'docker-compose.yml')]);
    writeFileSync(path.join(dir, 'compose.yml'), '');
    writeFileSync(path.join(dir, 'docker-compose.override.yml'), '');
    expect(discoverComposeFiles(dir)).toEqual([
      path.join(dir, 'compose.yml'),
      path.join(dir, 'docker-compose.override.yml'),
    ]);
    writeFileSync(path.join(dir, 'compose.yaml'), '');
    writeFileSync(path.join(dir, 'compose.override.yaml'), '');
    expect(discoverComposeFiles(dir)).toEqual([
      path.join(dir, 'compose.yaml'),
      path.join(dir, 'compose.override.yaml'),
    ]);
  });

  it('reads an override only beside a base file, and no directory as a file', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'compose.override.yml'), '');
    mkdirSync(path.join(dir, 'compose.yaml'));
    expect(discoverComposeFiles(dir)).toEqual([]);
  });
});
