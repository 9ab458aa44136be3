// The JSON Schemas editors read (schemas/, made from the zod schemas): every scenario and run
// config file we ship or test with validates against them, the config init writes names its
// schema, and a wrong key is an error in the editor as it is in the loader.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { loadRunConfigFile } from '../../../src/config/run-config';
import { loadScenarioFile } from '../../../src/config/load-scenarios';
import { schemaModeline, SCHEMA_FILES } from '../../../src/config/json-schema';
import { renderRunConfig } from '../../../src/config/starter-files';

const root = path.join(__dirname, '../../..');

function compile(file: string): ValidateFunction {
  // Strict: a keyword the validator does not know is an error, except VS Code's deprecationMessage.
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword('deprecationMessage');
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\/\/\S+$/i);
  return ajv.compile(JSON.parse(readFileSync(path.join(root, file), 'utf8')) as object);
}

const scenarioSchema = compile(SCHEMA_FILES.scenario);
const runConfigSchema = compile(SCHEMA_FILES.runConfig);

function errorsOf(validate: ValidateFunction, data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(path.join(root, dir))
    .filter((f) => /\.ya?ml$/.test(f) && !/^suites\.ya?ml$/.test(f))
    .map((f) => path.join(dir, f));

/** The scenario files of the built-ins and of every fixture stack the tests adopt. */
const scenarioFiles = [
  ...yamlFiles('scenarios'),
  ...readdirSync(path.join(root, '__tests__/fixtures/stacks'), { withFileTypes: true })
    .filter(
      (d) =>
        d.isDirectory() &&
        readdirSync(path.join(root, '__tests__/fixtures/stacks', d.name)).includes('scenarios'),
    )
    .flatMap((d) => yamlFiles(`__tests__/fixtures/stacks/${d.name}/scenarios`)),
];

const runConfigFiles = ['examples/fraud-api/chaos-action.yml'];

describe('the scenario schema', () => {
  it('finds the files it checks', () => {
    expect(scenarioFiles).toContain('scenarios/redis-failure.yml');
    expect(scenarioFiles.filter((f) => f.startsWith('__tests__')).length).toBeGreaterThan(0);
  });

  it.each(scenarioFiles)('%s loads, and validates', (file) => {
    expect(() => loadScenarioFile(path.join(root, file))).not.toThrow();
    expect(errorsOf(scenarioSchema, parse(readFileSync(path.join(root, file), 'utf8')))).toEqual([]);
  });

  it('rejects what the loader rejects by shape: an unknown key, a fault kind that does not exist', () => {
    const bad = parse(
      readFileSync(path.join(root, '__tests__/fixtures/bad-scenarios/unknown-key.yml'), 'utf8'),
    );
    expect(errorsOf(scenarioSchema, bad)).toContain('/ must NOT have additional properties');
    const fault = parse(
      readFileSync(path.join(root, '__tests__/fixtures/bad-scenarios/unknown-fault-type.yml'), 'utf8'),
    );
    expect(errorsOf(scenarioSchema, fault).length).toBeGreaterThan(0);
  });
});

describe('the run config schema', () => {
  it.each(runConfigFiles)('%s loads, and validates', (file) => {
    const full = path.join(root, file);
    expect(() => loadRunConfigFile(full, {}, null, { workdir: path.dirname(full) })).not.toThrow();
    expect(errorsOf(runConfigSchema, parse(readFileSync(full, 'utf8')))).toEqual([]);
  });

  it('validates the config init writes, whose first line names the schema', () => {
    const text = renderRunConfig(
      {
        composeFiles: ['compose.yaml'],
        serviceMap: [{ role: 'cache', service: 'redis', why: 'its image' }],
        labelledRoles: [],
        request: { text: 'GET /items', why: 'given' },
        healthPath: { path: '/health', why: 'its healthcheck' },
        params: [{ name: 'cache_alert', what: 'checked in redis-failure' }],
      },
      'compose.yaml',
    );
    expect(text.split('\n')[0]).toBe(schemaModeline(SCHEMA_FILES.runConfig));
    expect(schemaModeline(SCHEMA_FILES.runConfig)).toMatch(
      /^# yaml-language-server: \$schema=https:\/\/\S+\/schemas\/chaos-action\.schema\.json$/,
    );
    expect(errorsOf(runConfigSchema, parse(text))).toEqual([]);
  });

  it('takes the old keys, and refuses an unknown key and compose-env as the loader does', () => {
    expect(errorsOf(runConfigSchema, { 'compose-files': ['a.yml'], 'scenarios-dirs': 'x' })).toEqual([]);
    expect(errorsOf(runConfigSchema, { 'compose-file': 'a.yml', bogus: 1 })).toEqual([
      '/ must NOT have additional properties',
    ]);
    expect(errorsOf(runConfigSchema, { 'compose-env': 'GITHUB_TOKEN' })).toEqual([
      '/ must NOT have additional properties',
    ]);
    expect(errorsOf(runConfigSchema, { profile: 'prod' })).toEqual([
      '/profile must be equal to one of the allowed values',
    ]);
  });
});
