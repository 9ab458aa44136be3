// Trace thresholds: the grammar (text → AST), the evaluator (spans in a phase's window →
// verdict), and the collector's reading of a Jaeger-compatible /api/traces answer onto the
// scenario clock (a loopback HTTP server answering in Jaeger's JSON model).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../../src/config/errors';
import type { PhaseName, PhaseStats } from '../../../src/results';
import { readTraces } from '../../../src/scenario/collectors';
import {
  emptyObservations,
  type ObservedSpan,
  type ScenarioObservations,
} from '../../../src/scenario/observations';
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import { thresholdNeeds, traceKey, type Threshold } from '../../../src/scenario/thresholds';
import { attributeHolds, decideOutcome, evaluateThresholds } from '../../../src/scenario/verdict';
import { scenarioClock, scenarioMs, type MonotonicMs } from '../../../src/util/clock';

const where = { file: 'redis-failure.yml', line: 27, field: 'thresholds[5]' };
const parse = (text: string): Threshold => parseThreshold(text, where);
const parseError = (text: string): string => {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`"${text}" parsed`);
};

describe('trace threshold grammar', () => {
  it('reads an attribute check with the fault phase as its default window and `all` as its quantifier', () => {
    expect(parse('trace api span feature_store.get attribute cache.hit == false')).toMatchObject({
      kind: 'trace_attribute',
      service: 'api',
      operation: 'feature_store.get',
      quantifier: 'all',
      attribute: 'cache.hit',
      op: '==',
      value: false,
      phase: 'fault',
      stage: null,
    });
  });

  it('takes a phase prefix, a quantifier and typed literals', () => {
    expect(parse('fault: trace api span feature_store.get any attribute cache.hit == false')).toMatchObject({
      quantifier: 'any',
      phase: 'fault',
      value: false,
    });
    expect(parse('baseline: trace api span feature_store.get all attribute cache.hit==true')).toMatchObject({
      quantifier: 'all',
      phase: 'baseline',
      value: true,
    });
    expect(parse('recovery: trace api span x any attribute features.defaulted >= 5')).toMatchObject({
      op: '>=',
      value: 5,
      phase: 'recovery',
    });
    expect(parse(`trace api span x attribute redis.outcome != "breaker_open"`)).toMatchObject({
      op: '!=',
      value: 'breaker_open',
    });
    expect(parse('trace api span x attribute redis.outcome == ok')).toMatchObject({ value: 'ok' });
  });

  it('reads a count and quoted span names', () => {
    expect(parse('trace api span feature_store.get count > 10')).toMatchObject({
      kind: 'trace_count',
      service: 'api',
      operation: 'feature_store.get',
      op: '>',
      value: 10,
      phase: 'fault',
    });
    expect(parse('after: trace fraud-api span "POST /v1/predict" count >= 1')).toMatchObject({
      kind: 'trace_count',
      service: 'fraud-api',
      operation: 'POST /v1/predict',
      phase: 'after',
    });
  });

  it('names the file, line and field, and what to write, on bad input', () => {
    expect(parseError('trace api feature_store.get count > 1')).toMatch(
      /^redis-failure\.yml:27: thresholds\[5\]: cannot read "trace api feature_store.get count > 1" \(forms: trace S span NAME/,
    );
    expect(parseError('trace api span x cuont > 1')).toContain(
      'unknown span check "cuont" (did you mean "count"?)',
    );
    expect(parseError('trace api span x attribute cache.hit = false')).toContain(
      '"=" is not a comparison; write ==',
    );
    expect(parseError('trace api span x attribute cache.hit > false')).toContain('> compares numbers');
    expect(parseError('trace api span x count > many')).toContain('"many" is not a whole number');
    expect(parseError('trace api span x attribute a == two words')).toContain('has spaces: quote it');
    expect(parseError('trace api span x')).toContain('says nothing about the spans');
    expect(parseError('stage 1: trace api span x count > 1')).toContain(
      'a stage prefix only applies to load metrics',
    );
  });

  it('asks the runner for the spans of each service and operation once', () => {
    const needs = thresholdNeeds([
      parse('trace api span a count > 1'),
      parse('baseline: trace api span a any attribute k == 1'),
      parse('trace api span b count > 1'),
    ]);
    expect(needs.traces).toEqual([
      { service: 'api', operation: 'a' },
      { service: 'api', operation: 'b' },
    ]);
    expect(thresholdNeeds([parse('p95 < 1s')]).traces).toEqual([]);
  });
});

describe('attribute comparison', () => {
  it('compares typed values, text across types, and never matches a missing attribute', () => {
    expect(attributeHolds(false, '==', false)).toBe(true);
    expect(attributeHolds(true, '==', false)).toBe(false);
    expect(attributeHolds('false', '==', false)).toBe(true);
    expect(attributeHolds(undefined, '==', false)).toBe(false);
    expect(attributeHolds(undefined, '!=', false)).toBe(false);
    expect(attributeHolds(5, '>=', 5)).toBe(true);
    expect(attributeHolds('7', '>', 5)).toBe(true);
    expect(attributeHolds('seven', '>', 5)).toBe(false);
    expect(attributeHolds('ok', '!=', 'breaker_open')).toBe(true);
  });
});

const phase = (name: PhaseName, startMs: number, endMs: number): PhaseStats => ({
  phase: name,
  startMs,
  endMs,
  scheduled: 100,
  timed: 100,
  completed: 100,
  targetRate: 10,
  achievedRate: 10,
  errorRate: 0,
  errors: {},
  late: 0,
  meanMs: 5,
  p50Ms: 5,
  p90Ms: 5,
  p95Ms: 5,
  p99Ms: 5,
  maxMs: 5,
});

const span = (atMs: number, attributes: ObservedSpan['attributes']): ObservedSpan => ({
  startMs: scenarioMs(atMs),
  durationMs: 1,
  attributes,
});

/** Baseline 0–10 s with cache hits, fault 10–20 s with misses, recovery 20–30 s hits again. */
function observed(
  faultSpans: ObservedSpan[],
  over: Partial<ScenarioObservations> = {},
): ScenarioObservations {
  const obs = emptyObservations();
  obs.services = { api: 'fraud-api' };
  obs.phases = {
    baseline: phase('baseline', 0, 10_000),
    fault: phase('fault', 10_000, 20_000),
    recovery: phase('recovery', 20_000, 30_000),
  };
  obs.endMs = scenarioMs(30_000);
  const hits = (from: number): ObservedSpan[] =>
    Array.from({ length: 10 }, (_, i) => span(from + i * 1000, { 'cache.hit': true }));
  obs.traces = {
    [traceKey('api', 'feature_store.get')]: {
      fromMs: scenarioMs(0),
      toMs: scenarioMs(30_000),
      spans: [...hits(0), ...faultSpans, ...hits(20_000)],
      truncated: false,
      error: null,
    },
  };
  return { ...obs, ...over };
}

const misses = (n: number): ObservedSpan[] =>
  Array.from({ length: n }, (_, i) => span(10_000 + i * 500, { 'cache.hit': false }));

const judge = (text: string, obs: ScenarioObservations) => evaluateThresholds([parse(text)], obs)[0];

describe('trace threshold evaluation', () => {
  const check = 'fault: trace api span feature_store.get any attribute cache.hit == false';

  it('passes when a span of the fault window carries cache.hit=false, reading only that window', () => {
    const result = judge(check, observed(misses(20)));
    expect(result).toMatchObject({
      passed: true,
      actual: '20 of 20 spans',
      limit: 'any cache.hit == false',
      metric: 'trace api feature_store.get',
      phase: 'fault',
      detail: 'cache.hit: false ×20',
    });
    // The baseline's hits are outside the fault window: `all` holds on the fault alone.
    expect(
      judge('trace api span feature_store.get all attribute cache.hit == false', observed(misses(20))).passed,
    ).toBe(true);
    expect(
      judge(
        'baseline: trace api span feature_store.get any attribute cache.hit == false',
        observed(misses(20)),
      ),
    ).toMatchObject({ passed: false, actual: '0 of 10 spans', detail: 'cache.hit: true ×10' });
  });

  it('fails on spans that carry no such attribute (the blind variant)', () => {
    const blind = Array.from({ length: 20 }, (_, i) =>
      span(10_000 + i * 500, { 'redis.outcome': 'breaker_open' }),
    );
    const result = judge(check, observed(blind));
    expect(result).toMatchObject({
      passed: false,
      actual: '0 of 20 spans',
      detail: 'cache.hit: (absent) ×20',
    });
    expect(decideOutcome([result], { steadyStateBeforeOk: true, faultEffective: true })).toMatchObject({
      outcome: 'fail',
    });
  });

  it('fails `all` when one span of the window does not hold', () => {
    const mixed = [...misses(19), span(19_900, { 'cache.hit': true })];
    expect(
      judge('trace api span feature_store.get all attribute cache.hit == false', observed(mixed)),
    ).toMatchObject({
      passed: false,
      actual: '19 of 20 spans',
      detail: 'cache.hit: false ×19, true ×1',
    });
  });

  it('is inconclusive, never a pass, with no span in the window', () => {
    for (const text of [
      check,
      'trace api span feature_store.get all attribute cache.hit == false',
      'trace api span feature_store.get count < 5',
    ]) {
      const result = judge(text, observed([]));
      expect(result.passed).toBeNull();
      expect(result.detail).toContain(
        'no evidence: no feature_store.get span of api started in the fault phase',
      );
    }
  });

  it('counts the spans that started in the window', () => {
    expect(judge('trace api span feature_store.get count > 10', observed(misses(20)))).toMatchObject({
      passed: true,
      actual: '20 spans',
      value: 20,
    });
    expect(judge('trace api span feature_store.get count > 30', observed(misses(20))).passed).toBe(false);
  });

  it('lets a cut answer stand only where the spans seen decide', () => {
    const cut = observed(misses(20));
    Object.values(cut.traces ?? {})[0].truncated = true;
    expect(judge(check, cut).passed).toBe(true);
    expect(judge('trace api span feature_store.get count > 10', cut).passed).toBe(true);
    expect(judge('trace api span feature_store.get count < 30', cut).passed).toBeNull();
    expect(judge('trace api span feature_store.get all attribute cache.hit == false', cut).detail).toContain(
      'cut its answer at its limit',
    );
  });

  it('is inconclusive when the store could not be read, and skipped without a tracing role', () => {
    const broken = observed([]);
    Object.values(broken.traces ?? {})[0].error = 'trace store http://x did not answer: ECONNREFUSED';
    expect(judge(check, broken)).toMatchObject({
      passed: null,
      detail: 'the trace store could not be read: trace store http://x did not answer: ECONNREFUSED',
    });
    const none = observed(misses(20), { traces: null });
    const skipped = judge(check, none);
    expect(skipped).toMatchObject({
      passed: null,
      detail: 'skipped: the stack has no tracing role (no trace store to read)',
    });
    // A skipped check is no evidence: alone it leaves the scenario inconclusive, beside a pass it is ignored.
    const ctx = { steadyStateBeforeOk: true, faultEffective: true };
    expect(decideOutcome([skipped], ctx).outcome).toBe('inconclusive');
    expect(decideOutcome([judge('p95 < 1s', none), skipped], ctx).outcome).toBe('pass');
  });
});

describe('reading spans from a Jaeger-compatible store', () => {
  let server: http.Server;
  let url: string;
  const asked: URLSearchParams[] = [];
  // t0 at epoch 1_700_000_000_000 ms; spans at scenario 1 s, 6 s and 12 s.
  const epochAtT0 = 1_700_000_000_000;
  const stored = [1000, 6000, 12_000].map((atMs, i) => ({
    traceID: `${i}`.repeat(32),
    spans: [
      {
        traceID: `${i}`.repeat(32),
        spanID: `${i}`.repeat(16),
        operationName: 'feature_store.get',
        startTime: (epochAtT0 + atMs) * 1000,
        duration: 1500,
        tags: [
          { key: 'cache.hit', type: 'bool', value: i !== 1 },
          { key: 'features.defaulted', type: 'int64', value: i === 1 ? 5 : 0 },
        ],
        processID: 'p1',
      },
      // The same trace's root span: not the operation asked for.
      {
        traceID: `${i}`.repeat(32),
        spanID: 'f'.repeat(16),
        operationName: 'POST /v1/predict',
        startTime: (epochAtT0 + atMs) * 1000,
        duration: 2000,
        tags: [],
        processID: 'p1',
      },
    ],
    processes: { p1: { serviceName: 'fraud-api', tags: [] } },
  }));

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      asked.push(q);
      const start = Number(q.get('start')) / 1000;
      const end = Number(q.get('end')) / 1000;
      const data = stored.filter((t) =>
        t.spans.some(
          (s) =>
            s.operationName === q.get('operation') &&
            s.startTime / 1000 >= start &&
            s.startTime / 1000 <= end,
        ),
      );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data, total: data.length, limit: 0, offset: 0, errors: null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks in microsecond slices for the tracer name of the role, and puts starts on the scenario clock', async () => {
    const clock = scenarioClock(0 as MonotonicMs, {
      monotonicMs: () => 0 as MonotonicMs,
      epochMs: () => epochAtT0,
    });
    const reads = await readTraces(
      url,
      [{ service: 'api', operation: 'feature_store.get' }],
      { fromMs: scenarioMs(0), toMs: scenarioMs(14_000) },
      clock,
      (name) => (name === 'api' ? 'fraud-api' : name),
    );
    const read = reads[traceKey('api', 'feature_store.get')];
    expect(read.error).toBeNull();
    expect(read.spans).toEqual([
      { startMs: 1000, durationMs: 1.5, attributes: { 'cache.hit': true, 'features.defaulted': 0 } },
      { startMs: 6000, durationMs: 1.5, attributes: { 'cache.hit': false, 'features.defaulted': 5 } },
      { startMs: 12_000, durationMs: 1.5, attributes: { 'cache.hit': true, 'features.defaulted': 0 } },
    ]);
    expect(asked.map((q) => [q.get('service'), q.get('start'), q.get('end')])).toEqual([
      ['fraud-api', String(epochAtT0 * 1000), String((epochAtT0 + 5000) * 1000)],
      ['fraud-api', String((epochAtT0 + 5000) * 1000), String((epochAtT0 + 10_000) * 1000)],
      ['fraud-api', String((epochAtT0 + 10_000) * 1000), String((epochAtT0 + 14_000) * 1000)],
    ]);
  });

  it('records why a store that does not answer was not read', async () => {
    const clock = scenarioClock(0 as MonotonicMs, {
      monotonicMs: () => 0 as MonotonicMs,
      epochMs: () => epochAtT0,
    });
    const reads = await readTraces(
      'http://127.0.0.1:1',
      [{ service: 'api', operation: 'x' }],
      { fromMs: scenarioMs(0), toMs: scenarioMs(1000) },
      clock,
      (name) => name,
    );
    expect(reads[traceKey('api', 'x')]).toMatchObject({
      spans: [],
      error: expect.stringContaining('did not answer'),
    });
  });
});
