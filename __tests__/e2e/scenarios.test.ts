// The built-in scenarios end to end with the packaged CLI on the real example stack: the
// resilient variant passes the full suite, the naive one fails each scenario on the
// threshold that states what the naive code gets wrong, and a fault that cannot take
// effect is an error, never a pass. Durations are scaled down for CI (--scale).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execCommand, type ExecResult } from '../../src/util/exec';
import type { RunResult, ScenarioResult } from '../../src/scenario/results';
import { listProjectContainers } from '../../src/stack/targets';

const root = path.join(__dirname, '../..');
const BASE = path.join(root, 'examples/fraud-api/docker-compose.yml');
const NAIVE = path.join(root, 'examples/fraud-api/docker-compose.naive.yml');
const SCALE = process.env.CHAOS_E2E_SCALE ?? '0.5';
jest.setTimeout(40 * 60_000);

async function cli(args: string[]): Promise<{ exec: ExecResult; results: RunResult | null }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaos-e2e-'));
  const exec = await execCommand(
    process.execPath,
    [
      path.join(root, 'dist/cli/index.js'),
      'run',
      '--results',
      dir,
      '--journal',
      path.join(dir, 'journal.json'),
      ...args,
    ],
    { cwd: root, env: { ...process.env, CI: 'true' } },
  );
  let results: RunResult | null = null;
  try {
    results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResult;
  } catch {
    results = null;
  }
  return { exec, results };
}

function scenario(results: RunResult | null, name: string): ScenarioResult {
  const found = results?.scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no result for ${name}`);
  return found;
}

/** The thresholds that were violated, as written in the scenario file. */
function violated(result: ScenarioResult): string[] {
  return result.thresholds.filter((t) => t.passed === false).map((t) => t.source);
}

function describeRun(run: { exec: ExecResult }): string {
  return `exit ${run.exec.code}\n${run.exec.stdout}\n${run.exec.stderr.split('\n').slice(-40).join('\n')}`;
}

describe('the naive example stack', () => {
  let run: { exec: ExecResult; results: RunResult | null };
  beforeAll(async () => {
    run = await cli([
      '--compose',
      BASE,
      '--compose',
      NAIVE,
      '--scale',
      SCALE,
      '--scenario',
      'redis-failure',
      '--scenario',
      'network-partition',
      '--scenario',
      'retry-storm',
      '--scenario',
      'otel-collector-failure',
    ]);
  });

  it('fails the gate with exit code 1 and prints the verdict table', () => {
    expect({ code: run.exec.code, log: describeRun(run) }).toMatchObject({ code: 1 });
    expect(run.exec.stdout).toMatch(/^SCENARIO\s+VERDICT/m);
    expect(run.results?.outcome).toBe('fail');
  });

  it('redis-failure: requests fail instead of degrading', () => {
    const result = scenario(run.results, 'redis-failure');
    expect(result.outcome).toBe('fail');
    expect(violated(result)).toContain('fault: error_rate < 1%');
  });

  it('network-partition: requests hang instead of failing fast, no breaker opens', () => {
    const result = scenario(run.results, 'network-partition');
    expect(result.outcome).toBe('fail');
    expect(violated(result)).toEqual(
      expect.arrayContaining(['fault: p99 < 2s', 'log api contains "Circuit breaker opened"']),
    );
  });

  it('retry-storm: reconnects hammer Redis with no backoff', () => {
    const result = scenario(run.results, 'retry-storm');
    expect(result.outcome).toBe('fail');
    expect(violated(result)).toEqual(
      expect.arrayContaining(["max promql 'sum(rate(redis_reconnect_attempts_total[5s]))' < 5"]),
    );
    expect(violated(result).some((source) => source.startsWith('log api backoff'))).toBe(true);
  });

  it('otel-collector-failure: a telemetry outage becomes customer-facing errors', () => {
    const result = scenario(run.results, 'otel-collector-failure');
    expect(result.outcome).toBe('fail');
    expect(violated(result)).toEqual(
      expect.arrayContaining(['fault: error_rate < 0.1%', 'log api not matches /^\\S+\\s+ERROR\\b/']),
    );
  });

  it('leaves no container of the run behind', async () => {
    expect(await listProjectContainers(run.results?.project ?? 'missing')).toEqual([]);
  });
});

describe('the resilient example stack', () => {
  let run: { exec: ExecResult; results: RunResult | null };
  beforeAll(async () => {
    run = await cli(['--compose', BASE, '--suite', 'full', '--scale', SCALE]);
  });

  it('passes every scenario of the full suite', () => {
    const outcomes = Object.fromEntries(
      (run.results?.scenarios ?? []).map((s) => [s.name, `${s.outcome} ${s.reason}`.trim()]),
    );
    expect(outcomes).toEqual({
      'redis-failure': 'pass',
      'otel-collector-failure': 'pass',
      'memory-pressure': 'pass',
      'network-partition': 'pass',
      'traffic-spike': 'pass',
      'retry-storm': 'pass',
      'latency-injection': 'pass',
      'load-test': 'pass',
    });
    expect({ code: run.exec.code, log: describeRun(run) }).toMatchObject({ code: 0 });
  });

  it('ends the memory fault at the OOM kill and measures recovery from there', () => {
    const memory = scenario(run.results, 'memory-pressure');
    expect(memory.notes.join('\n')).toMatch(
      /the fault ran its course at .* \(the kernel OOM-killed the container\)/,
    );
    expect(memory.fault?.evidence.join('\n')).toMatch(/restarts \+1\b/);
    expect(memory.recoveryTimeMs).not.toBeNull();
  });

  it('makes the API feel the injected latency (the app reconnected through the proxy)', () => {
    const latency = scenario(run.results, 'latency-injection');
    const fault = latency.phases.find((p) => p.phase === 'fault');
    const baseline = latency.phases.find((p) => p.phase === 'baseline');
    expect(fault?.p95Ms).toBeGreaterThanOrEqual(100);
    expect(baseline?.p95Ms).toBeLessThan(100);
  });

  it('proves each fault took effect', () => {
    for (const result of run.results?.scenarios ?? []) {
      if (result.fault)
        expect({ name: result.name, evidence: result.fault.evidence.length > 0 }).toEqual({
          name: result.name,
          evidence: true,
        });
    }
  });
});

describe('a fault that does not take effect', () => {
  it('is reported as an error, not a pass', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-noop-'));
    // The leak endpoint path is wrong: the app answers 404 and memory never grows.
    writeFileSync(
      path.join(dir, 'no-op-leak.yml'),
      [
        'name: no-op-leak',
        'title: A memory fault aimed at a path that does not leak',
        'hypothesis: Nothing happens, so the experiment proves nothing.',
        'target: { role: api }',
        'fault: { type: memory, method: leak-endpoint, path: /debug/does-not-exist, duration: 10s }',
        'load:',
        '  request: { method: POST, path: /v1/predict, json: { user_id: 12345, amount: 1 } }',
        '  rate: 20/s',
        'phases: { warmup: 1s, baseline: 2s, recovery: 5s, after: 1s }',
        'thresholds:',
        '  - fault: error_rate < 1%',
        '',
      ].join('\n'),
    );
    const run = await cli(['--compose', BASE, '--scenarios-dir', dir, '--scenario', 'no-op-leak']);
    const result = scenario(run.results, 'no-op-leak');
    expect(result.outcome).toBe('error');
    expect(run.exec.code).toBe(3);
  });
});
