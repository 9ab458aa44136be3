// The base-compose-file input: a paired run's base, resolved like compose-file; and --base-compose.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readInputs } from '../../../src/action/inputs';
import { runCommand } from '../../../src/cli/run-command';

describe('base-compose-file input', () => {
  let workspace: string;
  const saved = { ...process.env };
  beforeAll(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'base-compose-input-'));
    fs.mkdirSync(path.join(workspace, 'base'));
    for (const file of ['docker-compose.yml', 'base/docker-compose.yml', 'base/slow.yml'])
      fs.writeFileSync(path.join(workspace, file), 'services: {}\n');
  });
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  });
  afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

  const env = (inputs: Record<string, string>): NodeJS.ProcessEnv => {
    for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
    return { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: path.join(workspace, 'tmp') };
  };

  it('is no paired base when unset', () => {
    expect(readInputs(env({})).config.baseCompose).toEqual([]);
  });

  it('reads newline- or comma-separated files relative to the working directory', () => {
    const expected = [path.join(workspace, 'base/docker-compose.yml'), path.join(workspace, 'base/slow.yml')];
    expect(
      readInputs(env({ 'base-compose-file': 'base/docker-compose.yml\nbase/slow.yml\n' })).config.baseCompose,
    ).toEqual(expected);
    expect(
      readInputs(env({ 'base-compose-file': 'base/docker-compose.yml, base/slow.yml' })).config.baseCompose,
    ).toEqual(expected);
  });

  it('names the input when the base checkout is not there', () => {
    expect(() => readInputs(env({ 'base-compose-file': 'base/missing.yml' }))).toThrow(
      `input base-compose-file: ${path.join(workspace, 'base/missing.yml')} does not exist (is the base revision checked out there?)`,
    );
  });
});

describe('run --base-compose', () => {
  async function run(argv: string[]) {
    let out = '';
    let err = '';
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      return { code: await runCommand(argv), out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('is in the usage text', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--base-compose-file FILE +the base revision's compose file\(s\).*\(repeatable\)/);
  });

  it('exits 2 naming the flag and the missing file, before anything starts', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-base', 'docker-compose.yml');
    const r = await run([
      '--compose-file',
      'examples/fraud-api/docker-compose.yml',
      '--base-compose-file',
      missing,
      '--config-file',
      'examples/fraud-api/chaos-action.yml',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      [
        `chaos-action run: flag base-compose-file: ${missing} does not exist (is the base revision checked out there?)`,
        'chaos-action run: 1 configuration error',
        '',
      ].join('\n'),
    );
  });
});
