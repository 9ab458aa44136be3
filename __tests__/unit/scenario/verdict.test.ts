import { parseGuardCondition, parseThreshold } from '../../../src/scenario/threshold-parser';
import {
  emptyObservations,
  type FiringSpan,
  type ProbeCoverage,
  type ScenarioObservations,
} from '../../../src/scenario/observations';
import { scenarioMs } from '../../../src/util/clock';
import type { PhaseName, PhaseStats, ThresholdResult, TimelinePoint } from '../../../src/results';
import { decideOutcome, evaluateThresholds, shouldAbort } from '../../../src/scenario/verdict';

const where = { file: 's.yml', line: 3 };
const ms = scenarioMs;
const firingFrom = (fromMs: number, toMs: number | null = null): FiringSpan[] => [
  { fromMs: ms(fromMs), toMs: toMs === null ? null : ms(toMs) },
];
/** A probe that answered every second of the scenario. */
const seenThroughout = (): ProbeCoverage => ({ fromMs: ms(0), toMs: ms(60_000), blind: [], problems: [] });
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
  timed: 1000,
  completed: 1000,
  targetRate: 50,
  achievedRate: 50,
  errorRate: 0,
  errors: {},
  late: 0,
  meanMs: 30,
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
    fault: phase('fault', 15_000, 45_000, {
      p95Ms: 612,
      errorRate: 0.004,
      errors: { timeout: 4 },
      meanMs: 80,
    }),
    recovery: phase('recovery', 45_000, 50_000),
    after: phase('after', 50_000, 60_000),
  };
  obs.faultStartMs = ms(15_000);
  obs.faultEndMs = ms(45_000);
  obs.endMs = ms(60_000);
  obs.recoveryTimeMs = 4200;
  obs.timeline = Array.from({ length: 60 }, (_, s) =>
    point(s, s < 5 ? 'warmup' : s < 15 ? 'baseline' : s < 45 ? 'fault' : s < 50 ? 'recovery' : 'after'),
  );
  obs.alerts = [
    {
      name: 'HighCacheMissRate',
      severity: 'warning',
      state: 'firing',
      firing: firingFrom(27_000),
      labels: {},
    },
    { name: 'HighLatency', severity: 'warning', state: 'firing', firing: firingFrom(20_000), labels: {} },
    { name: 'ServiceDown', severity: 'critical', state: 'pending', firing: [], labels: {} },
  ];
  obs.alertCoverage = seenThroughout();
  obs.eventCoverage = seenThroughout();
  obs.logCoverage = { 'fraud-api': { fromMs: ms(0), toMs: ms(60_000), truncatedBeforeMs: null } };
  obs.logs = {
    'fraud-api': [
      {
        atMs: ms(16_000),
        line: '2026-11-27T07:00:00.000Z WARN ⚠ Failed to connect to OTel Collector (x): dropped',
      },
      {
        atMs: ms(17_000),
        line: '2026-11-27T07:00:01.000Z INFO Cache miss: feature:1:avg_amount (using default)',
      },
      { atMs: ms(18_000), line: '2026-11-27T07:00:02.000Z INFO Redis reconnect attempt 1 in 1000ms' },
      { atMs: ms(19_000), line: '2026-11-27T07:00:03.000Z INFO Redis reconnect attempt 2 in 2000ms' },
      { atMs: ms(21_000), line: '2026-11-27T07:00:05.000Z INFO Redis reconnect attempt 3 in 4000ms' },
    ],
  };
  obs.containers = {
    'fraud-api': {
      restartsBefore: 0,
      restartsAfter: 1,
      oomKilled: true,
      oomKilledAtMs: ms(40_000),
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
      { atMs: ms(16_000), phase: 'fault', series: [{ series: '{}', value: 0 }], answered: true },
      { atMs: ms(20_000), phase: 'fault', series: [{ series: '{}', value: 1 }], answered: true },
      { atMs: ms(44_000), phase: 'fault', series: [{ series: '{}', value: 0 }], answered: true },
    ],
  };
  obs.promqlCoverage = { 'max(redis_circuit_breaker_open)': seenThroughout() };
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
    ['baseline: avg < 200', true, '30ms'],
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
    ['container api restarts >= 1', true, '1 restart'],
    ['container api restarts == 0', false, '1 restart'],
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
    obs.baseline = { fault: phase('fault', 0, 30_000, { p95Ms: 500, errorRate: 0.001 }) };
    expect(evaluate('p95 regression < 20%', obs)).toMatchObject({
      passed: false,
      actual: '+22.4%',
      detail: '500ms → 612ms (1000 → 1000 requests)',
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
    expect(evaluate('recovery_time < 10s', obs)).toMatchObject({ passed: null });
    obs.faultEndMs = ms(30_000);
    expect(evaluate('recovery_time < 10s', obs)).toMatchObject({ passed: false, actual: 'never recovered' });
  });

  it('alert before OOM: fails when the alert came after the kill', () => {
    const obs = observations();
    obs.alerts = [
      {
        name: 'HighMemoryUsage',
        severity: 'warning',
        state: 'firing',
        firing: firingFrom(41_000),
        labels: {},
      },
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

// Each case below returned a pass before the evidence rule (issue "no pass without evidence"):
// a check with no data, or with a blind probe over its window, is inconclusive, never a pass.
describe('no pass without evidence', () => {
  const emptyFault = (): ScenarioObservations => {
    const obs = observations();
    obs.phases.fault = phase('fault', 15_000, 21_000, {
      scheduled: 0,
      timed: 0,
      completed: 0,
      achievedRate: 0,
      meanMs: null,
      p50Ms: null,
      p90Ms: null,
      p95Ms: null,
      p99Ms: null,
      maxMs: null,
    });
    return obs;
  };

  it.each([
    'fault: errors < 5',
    'fault: late < 1',
    'fault: requests <= 10',
    'fault: rps < 100',
    'fault: error_rate < 1%',
  ])('a count or rate on a phase with no request sent is inconclusive: %s', (text) => {
    const r = evaluate(text, emptyFault());
    expect(r.passed).toBeNull();
    expect(r.detail).toMatch(/no request was sent in the fault phase/);
  });

  it('a sustained check over seconds without a value is inconclusive, not "never breached"', () => {
    const obs = observations();
    obs.timeline = obs.timeline.map((p) => (p.phase === 'fault' ? { ...p, completed: 0, p95Ms: null } : p));
    const r = evaluate('fault: p95 < 100ms for 3s', obs);
    expect(r.passed).toBeNull();
    expect(r.detail).toMatch(/30 seconds of the fault phase had no p95 value/);
  });

  it('a sustained check with a few blank seconds that cannot hide a breach still passes', () => {
    const obs = observations();
    obs.timeline = obs.timeline.map((p) => (p.second === 20 ? { ...p, completed: 0, p95Ms: null } : p));
    expect(evaluate('fault: p95 < 100ms for 3s', obs).passed).toBe(true);
  });

  it('a regression whose current side is null is inconclusive, not skipped', () => {
    const obs = emptyFault();
    obs.baseline = { fault: phase('fault', 15_000, 45_000) };
    const r = evaluate('fault: p95 regression < 20%', obs);
    expect(r.passed).toBeNull();
    expect(r.detail).not.toMatch(/^skipped:/);
  });

  it('avg is measured, and avg regressions are judged', () => {
    const obs = observations();
    obs.baseline = { fault: phase('fault', 15_000, 45_000, { meanMs: 40 }) };
    expect(evaluate('fault: avg < 100ms', obs)).toMatchObject({ passed: true, actual: '80ms' });
    expect(evaluate('fault: avg regression < 20%', obs)).toMatchObject({ passed: false, actual: '+100%' });
  });

  it('judges a regression against a baseline written before `timed` existed', () => {
    const obs = observations();
    const { timed: _dropped, ...older } = phase('fault', 15_000, 45_000, { p95Ms: 500 });
    obs.baseline = { fault: older as PhaseStats };
    expect(evaluate('fault: p95 regression < 50%', obs)).toMatchObject({ passed: true, actual: '+22.4%' });
  });

  it('a percentile of the few requests that answered cannot pass for all of them', () => {
    const obs = observations();
    obs.phases.fault = phase('fault', 15_000, 45_000, {
      scheduled: 100,
      timed: 10,
      completed: 10,
      errorRate: 0.9,
      errors: { refused: 90 },
      p95Ms: 5,
    });
    const r = evaluate('fault: p95 < 200ms', obs);
    expect(r.passed).toBeNull();
    expect(r.detail).toMatch(/p95 of 10 answered of 100 sent/);
    // With 3 % unanswered, p95 still speaks for 95 % of what was sent, and says which requests.
    obs.phases.fault = { ...obs.phases.fault, timed: 97, errors: { refused: 3 }, errorRate: 0.03 };
    expect(evaluate('fault: p95 < 200ms', obs)).toMatchObject({
      passed: true,
      detail: 'p95 of 97 answered of 100 sent',
    });
  });

  it('"fires within" an alert that was already firing at the injection is inconclusive', () => {
    const obs = observations();
    obs.alerts = [
      {
        name: 'HighCacheMissRate',
        severity: 'warning',
        state: 'firing',
        firing: firingFrom(3000),
        labels: {},
      },
    ];
    const r = evaluate('alert HighCacheMissRate fires within 30s', obs);
    expect(r.passed).toBeNull();
    expect(r.detail).toMatch(/already firing when the fault started/);
  });

  it('"fires within" measures from the transition after the fault, not from an earlier firing', () => {
    const obs = observations();
    obs.alerts = [
      {
        name: 'HighCacheMissRate',
        severity: 'warning',
        state: 'firing',
        firing: [
          { fromMs: ms(2000), toMs: ms(6000) },
          { fromMs: ms(40_000), toMs: null },
        ],
        labels: {},
      },
    ];
    expect(evaluate('alert HighCacheMissRate fires within 30s', obs)).toMatchObject({
      passed: true,
      actual: 'fired after 25s',
      value: 25_000,
    });
    expect(evaluate('alert HighCacheMissRate fires within 10s', obs)).toMatchObject({ passed: false });
  });

  it('"fires before oom_killed" needs both events after the fault', () => {
    const firedBefore = observations();
    firedBefore.alerts = [
      { name: 'HighLatency', severity: 'warning', state: 'firing', firing: firingFrom(3000), labels: {} },
    ];
    expect(
      evaluate('alert HighLatency fires before container api oom_killed', firedBefore).passed,
    ).toBeNull();

    const noEvent = observations();
    noEvent.containers['fraud-api'] = { ...noEvent.containers['fraud-api'], oomKilledAtMs: null };
    expect(evaluate('alert HighLatency fires before container api oom_killed', noEvent)).toMatchObject({
      passed: null,
      detail: expect.stringMatching(/no oom event/),
    });

    const noKill = observations();
    noKill.containers['fraud-api'] = {
      ...noKill.containers['fraud-api'],
      oomKilled: false,
      oomKilledAtMs: null,
    };
    expect(evaluate('alert HighLatency fires before container api oom_killed', noKill).passed).toBeNull();
  });

  it('alert checks that rely on silence are inconclusive once Prometheus stops answering', () => {
    const obs = observations();
    obs.alerts = [];
    // Answered during the first 10 s, then nothing until the end.
    obs.alertCoverage = {
      fromMs: ms(0),
      toMs: ms(60_000),
      blind: [{ fromMs: ms(10_000), toMs: ms(60_000) }],
      problems: ['connect ECONNREFUSED'],
    };
    for (const text of [
      'alert ServiceDown does not fire',
      'no critical alerts',
      'alert HighLatency severity != critical',
    ]) {
      const r = evaluate(text, obs);
      expect({ text, passed: r.passed }).toEqual({ text, passed: null });
      expect(r.detail).toMatch(/alert probe was blind for 50s .*ECONNREFUSED/);
    }
    // A firing that was seen stays seen: the alert did fire, whatever came after.
    obs.alerts = [
      { name: 'ServiceDown', severity: 'critical', state: 'firing', firing: firingFrom(5000), labels: {} },
    ];
    expect(evaluate('alert ServiceDown does not fire', obs).passed).toBe(false);
  });

  it('negated and upper-bound log checks over a window with no line are inconclusive', () => {
    const obs = observations();
    for (const text of [
      'recovery: log api not contains "panic"',
      'recovery: log api count("Redis") < 5',
      'recovery: log api not matches /ERROR/',
    ]) {
      const r = evaluate(text, obs);
      expect({ text, passed: r.passed }).toEqual({ text, passed: null });
      expect(r.detail).toMatch(/no evidence: no log line of api in the recovery phase/);
    }
  });

  it('a check that looks for a line fails on a silent service (the reader covered the window)', () => {
    expect(evaluate('recovery: log api contains "Circuit breaker opened"')).toMatchObject({
      passed: false,
      actual: 'no matching line',
    });
  });

  it('log checks over lines dropped at the line limit are inconclusive', () => {
    const obs = observations();
    // Lines before 22.5 s were dropped: 7.5 s of the window since the fault (from 15 s) is blind.
    obs.logCoverage['fraud-api'] = { fromMs: ms(0), toMs: ms(60_000), truncatedBeforeMs: ms(22_500) };
    const r = evaluate('log api not contains "panic"', obs);
    expect(r.passed).toBeNull();
    expect(r.detail).toMatch(/log probe was blind for 7.5s \(15s–22.5s\)/);
    // A window after the dropped stretch is still judged.
    obs.logs['fraud-api'].push({ atMs: ms(52_000), line: '2026-11-27T07:00:36.000Z INFO ok' });
    expect(evaluate('after: log api count("reconnect attempt") <= 5', obs).passed).toBe(true);
  });

  it('container checks that need the event stream are inconclusive when it broke off', () => {
    const obs = observations();
    obs.eventCoverage = {
      fromMs: ms(0),
      toMs: ms(60_000),
      blind: [{ fromMs: ms(20_000), toMs: ms(60_000) }],
      problems: ['the stream ended'],
    };
    expect(evaluate('container api healthy within 60s', obs).passed).toBeNull();
    obs.containers['fraud-api'] = { ...obs.containers['fraud-api'], oomKilled: false, oomKilledAtMs: null };
    expect(evaluate('container api not oom_killed', obs).passed).toBeNull();
  });

  it('a scenario whose only checks were skipped is inconclusive, not passed', () => {
    const obs = observations();
    const results = evaluateThresholds([parseThreshold('fault: p95 regression < 20%', where)], obs);
    expect(results[0].detail).toMatch(/^skipped:/);
    expect(decideOutcome(results, { steadyStateBeforeOk: true, faultEffective: true })).toMatchObject({
      outcome: 'inconclusive',
      reason: expect.stringMatching(/no threshold was judged/),
    });
    expect(decideOutcome([], { steadyStateBeforeOk: true, faultEffective: true }).outcome).toBe(
      'inconclusive',
    );
  });
});
