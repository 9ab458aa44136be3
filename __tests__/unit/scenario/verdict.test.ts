import { emptyObservations, type ScenarioObservations } from '../../../src/scenario/observations';
import type { PhaseName, PhaseStats, ThresholdResult, TimelinePoint } from '../../../src/scenario/results';
import { parseGuardCondition, parseThreshold } from '../../../src/scenario/thresholds';
import { decideOutcome, evaluateThresholds, shouldAbort } from '../../../src/scenario/verdict';

const where = { file: 's.yml', line: 3 };
const phase = (
  name: PhaseName,
  startMs: number,
  endMs: number,
  over: Partial<PhaseStats> = {},
): PhaseStats => ({
  phase: name,
  startMs,
  endMs,
  scheduled: 1000,
  completed: 1000,
  targetRate: 50,
  achievedRate: 50,
  errorRate: 0,
  errors: {},
  late: 0,
  p50Ms: 20,
  p90Ms: 40,
  p95Ms: 50,
  p99Ms: 90,
  maxMs: 120,
  ...over,
});
const point = (second: number, ph: PhaseName, over: Partial<TimelinePoint> = {}): TimelinePoint => ({
  second,
  phase: ph,
  scheduled: 50,
  completed: 50,
  p95Ms: 50,
  errorRate: 0,
  ...over,
});

function observations(): ScenarioObservations {
  const obs = emptyObservations();
  obs.services = { api: 'fraud-api', cache: 'redis' };
  obs.phases = {
    warmup: phase('warmup', 0, 5000),
    baseline: phase('baseline', 5000, 15_000),
    fault: {
      ...phase('fault', 15_000, 45_000, { p95Ms: 612, errorRate: 0.004, errors: { timeout: 4 } }),
      meanMs: 80,
    },
    recovery: phase('recovery', 45_000, 50_000),
    after: phase('after', 50_000, 60_000),
  };
  obs.faultStartMs = 15_000;
  obs.faultEndMs = 45_000;
  obs.recoveryTimeMs = 4200;
  obs.timeline = Array.from({ length: 60 }, (_, s) =>
    point(s, s < 5 ? 'warmup' : s < 15 ? 'baseline' : s < 45 ? 'fault' : s < 50 ? 'recovery' : 'after'),
  );
  obs.alerts = [
    { name: 'HighCacheMissRate', severity: 'warning', state: 'firing', firstFiringAtMs: 27_000, labels: {} },
    { name: 'HighLatency', severity: 'warning', state: 'firing', firstFiringAtMs: 20_000, labels: {} },
    { name: 'ServiceDown', severity: 'critical', state: 'pending', firstFiringAtMs: null, labels: {} },
  ];
  obs.logs = {
    'fraud-api': [
      {
        atMs: 16_000,
        line: '2026-11-27T07:00:00.000Z WARN ⚠ Failed to connect to OTel Collector (x): dropped',
      },
      {
        atMs: 17_000,
        line: '2026-11-27T07:00:01.000Z INFO Cache miss: feature:1:avg_amount (using default)',
      },
      { atMs: 18_000, line: '2026-11-27T07:00:02.000Z INFO Redis reconnect attempt 1 in 1000ms' },
      { atMs: 19_000, line: '2026-11-27T07:00:03.000Z INFO Redis reconnect attempt 2 in 2000ms' },
      { atMs: 21_000, line: '2026-11-27T07:00:05.000Z INFO Redis reconnect attempt 3 in 4000ms' },
    ],
  };
  obs.containers = {
    'fraud-api': {
      restartsBefore: 0,
      restartsAfter: 1,
      oomKilled: true,
      oomKilledAtMs: 40_000,
      health: 'healthy',
      timeToHealthyMs: 12_000,
    },
  };
  obs.connections = {
    redis: [
      { second: 20, phase: 'fault', attempts: 3 },
      { second: 21, phase: 'fault', attempts: 1 },
      { second: 46, phase: 'recovery', attempts: 2 },
    ],
  };
  obs.promql = {
    'max(redis_circuit_breaker_open)': [
      { atMs: 16_000, phase: 'fault', value: 0 },
      { atMs: 20_000, phase: 'fault', value: 1 },
      { atMs: 44_000, phase: 'fault', value: 0 },
    ],
  };
  return obs;
}

const evaluate = (text: string, obs = observations()): ThresholdResult =>
  evaluateThresholds([parseThreshold(text, where)], obs)[0];

