// Bad input through the packaged CLI: every malformed scenario, threshold, suite and
// run-config fixture gives its exact `file:line: field: message` and exit code 2, and a
// `run` given a bad scenario starts nothing: the engine's containers are what they were.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { docker } from '../../../src/stack/docker';
import { execCommand } from '../../../src/util/exec';

const root = path.join(__dirname, '../../..');
const fixtures = '__tests__/fixtures/bad-scenarios';
const expected = JSON.parse(readFileSync(path.join(root, fixtures, 'expected.json'), 'utf8')) as Record<
  string,
  string
>;
const cliPath = path.join(root, 'dist/cli/index.js');
jest.setTimeout(120_000);

function chaosAction(...args: string[]) {
  return execCommand(process.execPath, [cliPath, ...args], { cwd: root });
}

async function containerIds(): Promise<string[]> {
  return (await docker().listContainers({ all: true })).map((c) => `${c.Id} ${c.State}`).sort();
}

describe('chaos-action validate on malformed files', () => {
  const cases = Object.entries(expected);

  it('has at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('%s → exit 2 with its exact error', async (fixture, message) => {
    const result = await chaosAction('validate', '--no-builtin', path.join(fixtures, fixture));
    expect(result.code).toBe(2);
    expect(`${result.stdout}${result.stderr}`.split('\n')).toContain(message);
  });

  it('accepts the built-in scenarios', async () => {
    const result = await chaosAction('validate');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok .*redis-failure\.yml \(redis-failure\)$/m);
  });
});

describe('chaos-action run with bad input', () => {
  const compose = 'examples/fraud-api/docker-compose.yml';

  it('refuses a bad scenario directory before touching Docker', async () => {
    const before = await containerIds();
    const result = await chaosAction(
      'run',
      '--compose',
      compose,
      '--scenarios-dir',
      path.join(fixtures, 'duplicate-names'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(expected['duplicate-names']);
    expect(await containerIds()).toEqual(before);
  });

  it.each([
    [['--suite', 'ful'], 'suite: unknown suite "ful" (did you mean "full"?)'],
    [
      ['--scenario', 'redis-failur'],
      'scenarios: unknown scenario "redis-failur" (did you mean "redis-failure"?)',
    ],
    [['--service-map', 'cach=redis'], 'unknown role "cach" (did you mean "cache"?)'],
    [['--scale', 'fast'], '"fast" is not a scale factor'],
    [['--sutie', 'full'], 'unknown flag --sutie (did you mean --suite?)'],
  ])('%j → exit 2 naming the field, Docker untouched', async (args, message) => {
    const before = await containerIds();
    const result = await chaosAction('run', '--compose', compose, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(await containerIds()).toEqual(before);
  });

  it('names a missing compose file, exits 2 and starts nothing', async () => {
    const before = await containerIds();
    const result = await chaosAction('run', '--compose', 'does/not/exist.yml', '--scenario', 'load-test');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`compose file not found: ${path.join(root, 'does/not/exist.yml')}`);
    expect(await containerIds()).toEqual(before);
  });
});
