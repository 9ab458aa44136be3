// Bad input through the packaged CLI: every malformed scenario, threshold, suite and
// run-config fixture gives its exact `file:line: field: message` and exit code 2, and a
// `run` given bad input starts nothing: the engine sees no event, no container and no
// network of the run's project (other suites run beside this one, so the check is scoped).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { watchProjectEvents } from '../../../src/probes/containers';
import { uniqueProjectName } from '../../../src/stack/compose';
import { execCommand } from '../../../src/util/exec';
import { NOTHING_LEFT, projectLeftovers } from '../../helpers/leftovers';

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

/** Runs `chaos-action run` under a project name of its own and reports what the engine saw of it. */
async function runWithBadInput(...args: string[]) {
  const project = uniqueProjectName('bad-input');
  const watcher = await watchProjectEvents(project);
  const result = await chaosAction('run', '--project', project, ...args);
  await new Promise((resolve) => setTimeout(resolve, 300));
  watcher.stop();
  return { result, events: watcher.events(), leftovers: await projectLeftovers(project) };
}

describe('chaos-action validate on malformed files', () => {
  const cases = Object.entries(expected);

  it('has at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('%s → exit 2 with its exact error', async (fixture, message) => {
    const result = await chaosAction('validate', path.join(fixtures, fixture));
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
    const { result, events, leftovers } = await runWithBadInput(
      '--compose-file',
      compose,
      '--scenarios-dir',
      path.join(fixtures, 'duplicate-names'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(expected['duplicate-names']);
    expect(events).toEqual([]);
    expect(leftovers).toEqual(NOTHING_LEFT);
  });

  it.each([
    [['--suite', 'ful'], 'suite: unknown suite "ful" (did you mean "full"?)'],
    [
      ['--scenarios', 'redis-failur'],
      'scenarios: unknown scenario "redis-failur" (did you mean "redis-failure"?)',
    ],
    [['--service-map', 'cach=redis'], 'unknown role "cach" (did you mean "cache"?)'],
    [['--scale', 'fast'], '"fast" is not a scale factor'],
    [['--sutie', 'full'], 'unknown flag --sutie (did you mean --suite?)'],
  ])('%j → exit 2 naming the field, Docker untouched', async (args, message) => {
    const { result, events, leftovers } = await runWithBadInput('--compose-file', compose, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(events).toEqual([]);
    expect(leftovers).toEqual(NOTHING_LEFT);
  });

  it('names a service that is not in the stack at its file and line, within seconds, starting nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-missing-service-'));
    const file = path.join(dir, 'memcached-down.yml');
    writeFileSync(
      file,
      [
        'name: memcached-down',
        'title: The cache is stopped',
        'hypothesis: The api keeps answering.',
        'target: { service: memcached }',
        'fault: { type: stop, duration: 10s }',
        'load: { request: { method: GET, path: /healthz }, rate: 5/s }',
        'thresholds:',
        '  - fault: error_rate < 1%',
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const { result, events, leftovers } = await runWithBadInput(
      '--compose-file',
      compose,
      '--scenarios-dir',
      dir,
      '--scenarios',
      'memcached-down',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${file}:4: target: no service named "memcached" in docker-compose.yml (services: alertmanager, fraud-api, otel-collector, prometheus, redis)`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(events).toEqual([]);
    expect(leftovers).toEqual(NOTHING_LEFT);
  });

  it('names the second fault of a faults: list when its target is missing, before anything starts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-two-faults-'));
    const file = path.join(dir, 'two-down.yml');
    writeFileSync(
      file,
      [
        'name: two-down',
        'title: Cache and a missing service stopped',
        'hypothesis: The api keeps answering.',
        'faults:',
        '  - { target: { service: redis }, at: 0s, type: stop, duration: 10s }',
        '  - target: { service: memcached }',
        '    at: 2s',
        '    type: stop',
        '    duration: 5s',
        'load: { request: { method: GET, path: /healthz }, rate: 5/s }',
        'thresholds:',
        '  - fault: error_rate < 1%',
        '',
      ].join('\n'),
    );
    const { result, events, leftovers } = await runWithBadInput(
      '--compose-file',
      compose,
      '--scenarios-dir',
      dir,
      '--scenarios',
      'two-down',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:6: faults[1].target: no service named "memcached"`);
    expect(events).toEqual([]);
    expect(leftovers).toEqual(NOTHING_LEFT);
  });

  it('refuses a scenario asked for by name whose role the stack lacks (it is skipped only in a built-in suite)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-no-role-'));
    writeFileSync(
      path.join(dir, 'compose.yml'),
      'services:\n  web:\n    image: chaos-fixture-none:local\n    ports: ["80"]\n',
    );
    const { result, events, leftovers } = await runWithBadInput(
      '--compose-file',
      path.join(dir, 'compose.yml'),
      '--service-map',
      'api=web',
      '--scenarios',
      'otel-collector-failure',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /otel-collector-failure\.yml:\d+: target: no service plays the role "telemetry" in compose\.yml: map one with service-map \(telemetry=SERVICE\)/,
    );
    expect(events).toEqual([]);
    expect(leftovers).toEqual(NOTHING_LEFT);
  });

  it('names a missing compose file, exits 2 and starts nothing', async () => {
    const { result, events, leftovers } = await runWithBadInput(
      '--compose-file',
      'does/not/exist.yml',
      '--scenarios',
      'load-test',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`compose file not found: ${path.join(root, 'does/not/exist.yml')}`);
    expect(events).toEqual([]);
    expect(leftovers).toEqual(NOTHING_LEFT);
  });
});
