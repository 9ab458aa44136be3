import { parseGuardCondition, parseThreshold } from '../../../src/scenario/threshold-parser';
import { thresholdNeeds, type Threshold } from '../../../src/scenario/thresholds';

const where = { file: 'scenarios/x.yml', line: 12, field: 'thresholds[1]' };
const parse = (text: string) => parseThreshold(text, where);
const strip = (t: Threshold) => {
  const { source: _s, file: _f, line: _l, ...rest } = t;
  return rest;
};

describe('parseThreshold: k6 syntax', () => {
  it.each([
    ['p(95)<500', { kind: 'metric', metric: 'p95', unit: 'ms', op: '<', value: 500 }],
    ['p(99)<=1000', { kind: 'metric', metric: 'p99', op: '<=', value: 1000 }],
    ['rate<0.01', { kind: 'metric', metric: 'error_rate', unit: 'ratio', op: '<', value: 0.01 }],
    ['avg<200', { kind: 'metric', metric: 'avg', value: 200 }],
    ['max<2000', { kind: 'metric', metric: 'max', value: 2000 }],
    ['med<100', { kind: 'metric', metric: 'p50', value: 100 }],
    ['http_req_duration: p(95)<500', { kind: 'metric', metric: 'p95', value: 500 }],
    ['http_req_failed: rate<0.01', { kind: 'metric', metric: 'error_rate', value: 0.01 }],
    ['http_reqs: count>100', { kind: 'metric', metric: 'requests', value: 100 }],
  ])('%s', (text, expected) => {
    expect(parse(text)).toMatchObject({ ...expected, phase: 'fault', stage: null, sustainedMs: null });
  });
});

describe('parseThreshold: readable forms', () => {
  it.each<[string, object]>([
    ['fault: p95 < 500ms', { kind: 'metric', metric: 'p95', value: 500, phase: 'fault' }],
    ['baseline: p99 < 1s', { kind: 'metric', metric: 'p99', value: 1000, phase: 'baseline' }],
    ['error_rate < 1%', { kind: 'metric', metric: 'error_rate', value: 0.01, phase: 'fault' }],
    ['after: error_rate == 0', { kind: 'metric', op: '==', value: 0, phase: 'after' }],
    ['recovery_time < 10s', { kind: 'recovery_time', op: '<', valueMs: 10_000, phase: 'recovery' }],
    ['rate_achieved > 95%', { kind: 'metric', metric: 'rate_achieved', value: 0.95 }],
    ['requests > 100', { kind: 'metric', metric: 'requests', unit: 'count', value: 100 }],
    ['rps >= 45/s', { kind: 'metric', metric: 'rps', value: 45 }],
    ['fault: p95 < 500ms for at least 5s', { kind: 'metric', sustainedMs: 5000 }],
    ['fault: error_rate < 5% breached for 3s', { kind: 'metric', sustainedMs: 3000 }],
    ['p95 regression < 20%', { kind: 'regression', metric: 'p95', value: 0.2, phase: 'fault' }],
    ['stage peak: p95 < 500ms', { kind: 'metric', stage: 'peak', phase: null }],
    [
      'alert HighCacheMissRate fires within 5m',
      { kind: 'alert_fires', alert: 'HighCacheMissRate', withinMs: 300_000 },
    ],
    ['alert X fires', { kind: 'alert_fires', withinMs: null, phase: null }],
    ['alert X does not fire', { kind: 'alert_not_fires', alert: 'X' }],
    ['alert HighLatency severity == warning', { kind: 'alert_severity', op: '==', severity: 'warning' }],
    ['alert HighLatency is warning', { kind: 'alert_severity', op: '==', severity: 'warning' }],
    ['alert HighLatency severity != critical', { kind: 'alert_severity', op: '!=', severity: 'critical' }],
    [
      'alert HighMemoryUsage fires before container api oom_killed',
      { kind: 'alert_before_oom', service: 'api' },
    ],
    ['no critical alerts', { kind: 'no_alerts', severity: 'critical' }],
    ['no alerts', { kind: 'no_alerts', severity: null }],
    [
      'log api contains "Cache miss"',
      { kind: 'log_contains', service: 'api', text: 'Cache miss', negate: false },
    ],
    ["log api not contains 'ERROR'", { kind: 'log_contains', text: 'ERROR', negate: true }],
    [
      'log api matches /^\\S+ WARN /i',
      { kind: 'log_matches', pattern: '^\\S+ WARN ', flags: 'i', negate: false },
    ],
    ['log api not matches /^\\S+\\s+ERROR\\b/', { kind: 'log_matches', negate: true }],
    [
      'log api count("retry") <= 20',
      { kind: 'log_count', text: 'retry', pattern: null, op: '<=', value: 20 },
    ],
    ['log api count(/retry \\d+/) <= 20', { kind: 'log_count', text: null, pattern: 'retry \\d+' }],
    ['log api backoff /in (\\d+)ms/', { kind: 'log_backoff', pattern: 'in (\\d+)ms' }],
    ['fault: log api contains "x"', { kind: 'log_contains', phase: 'fault' }],
    ['container api restarts >= 1', { kind: 'container_restarts', op: '>=', value: 1 }],
    ['container api restarts == 0', { kind: 'container_restarts', op: '==', value: 0 }],
    ['container api oom_killed', { kind: 'container_oom', negate: false }],
    ['container api not oom_killed', { kind: 'container_oom', negate: true }],
    ['container api healthy within 60s', { kind: 'container_healthy', withinMs: 60_000 }],
    [
      "promql 'sum(up)' < 3",
      { kind: 'promql', query: 'sum(up)', agg: 'last', op: '<', value: 3, phase: 'fault' },
    ],
    ["max promql 'max(redis_circuit_breaker_open)' >= 1", { kind: 'promql', agg: 'max', value: 1 }],
    [
      'after: promql "job:x:rate5m{a=\'b\'}" == 0',
      { kind: 'promql', query: "job:x:rate5m{a='b'}", phase: 'after' },
    ],
    [
      'recovery: connections_per_second cache < 20',
      { kind: 'connections', service: 'cache', phase: 'recovery' },
    ],
  ])('%s', (text, expected) => {
    const t = parse(text);
    expect(t).toMatchObject(expected);
    expect(t.source).toBe(text);
    expect(t.file).toBe('scenarios/x.yml');
    expect(t.line).toBe(12);
  });
});

