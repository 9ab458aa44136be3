// The built-in scenarios end to end with the packaged CLI on the real example stack: the
// resilient variant passes the full suite, the naive one fails each scenario on the
// threshold that states what the naive code gets wrong, and a fault that cannot take
// effect is an error, never a pass. Durations are scaled down for CI (--scale).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execCommand, type ExecResult } from '../../src/util/exec';
import type { RunResult, ScenarioResult } from '../../src/results';
import { listProjectContainers } from '../../src/stack/targets';
import { parse as parseYaml } from 'yaml';

const root = path.join(__dirname, '../..');
const BASE = path.join(root, 'examples/fraud-api/docker-compose.yml');
const NAIVE = path.join(root, 'examples/fraud-api/docker-compose.naive.yml');
/** The example's run config: its request, health check and application-specific checks. */
const CONFIG = path.join(root, 'examples/fraud-api/chaos-action.yml');
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
      '--config',
      CONFIG,
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
      // redis-failure is not first: fault times must be judged on each scenario's own clock.
      '--scenario',
      'otel-collector-failure',
      '--scenario',
      'redis-failure',
      '--scenario',
      'network-partition',
      '--scenario',
      'retry-storm',
    ]);
  });

  it('fails the gate with exit code 1 and prints the verdict table', () => {
    expect({ code: run.exec.code, log: describeRun(run) }).toMatchObject({ code: 1 });
    expect(run.exec.stdout).toMatch(/^SCENARIO\s+VERDICT/m);
    expect(run.results?.outcome).toBe('fail');
  });

  it('redis-failure, second in the run: requests fail instead of degrading, and no alert tells anyone', () => {
    const result = scenario(run.results, 'redis-failure');
    expect(result.outcome).toBe('fail');
    expect(violated(result)).toEqual(
      expect.arrayContaining(['fault: error_rate < 1%', 'alert HighCacheMissRate fires within 30s']),
    );
    expectFaultWindowOnFaultPhase(result);
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

/** The full suite's scenarios, with the first moved to the end: no checked fault comes first. */
function fullSuiteRotated(): string[] {
  const suites = parseYaml(readFileSync(path.join(root, 'scenarios/suites.yml'), 'utf8')) as {
    full: string[];
  };
  return [...suites.full.slice(1), suites.full[0]];
}

/** The fault window sits on the fault phase, on the scenario's own clock. */
function expectFaultWindowOnFaultPhase(result: ScenarioResult): void {
  const fault = result.phases.find((p) => p.phase === 'fault');
  expect({ name: result.name, window: result.faultWindow }).toEqual({
    name: result.name,
    window: {
      startSecond: Math.floor((fault?.startMs ?? NaN) / 1000),
      endSecond: Math.ceil((fault?.endMs ?? NaN) / 1000),
    },
  });
  expect(result.fault?.injectedAtMs).toBeGreaterThanOrEqual(fault?.startMs ?? Infinity);
  expect(result.fault?.revertedAtMs).toBeLessThanOrEqual(fault?.endMs ?? -Infinity);
}

describe('the resilient example stack', () => {
  let run: { exec: ExecResult; results: RunResult | null };
  beforeAll(async () => {
    run = await cli([
      '--compose',
      BASE,
      '--scale',
      SCALE,
      ...fullSuiteRotated().flatMap((n) => ['--scenario', n]),
    ]);
  });

  it("puts every fault on its scenario's clock, whatever the position in the run", () => {
    const names = (run.results?.scenarios ?? []).map((s) => s.name);
    expect(names.at(-1)).toBe('redis-failure');
    for (const result of run.results?.scenarios ?? [])
      if (result.fault) expectFaultWindowOnFaultPhase(result);
    const alert = scenario(run.results, 'redis-failure').thresholds.find(
      (t) => t.metric === 'alert HighCacheMissRate',
    );
    expect(alert).toMatchObject({ passed: true, actual: expect.stringMatching(/^fired after /) });
    expect(alert?.value).toBeGreaterThan(0);
  });

  it('passes every scenario of the full suite, the first one last', () => {
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

  it('proves each fault took effect, with a measurement taken inside its fault phase', () => {
    // Missing results fail: every scenario of the suite has a result.
    const results = run.results?.scenarios ?? [];
    expect(results.map((s) => s.name).sort()).toEqual([...fullSuiteRotated()].sort());
    const faulted = results.filter((s) => s.fault);
    expect(faulted.length).toBeGreaterThan(0);
    for (const result of faulted) {
      const fault = result.fault!;
      const phase = result.phases.find((p) => p.phase === 'fault');
      // The injection proof only (lines the revert adds, "running again" and the like, do not match).
      const proof = fault.evidence.filter((line) => INJECTION_PROOF[fault.kind]?.test(line));
      expect({
        name: result.name,
        injectedInFaultPhase:
          fault.injectedAtMs !== null &&
          phase !== undefined &&
          fault.injectedAtMs >= phase.startMs &&
          fault.injectedAtMs <= phase.endMs,
        revertedAfterInjection:
          fault.revertedAtMs !== null &&
          fault.injectedAtMs !== null &&
          fault.revertedAtMs >= fault.injectedAtMs,
        proof: proof.length > 0,
      }).toEqual({
        name: result.name,
        injectedInFaultPhase: true,
        revertedAfterInjection: true,
        proof: true,
      });
    }
  });
});

/** Each kind's injection proof as its evidence words it: a measurement, not a line of the revert. */
const INJECTION_PROOF: Record<string, RegExp> = {
  stop: /\(stopped in \d+ms\)/,
  kill: /died on|handled by its main process/,
  pause: /paused=true/,
  flap: /^cycle 1: /,
  partition: /connect timed out after|no longer resolves|still attached|not resolve/,
  latency: /ms to \S+ measured from/,
  bandwidth: /goes through the proxy/,
  stall: /: no reply \(/,
  reset_peer: /connection reset after/,
  down: /refused by the proxy/,
  memory: /cgroup memory [\d.]+ → [\d.]+MiB|usage \+[\d.]+MiB|OOM-killed at once/,
  cpu: /CPU used over \d+ms/,
};

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
    // A stall on a port the cache does not listen on: no reply without the toxic, so none with it proves nothing.
    writeFileSync(
      path.join(dir, 'no-op-stall.yml'),
      [
        'name: no-op-stall',
        'title: A stall on a port nothing answers',
        'hypothesis: Nothing is held, so the experiment proves nothing.',
        'target: { role: cache }',
        'fault: { type: stall, port: 7000, duration: 5s }',
        'load:',
        '  request: { method: POST, path: /v1/predict, json: { user_id: 12345, amount: 1 } }',
        '  rate: 20/s',
        'phases: { warmup: 1s, baseline: 2s, recovery: 2s, after: 1s }',
        'thresholds:',
        '  - fault: error_rate < 1%',
        '',
      ].join('\n'),
    );
    const run = await cli([
      '--compose',
      BASE,
      '--scenarios-dir',
      dir,
      '--scenario',
      'no-op-leak',
      '--scenario',
      'no-op-stall',
    ]);
    expect(scenario(run.results, 'no-op-leak')).toMatchObject({
      outcome: 'error',
      reason: expect.stringMatching(/\/debug\/does-not-exist answered 404/),
    });
    expect(scenario(run.results, 'no-op-stall')).toMatchObject({
      outcome: 'error',
      reason: expect.stringMatching(/cannot measure a stall on \S+:7000: the baseline got no reply/),
    });
    expect(run.exec.code).toBe(3);
  });
});

describe('checks with no evidence', () => {
  let run: { exec: ExecResult; results: RunResult | null };
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-no-evidence-'));
    const request = '  request: { method: POST, path: /v1/predict, json: { user_id: 12345, amount: 1 } }';
    const scenarioFile = (name: string, lines: string[]): void =>
      writeFileSync(
        path.join(dir, `${name}.yml`),
        [
          `name: ${name}`,
          'title: A check with nothing under it',
          'hypothesis: It must not pass.',
          ...lines,
          '',
        ].join('\n'),
      );
    // Judged only against a baseline run that was never given.
    scenarioFile('regression-only', [
      'target: { role: api }',
      'fault: { type: none }',
      'load:',
      request,
      '  rate: 20/s',
      'phases: { warmup: 1s, baseline: 2s, fault: 4s, recovery: 0s, after: 1s }',
      'thresholds:',
      '  - fault: p95 regression < 20%',
    ]);
    // One user who thinks for 30 s sends its first request at t0 and nothing in the fault phase.
    scenarioFile('silent-fault-phase', [
      'target: { role: api }',
      'fault: { type: none }',
      'load:',
      request,
      '  users: 1',
      '  think: 30s',
      'phases: { warmup: 1s, baseline: 2s, fault: 6s, recovery: 0s, after: 1s }',
      'thresholds:',
      '  - fault: errors < 5',
    ]);
    // Prometheus itself is the target: it evaluates no rule while it is down, so "does not fire"
    // cannot be claimed across its outage: inconclusive, the blind stretch named (docs/scenarios.md).
    scenarioFile('metrics-down', [
      'target: { role: metrics }',
      'fault: { type: stop, duration: 10s }',
      'load:',
      request,
      '  rate: 20/s',
      'phases: { warmup: 1s, baseline: 4s, recovery: 5s, after: 2s }',
      'thresholds:',
      '  - fault: error_rate < 1%',
      '  - alert ServiceDown does not fire',
    ]);
    run = await cli([
      '--compose',
      BASE,
      '--scenarios-dir',
      dir,
      '--scenario',
      'regression-only',
      '--scenario',
      'silent-fault-phase',
      '--scenario',
      'metrics-down',
    ]);
  });

  it('ends inconclusive with exit 3, never a pass', () => {
    expect({ code: run.exec.code, log: describeRun(run) }).toMatchObject({ code: 3 });
    expect(run.results?.outcome).toBe('inconclusive');
  });

  it.each([
    ['regression-only', /no threshold was judged .*no baseline/],
    ['silent-fault-phase', /no request was sent in the fault phase/],
  ])('%s is inconclusive and names the missing data', (name, reason) => {
    const result = scenario(run.results, name);
    expect({ outcome: result.outcome, reason: result.reason }).toEqual({
      outcome: 'inconclusive',
      reason: expect.stringMatching(reason),
    });
  });

  it('metrics-down: silence across the metrics outage proves nothing; the blind stretch is named', () => {
    const result = scenario(run.results, 'metrics-down');
    const check = result.thresholds.find((t) => t.source === 'alert ServiceDown does not fire');
    expect({ outcome: result.outcome, passed: check?.passed }).toEqual({
      outcome: 'inconclusive',
      passed: null,
    });
    expect(check?.detail).toMatch(
      /^the alert probe was blind for [\d.]+s \([\d.]+s–[\d.]+s\) between .*\(the metrics role was a fault target, down [\d.]+s–[\d.]+s\): no rule was evaluated then/,
    );
    // The load's own check is judged as usual.
    expect(result.thresholds.find((t) => t.source === 'fault: error_rate < 1%')?.passed).toBe(true);
  });
});
