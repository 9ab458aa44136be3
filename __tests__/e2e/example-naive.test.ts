// The naive example stack end to end with the packaged CLI: each scenario fails on the threshold
// that states what the naive code gets wrong. Durations are scaled down (E2E_SCALE).
import { listProjectContainers } from '../../src/stack/targets';
import {
  type CliRun,
  describeRun,
  E2E_SCALE,
  EXAMPLE,
  expectFaultWindowOnFaultPhase,
  NAIVE,
  runExampleCli,
  scenarioOf,
  violated,
} from '../helpers/example-cli';

jest.setTimeout(15 * 60_000);

describe('the naive example stack', () => {
  let run: CliRun;
  beforeAll(async () => {
    run = await runExampleCli([
      '--compose-file',
      EXAMPLE,
      '--compose-file',
      NAIVE,
      '--scale',
      E2E_SCALE,
      // redis-failure is not first: fault times must be judged on each scenario's own clock.
      '--scenarios',
      'otel-collector-failure',
      '--scenarios',
      'redis-failure',
      '--scenarios',
      'network-partition',
      '--scenarios',
      'retry-storm',
    ]);
  });

  it('fails the gate with exit code 1 and prints the verdict table', () => {
    expect({ code: run.exec.code, log: describeRun(run) }).toMatchObject({ code: 1 });
    expect(run.exec.stdout).toMatch(/^SCENARIO\s+VERDICT/m);
    expect(run.results?.outcome).toBe('fail');
  });

  it('redis-failure, second in the run: requests fail instead of degrading, and no alert tells anyone', () => {
    const result = scenarioOf(run.results, 'redis-failure');
    expect(result.outcome).toBe('fail');
    expect(violated(result)).toEqual(
      expect.arrayContaining(['fault: error_rate < 1%', 'alert HighCacheMissRate fires within 30s']),
    );
    expectFaultWindowOnFaultPhase(result);
  });

  it('network-partition: requests hang instead of failing fast, no breaker opens', () => {
    const result = scenarioOf(run.results, 'network-partition');
    expect(result.outcome).toBe('fail');
    expect(violated(result)).toEqual(
      expect.arrayContaining(['fault: p99 < 2s', 'log api contains "Circuit breaker opened"']),
    );
  });

  it('retry-storm: reconnects hammer Redis with no backoff', () => {
    const result = scenarioOf(run.results, 'retry-storm');
    expect(result.outcome).toBe('fail');
    expect(violated(result)).toEqual(
      expect.arrayContaining(["max promql 'sum(rate(redis_reconnect_attempts_total[5s]))' < 5"]),
    );
    expect(violated(result).some((source) => source.startsWith('log api backoff'))).toBe(true);
  });

  it('otel-collector-failure: a telemetry outage becomes customer-facing errors', () => {
    const result = scenarioOf(run.results, 'otel-collector-failure');
    expect(result.outcome).toBe('fail');
    expect(violated(result)).toEqual(
      expect.arrayContaining(['fault: error_rate < 0.1%', 'log api not matches /^\\S+\\s+ERROR\\b/']),
    );
  });

  it('leaves no container of the run behind', async () => {
    expect(await listProjectContainers(run.results?.project ?? 'missing')).toEqual([]);
  });
});