describe('parseThreshold: errors name the file, line and field', () => {
  it.each([
    ['p96 < 500ms', 'unknown metric "p96" (did you mean "p95"?)'],
    ['fault: erorr_rate < 1%', 'unknown metric "erorr_rate" (did you mean "error_rate"?)'],
    ['faults: p95 < 500ms', 'unknown phase "faults" (did you mean "fault"?)'],
    ['p95 500ms', 'no comparison operator in "p95 500ms" (write it like p95 < 500ms)'],
    ['error_rate < 150%', 'error_rate: "150%" is over 100%'],
    ['p95 < fast', 'p95: "fast" is not a duration (write it like 500ms, 10s or 2m)'],
    ['recovery_time < 10', 'recovery_time: "10" needs a unit (write it like 10s or 10ms)'],
    ['requests > 1.5', '"1.5" is not a whole number ≥ 0'],
    ['error_rate = 0', '"=" is not a comparison; write == (e.g. error_rate == 0)'],
    ['p99 < 1s for 10s', '"for" works on p95, error_rate, rps (the per-second timeline has no p99)'],
    ['fault: alert X fires', 'a phase prefix does not apply to alert checks'],
    ['baseline: container api oom_killed', 'a phase prefix does not apply to container checks'],
    ['stage peak: log api contains "x"', 'a stage prefix only applies to load metrics'],
    ['log api contains Cache miss', 'expected a quoted text, got Cache miss'],
    ['log api matchs /x/', 'unknown log check "matchs" (did you mean "matches"?)'],
    ['log api matches /(/', 'invalid regex /(/'],
    ['log api matches /x/g', 'regex flags "g" are not supported'],
    ['log api backoff /in \\d+ms/', 'backoff needs a capture group'],
    ['container api restart >= 1', 'unknown container check "restart" (did you mean "restarts"?)'],
    ['alert X fired', 'cannot read alert threshold "alert X fired"'],
    ['p(99.9) < 1s', 'percentile p(99.9) is not measured'],
    ['', 'empty threshold'],
  ])('%s', (text, message) => {
    expect(() => parse(text)).toThrow(`scenarios/x.yml:12: thresholds[1]: ${message}`);
  });
});

describe('guards and needs', () => {
  it('parses abort conditions (1s by default)', () => {
    expect(parseGuardCondition('fault: error_rate > 50% for 10s', where)).toMatchObject({
      phase: 'fault',
      metric: 'error_rate',
      op: '>',
      value: 0.5,
      forMs: 10_000,
    });
    expect(parseGuardCondition('p95 > 2s', where)).toMatchObject({ phase: null, metric: 'p95', forMs: 1000 });
    expect(() => parseGuardCondition('requests < 5', where)).toThrow(
      'abort conditions watch p95, error_rate, rps',
    );
  });

  it('lists what the runner must collect', () => {
    const ts = [
      'log api contains "x"',
      'container api restarts == 0',
      "max promql 'up' >= 1",
      'connections_per_second cache < 20',
      'alert X fires',
      'p95 regression < 10%',
    ].map(parse);
    expect(thresholdNeeds(ts)).toEqual({
      alerts: true,
      logServices: ['api'],
      containerServices: ['api'],
      promqlQueries: ['up'],
      connectionServices: ['cache'],
      traces: [],
      baseline: true,
    });
    expect(strip(parse('p95 < 1s'))).toEqual({
      kind: 'metric',
      metric: 'p95',
      unit: 'ms',
      op: '<',
      value: 1000,
      sustainedMs: null,
      request: null,
      phase: 'fault',
      stage: null,
    });
  });
});