describe('evaluateThresholds', () => {
  it.each<[string, boolean | null, string]>([
    ['fault: p95 < 500ms', false, '612ms'],
    ['p(95)<1000', true, '612ms'],
    ['baseline: p99 < 1s', true, '90ms'],
    ['error_rate < 1%', true, '0.4%'],
    ['after: error_rate == 0', true, '0%'],
    ['avg < 200', true, '80ms'],
    ['baseline: avg < 200', null, 'n/a'],
    ['errors <= 4', true, '4'],
    ['requests > 100', true, '1000'],
    ['rate_achieved > 95%', true, '100%'],
    ['rps >= 50/s', true, '50/s'],
    ['recovery_time < 10s', true, '4.2s'],
    ['recovery_time < 1s', false, '4.2s'],
    ['alert HighCacheMissRate fires within 30s', true, 'fired after 12s'],
    ['alert HighCacheMissRate fires within 10s', false, 'fired after 12s'],
    ['alert ServiceDown fires', false, 'not fired'],
    ['alert ServiceDown does not fire', true, 'not fired'],
    ['alert HighCacheMissRate does not fire', false, 'fired after 12s'],
    ['alert HighLatency is warning', true, 'fired as warning'],
    ['alert HighLatency severity != critical', true, 'fired as warning'],
    ['alert Missing severity == warning', false, 'not fired'],
    ['no critical alerts', true, 'none fired'],
    ['no warning alerts', false, 'fired: HighCacheMissRate, HighLatency'],
    ['alert HighLatency fires before container api oom_killed', true, '20s before'],
    ['log api contains "Cache miss"', true, '1 matching line'],
    ['log api contains "Circuit breaker opened"', false, 'no matching line'],
    ['log api not matches /^\\S+\\s+ERROR\\b/', true, 'no matching line'],
    ['log api matches /^\\S+\\s+WARN\\b.*OTel Collector/', true, '1 matching line'],
    ['log api count("reconnect attempt") <= 2', false, '3'],
    ['log api backoff /reconnect attempt \\d+ in (\\d+)ms/', true, 'delays 1000 → 2000 → 4000'],
    ['baseline: log api contains "Cache miss"', false, 'no matching line'],
    ['container api restarts >= 1', true, '1 restarts'],
    ['container api restarts == 0', false, '1 restarts'],
    ['container api oom_killed', true, 'OOM-killed'],
    ['container api healthy within 60s', true, 'healthy after 12s'],
    ['container cache restarts == 0', null, 'n/a'],
    ["max promql 'max(redis_circuit_breaker_open)' >= 1", true, '1'],
    ["promql 'max(redis_circuit_breaker_open)' >= 1", false, '0'],
    ["promql 'absent_query' >= 1", null, 'n/a'],
    ['fault: connections_per_second cache < 20', true, '3/s at peak'],
    ['recovery: connections_per_second cache < 2', false, '2/s at peak'],
    ['connections_per_second api < 2', null, 'n/a'],
  ])('%s → %s', (text, passed, actual) => {
    const r = evaluate(text);
    expect(r.passed).toBe(passed);
    expect(r.actual).toBe(actual);
    expect(r.source).toBe(text);
    expect(r.line).toBe(3);
  });

  it('fills phase, metric, limit and value', () => {
    expect(evaluate('fault: p95 < 500ms')).toEqual({
      source: 'fault: p95 < 500ms',
      file: 's.yml',
      line: 3,
      phase: 'fault',
      metric: 'p95',
      passed: false,
      actual: '612ms',
      limit: '< 500ms',
      value: 612,
    });
    expect(evaluate('alert ServiceDown fires')).toMatchObject({ phase: null, metric: 'alert ServiceDown' });
  });

  it('counts a sustained breach only when it lasts', () => {
    const obs = observations();
    for (const s of [20, 21, 22]) obs.timeline[s] = point(s, 'fault', { p95Ms: 900 });
    expect(evaluate('fault: p95 < 500ms for 5s', obs)).toMatchObject({ passed: true, value: 3 });
    expect(evaluate('fault: p95 < 500ms for 3s', obs)).toMatchObject({
      passed: false,
      actual: 'breached 3s in a row (worst 900ms)',
    });
    expect(evaluate('fault: p95 < 500ms for at least 2s', obs).passed).toBe(false);
  });

  it('reads stages by name or 1-based index', () => {
    const obs = observations();
    obs.stages = [
      { ...phase('fault', 0, 10_000), name: 'normal', index: 0 },
      {
        ...phase('fault', 10_000, 30_000, { p95Ms: 700, targetRate: 1000, achievedRate: 800 }),
        name: 'peak',
        index: 1,
      },
    ];
    expect(evaluate('stage peak: p95 < 500ms', obs)).toMatchObject({
      passed: false,
      actual: '700ms',
      phase: null,
    });
    expect(evaluate('stage 1: p95 < 500ms', obs).passed).toBe(true);
    expect(evaluate('stage peak: rate_achieved > 90%', obs)).toMatchObject({ passed: false, actual: '80%' });
    expect(evaluate('stage nope: p95 < 500ms', obs).passed).toBeNull();
  });

  it('compares with a baseline, and skips without one', () => {
    const obs = observations();
    expect(evaluate('p95 regression < 20%', obs)).toMatchObject({
      passed: null,
      detail: 'skipped: no baseline results given',
    });
    obs.baseline = { fault: phase('fault', 0, 1, { p95Ms: 500, errorRate: 0.001 }) };
    expect(evaluate('p95 regression < 20%', obs)).toMatchObject({
      passed: false,
      actual: '+22.4%',
      detail: '500ms → 612ms',
    });
    expect(evaluate('p95 regression < 25%', obs).passed).toBe(true);
    expect(evaluate('error_rate regression < 1%', obs).passed).toBe(true);
  });

  it('is inconclusive without alerts, logs or container facts', () => {
    const obs = emptyObservations();
    for (const text of [
      'alert X fires',
      'no critical alerts',
      'log api contains "x"',
      'container api oom_killed',
      'p95 < 1s',
    ]) {
      expect(evaluate(text, obs).passed).toBeNull();
    }
    expect(evaluate('recovery_time < 10s', obs)).toMatchObject({ passed: false, actual: 'never recovered' });
  });

  it('alert before OOM: fails when the alert came after the kill', () => {
    const obs = observations();
    obs.alerts = [
      { name: 'HighMemoryUsage', severity: 'warning', state: 'firing', firstFiringAtMs: 41_000, labels: {} },
    ];
    expect(evaluate('alert HighMemoryUsage fires before container api oom_killed', obs)).toMatchObject({
      passed: false,
      actual: '1s after',
    });
  });
});

describe('decideOutcome', () => {
  const ok = { steadyStateBeforeOk: true, faultEffective: true };
  const result = (passed: boolean | null, detail?: string): ThresholdResult => ({
    source: 'p95 < 1s',
    file: 's.yml',
    line: 1,
    phase: 'fault',
    metric: 'p95',
    passed,
    actual: '1.2s',
    limit: '< 1s',
    value: 1200,
    ...(detail ? { detail } : {}),
  });

  it('passes when every threshold passes', () => {
    expect(decideOutcome([result(true)], ok)).toEqual({ outcome: 'pass', reason: '' });
  });
  it('fails on any violation', () => {
    expect(decideOutcome([result(true), result(false), result(null)], ok)).toEqual({
      outcome: 'fail',
      reason: '1 threshold violated (first: p95 < 1s: 1.2s, limit < 1s)',
    });
  });
  it('is inconclusive on an unevaluated threshold, but not on a skipped regression', () => {
    expect(decideOutcome([result(true), result(null, 'no data')], ok).outcome).toBe('inconclusive');
    expect(
      decideOutcome([result(true), result(null, 'skipped: no baseline results given')], ok).outcome,
    ).toBe('pass');
  });
  it('puts errors, steady state and ineffective faults first', () => {
    expect(decideOutcome([result(false)], { ...ok, error: 'docker died' })).toEqual({
      outcome: 'error',
      reason: 'docker died',
    });
    expect(decideOutcome([result(false)], { ...ok, steadyStateBeforeOk: false }).outcome).toBe(
      'inconclusive',
    );
    expect(decideOutcome([result(true)], { ...ok, faultEffective: false }).outcome).toBe('error');
    expect(decideOutcome([result(true)], { ...ok, aborted: 'fault: error_rate > 50% for 10s' })).toEqual({
      outcome: 'fail',
      reason: 'aborted: fault: error_rate > 50% for 10s',
    });
    expect(decideOutcome([result(true)], { ...ok, steadyStateAfterOk: false }).outcome).toBe('fail');
  });
});

describe('shouldAbort', () => {
  const guard = { conditions: [parseGuardCondition('fault: error_rate > 50% for 3s', where)] };
  const timeline = (rates: number[], ph: PhaseName = 'fault') =>
    rates.map((r, i) => point(i, ph, { errorRate: r }));

  it('aborts only on a sustained breach in the named phase', () => {
    expect(shouldAbort(guard, timeline([0.9, 0.9, 0.1, 0.9, 0.9]))).toBe(false);
    expect(shouldAbort(guard, timeline([0.1, 0.9, 0.9, 0.9]))).toBe(true);
    expect(shouldAbort(guard, timeline([0.9, 0.9, 0.9], 'baseline'))).toBe(false);
    expect(shouldAbort(null, timeline([1, 1, 1]))).toBe(false);
  });
  it('ignores seconds without requests and gaps in the timeline', () => {
    const points = timeline([0.9, 0.9, 0.9]);
    points[1] = { ...points[1], scheduled: 0 };
    expect(shouldAbort(guard, points)).toBe(false);
    const gap = [
      point(1, 'fault', { errorRate: 1 }),
      point(2, 'fault', { errorRate: 1 }),
      point(5, 'fault', { errorRate: 1 }),
    ];
    expect(shouldAbort(guard, gap)).toBe(false);
  });
});
