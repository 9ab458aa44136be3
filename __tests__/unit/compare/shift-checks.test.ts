// Shift thresholds (`p50 shift < 0.5ms`, `mean shift < 5%`) judged on the paired interval, the
// default regression check a paired run picks by its noise floor, and paired-inconclusive.
// Asserted: what follows from the interval and the limit, never a detection rate.
import {
  binsOf,
  comparePhase,
  judgeChange,
  pairedVariance,
  shiftChange,
  type PhaseSample,
} from '../../../src/compare';
import {
  DEFAULT_LATENCY_CHECKS,
  checkFloor,
  chooseLatencyCheck,
  recommendedSeconds,
} from '../../../src/compare/default-check';
import type { LatencyBins, PhaseName, PhaseStats, RunResult } from '../../../src/results';
import { renderReport } from '../../../src/report/markdown';
import {
  defaultRegressionThresholds,
  judgedChecks,
  scenarioComparison,
} from '../../../src/scenario/comparison';
import {
  emptyObservations,
  type PairedBaseObservation,
  type ScenarioObservations,
  type SecondSample,
} from '../../../src/scenario/observations';
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import type { RegressionThreshold } from '../../../src/scenario/thresholds';
import { decideOutcome, evaluateThresholds } from '../../../src/scenario/verdict';

const where = { file: 's.yml', line: 3 };

/**
 * n latencies around `ms` (±30 % evenly spread, a fixed order), plus `addMs`, as µs; seconds
 * of `perSecond` requests. Deterministic: the same call gives the same sample.
 */
function side(
  n: number,
  ms: number,
  addMs = 0,
  perSecond = 100,
): { stats: PhaseStats; bins: LatencyBins; seconds: SecondSample[] } {
  const values = Array.from({ length: n }, (_, i) =>
    Math.round((ms * (0.7 + (0.6 * ((i * 7919) % n)) / n) + addMs) * 1000),
  );
  const seconds: SecondSample[] = [];
  for (let s = 0; s * perSecond < n; s++) {
    const part = values.slice(s * perSecond, (s + 1) * perSecond);
    seconds.push({ second: 10 + s, scheduled: part.length, errors: 0, bins: binsOf(part) });
  }
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.max(0, Math.ceil(p * n) - 1)] / 1000;
  const stats: PhaseStats = {
    phase: 'fault' as PhaseName,
    startMs: 10_000,
    endMs: 10_000 + (n / perSecond) * 1000,
    scheduled: n,
    timed: n,
    completed: n,
    targetRate: perSecond,
    achievedRate: perSecond,
    errorRate: 0,
    errors: {},
    late: 0,
    meanMs: ms + addMs,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
    maxMs: sorted[n - 1] / 1000,
  };
  return { stats, bins: binsOf(values), seconds };
}

function sample(s: ReturnType<typeof side>): PhaseSample {
  return { stats: s.stats, bins: s.bins, seconds: s.seconds, simultaneous: true };
}

function observed(
  pr: ReturnType<typeof side>,
  base: ReturnType<typeof side>,
  inconclusive?: 'warn' | 'fail',
): ScenarioObservations {
  const obs = emptyObservations();
  obs.phases.fault = pr.stats;
  obs.latencyBins = { fault: pr.bins };
  obs.secondBins = pr.seconds;
  const pairedBase: PairedBaseObservation = {
    project: 'p-base',
    composeFiles: ['base/docker-compose.yml'],
    phases: { fault: base.stats },
    latencyBins: { fault: base.bins },
    timeline: [],
    secondBins: base.seconds,
    mode: 'concurrent',
    problem: null,
    ...(inconclusive ? { inconclusive } : {}),
  };
  obs.pairedBase = pairedBase;
  return obs;
}

const judge = (text: string, obs: ScenarioObservations) =>
  evaluateThresholds([parseThreshold(text, where)], obs)[0];

describe('shift thresholds: parsing', () => {
  it('reads a shift in ms or relative, of the median (default) or the mean', () => {
    expect(parseThreshold('fault: p50 shift < 0.5ms', where)).toMatchObject({
      kind: 'regression',
      metric: 'p50',
      op: '<',
      value: 0.5,
      shift: 'ms',
      phase: 'fault',
    });
    expect(parseThreshold('mean shift < 5%', where)).toMatchObject({
      kind: 'regression',
      metric: 'avg',
      value: 0.05,
      shift: 'relative',
    });
    expect(parseThreshold('shift <= 1ms', where)).toMatchObject({
      metric: 'p50',
      op: '<=',
      value: 1,
      shift: 'ms',
    });
    expect(parseThreshold('median shift < 2%', where)).toMatchObject({ metric: 'p50', shift: 'relative' });
  });

  it('refuses a shift of a tail, and a bare number', () => {
    expect(() => parseThreshold('p99 shift < 1ms', where)).toThrow(/no shift of "p99"/);
    expect(() => parseThreshold('p50 shift < 0.5', where)).toThrow(/needs a unit/);
  });
});

describe('shift intervals', () => {
  it('the interval holds the estimate, in ms and relative, for the median and the mean', () => {
    const pr = sample(side(3000, 3, 1));
    const base = sample(side(3000, 3));
    for (const metric of ['p50', 'avg'] as const)
      for (const unit of ['ms', 'relative'] as const) {
        const i = shiftChange(metric, unit, pr, base);
        expect(i.change).not.toBeNull();
        expect(i.low as number).toBeLessThanOrEqual(i.change as number);
        expect(i.high as number).toBeGreaterThanOrEqual(i.change as number);
      }
  });

  it('a +1 ms slowdown on 3000 requests is beyond 0.5 ms, unchanged code within it', () => {
    const base = sample(side(3000, 3));
    const slower = shiftChange('p50', 'ms', sample(side(3000, 3, 1)), base);
    expect(slower.change as number).toBeCloseTo(1, 1);
    expect(slower.low as number).toBeGreaterThan(0.5);
    expect(judgeChange(slower, '<', 0.5)).toBe(false);
    const same = shiftChange('p50', 'ms', sample(side(3000, 3)), base);
    expect(same.high as number).toBeLessThan(0.5);
    expect(judgeChange(same, '<', 0.5)).toBe(true);
  });

  it('is judged as a threshold against the paired base, shown in ms', () => {
    const pr = side(3000, 3, 1);
    const base = side(3000, 3);
    const r = judge('fault: p50 shift < 0.5ms', observed(pr, base));
    expect(r.metric).toBe('p50 shift');
    expect(r.actual).toMatch(/^\+1\.\d\d ms \[\+\d\.\d\d ms, \+\d\.\d\d ms\]$/);
    expect(r.passed).toBe(judgeChange(shiftChange('p50', 'ms', sample(pr), sample(base)), '<', 0.5));
  });

  it('without a paired base a shift is skipped: a results file holds no per-request latencies', () => {
    const obs = observed(side(3000, 3), side(3000, 3));
    obs.pairedBase = null;
    const r = judge('fault: p50 shift < 0.5ms', obs);
    expect(r.passed).toBeNull();
    expect(r.detail).toMatch(/paired base/);
    expect(decideOutcome([r], { steadyStateBeforeOk: true, faultEffective: true }).outcome).toBe(
      'inconclusive',
    );
  });

  it('comparePhase judges the words on the checks it is given, and says which', () => {
    const c = comparePhase('fault', sample(side(3000, 3, 1)), sample(side(3000, 3)), [
      { metric: 'p50', op: '<', limit: 0.5, shift: 'ms' },
    ]);
    expect(c.shift?.estimateMs).toBeCloseTo(1, 1);
    expect(c.verdict).toBe('regressed');
    expect(c.why).toMatch(/^fault p50 shift \+1\.\d\d ms \[.*\]: the whole interval is beyond 0\.5 ms$/);
  });

  it('a phase too short to judge shows no shift, so no shift beyond its limit stands beside an inconclusive word', () => {
    // 3 s of 300 requests a second: a clear +1 ms, but fewer seconds than any interval needs.
    const c = comparePhase('after', sample(side(900, 3, 1, 300)), sample(side(900, 3, 0, 300)), [
      { metric: 'p50', op: '<', limit: 0.5, shift: 'ms' },
    ]);
    expect({ shift: c.shift, verdict: c.verdict }).toEqual({ shift: null, verdict: 'inconclusive' });
    expect(c.why).toMatch(/too few seconds/);
  });
});

describe('pairedVariance', () => {
  const series = (values: number[]): Map<number, number> => new Map(values.map((v, i) => [i, v]));
  const noise = Array.from({ length: 30 }, (_, i) => Math.sin(i * 1.7) * (i % 3 === 0 ? 5 : 1));

  it('noise both sides share cancels, never completely; unmatched seconds cancel nothing', () => {
    const a = series(noise);
    const b = series(noise.map((v) => v * 0.9));
    const paired = pairedVariance(a, b, 0, 0);
    const apart = pairedVariance(a, b, 0, 0, false);
    expect(paired.correlation).toBeGreaterThan(0);
    expect(paired.correlation).toBeLessThanOrEqual(0.9);
    expect(paired.variance).toBeLessThan(apart.variance);
    expect(paired.variance).toBeGreaterThan(0);
    expect(apart.correlation).toBe(0);
    expect(apart.variance).toBeCloseTo(apart.variances[0] + apart.variances[1], 10);
  });

  it('clustering never narrows a side below its independent variance', () => {
    const p = pairedVariance(series([0.001, -0.001, 0.001, -0.001]), series([0, 0, 0, 0]), 5, 7);
    expect(p.variances).toEqual([5, 7]);
  });
});

describe('the default regression check', () => {
  it('when none can decide, the first candidate (the shift by default)', () => {
    const pr = sample(side(3000, 3));
    const base = sample(side(3000, 3));
    const choice = chooseLatencyCheck(pr, base, [
      { metric: 'p50', op: '<', limit: 0.001, shift: 'ms' },
      { metric: 'p95', op: '<', limit: 0.0001 },
    ]);
    expect(choice.decides).toBe(false);
    expect(choice.check.shift).toBe('ms');
    expect(DEFAULT_LATENCY_CHECKS[0]).toMatchObject({ metric: 'p50', shift: 'ms', limit: 0.5 });
  });

  it('is the candidate whose floor is lowest against its limit; it decides when below the limit', () => {
    const pr = sample(side(3000, 3));
    const base = sample(side(3000, 3));
    const choice = chooseLatencyCheck(pr, base);
    const ratio = (c: (typeof choice.candidates)[number]): number =>
      c.floor === null ? Infinity : c.floor / c.check.limit;
    const best = Math.min(...choice.candidates.map(ratio));
    expect(ratio(choice.candidates.find((c) => c.check === choice.check)!)).toBe(best);
    expect(choice.decides).toBe(best < 1);
    expect(choice.candidates.map((c) => c.check)).toEqual(DEFAULT_LATENCY_CHECKS);
    expect(choice.why).toMatch(/p95: floor/);
    expect(choice.why).toMatch(/p50 shift: floor/);
  });

  it('takes the candidate that can decide, and says when none can', () => {
    const pr = sample(side(3000, 3));
    const base = sample(side(3000, 3));
    // Here the p95's floor is about 0.2 %, the shift's about 0.04 ms.
    const shiftDecides = chooseLatencyCheck(pr, base, [
      { metric: 'p95', op: '<', limit: 0.001 },
      { metric: 'p50', op: '<', limit: 0.5, shift: 'ms' },
    ]);
    expect(shiftDecides.check.shift).toBe('ms');
    expect(shiftDecides.decides).toBe(true);
    expect(shiftDecides.why).toMatch(
      /^the check that can decide at this length: p50 shift: floor [\d.]+ ms, below its limit 0\.5 ms \(p95: floor [\d.]+ %, above its limit \+0\.1 %\)$/,
    );
    const none = chooseLatencyCheck(pr, base, [
      { metric: 'p95', op: '<', limit: 0.001 },
      { metric: 'p50', op: '<', limit: 0.001, shift: 'ms' },
    ]);
    expect(none.decides).toBe(false);
    expect(none.why).toMatch(/^no check can decide at this length; the first candidate: p95: /);
  });

  it('the floor is the MDE of the interval, null when an end is unbounded', () => {
    expect(checkFloor({ change: 0, low: -1, high: 1 })).toBeCloseTo(1.43, 2);
    expect(checkFloor({ change: 0, low: null, high: 1 })).toBeNull();
  });

  it('recommends the length at which the floor reaches the limit (1/√n), rounded up to 10 s', () => {
    expect(recommendedSeconds(0.8, 0.5, 30)).toBe(80);
    expect(recommendedSeconds(0.25, 0.5, 30)).toBe(10);
    expect(recommendedSeconds(1, 0, 30)).toBeNull();
  });

  it("a scenario's own regression thresholds win; else the default, named in the comparison", () => {
    const obs = observed(side(3000, 3), side(3000, 3));
    const own = [parseThreshold('fault: p95 regression < 30%', where)];
    expect(judgedChecks(own, obs)).toMatchObject({
      from: 'scenario',
      checks: [{ metric: 'p95', limit: 0.3 }],
    });
    const c = scenarioComparison([], obs);
    expect(c?.judgedOn?.from).toBe('default');
    expect(c?.judgedOn?.checks.map((k) => k.name)).toContain('error rate');
    expect(c?.judgedOn?.why).toMatch(/^default checks, latency on (p95|p50 shift): /);
  });

  it('a paired run without regression thresholds gets the default ones; none without a base', () => {
    const obs = observed(side(3000, 3), side(3000, 3));
    const scenario = { file: 's.yml', thresholds: [parseThreshold('p95 < 500ms', where)] };
    const added = defaultRegressionThresholds(scenario, obs);
    expect(added.map((t) => t.source)).toEqual([
      expect.stringMatching(/^fault: (p95 regression < 20%|p50 shift < 0\.5ms)$/),
      'fault: error_rate regression < 1%',
    ]);
    expect(added.every((t) => t.byDefault !== undefined)).toBe(true);
    obs.pairedBase = null;
    expect(defaultRegressionThresholds(scenario, obs)).toEqual([]);
    const withOwn = { file: 's.yml', thresholds: [parseThreshold('p95 regression < 20%', where)] };
    expect(defaultRegressionThresholds(withOwn, observed(side(3000, 3), side(3000, 3)))).toEqual([]);
  });
});

describe('paired-inconclusive', () => {
  // 300 requests a side in seconds of 30: the +0.02 ms shift's interval is about ±0.08 ms, its
  // floor (about 0.12 ms) above a 0.05 ms limit: only a longer phase could decide.
  const tight: RegressionThreshold = parseThreshold(
    'fault: p50 shift < 0.05ms',
    where,
  ) as RegressionThreshold;
  const context = { steadyStateBeforeOk: true, faultEffective: true };

  it('warn (the default): inconclusive only for its floor is a warning with the recommended length', () => {
    const obs = observed(side(300, 3, 0.02, 30), side(300, 3, 0, 30));
    const [r] = evaluateThresholds([tight], obs);
    expect(r.passed).toBeNull();
    expect(r.severity).toBe('warning');
    expect(r.detail).toMatch(
      /floor .* is above the limit 0\.05 ms: run the fault phase for about \d+s \(now 10s\)/,
    );
    const absolute = evaluateThresholds([parseThreshold('p95 < 500ms', where)], obs);
    expect(decideOutcome([r, ...absolute], context).outcome).toBe('pass');
  });

  it('fail: the same check blocks as inconclusive', () => {
    const obs = observed(side(300, 3, 0.02, 30), side(300, 3, 0, 30), 'fail');
    const [r] = evaluateThresholds([tight], obs);
    expect(r.passed).toBeNull();
    expect(r.severity).toBeUndefined();
    expect(decideOutcome([r], context).outcome).toBe('inconclusive');
  });

  it('a violated absolute threshold still fails beside a warned regression check', () => {
    const obs = observed(side(300, 3, 0.02, 30), side(300, 3, 0, 30));
    const results = evaluateThresholds([tight, parseThreshold('requests > 1000', where)], obs);
    expect(results[1].passed).toBe(false);
    expect(decideOutcome(results, context).outcome).toBe('fail');
  });
});

describe('absolute thresholds in a paired run', () => {
  const context = { steadyStateBeforeOk: true, faultEffective: true };

  it('say they were measured under double load, with the base side beside them', () => {
    const obs = observed(side(3000, 3), side(3000, 2));
    const [r] = evaluateThresholds([parseThreshold('fault: p95 < 500ms', where)], obs);
    expect(r.passed).toBe(true);
    expect(r.detail).toMatch(/^measured under double load: .* the base side's fault p95 was [\d.]+ ?ms$/);
  });

  it('violated on the PR side only: a failure', () => {
    const [r] = evaluateThresholds(
      [parseThreshold('fault: p95 < 3.5ms', where)],
      observed(side(3000, 3), side(3000, 2)),
    );
    expect(r.passed).toBe(false);
    expect(r.severity).toBeUndefined();
    expect(decideOutcome([r], context).outcome).toBe('fail');
  });

  it('violated on both sides: the double load broke it, a warning', () => {
    const [r] = evaluateThresholds(
      [parseThreshold('fault: p95 < 2ms', where)],
      observed(side(3000, 3), side(3000, 2.5)),
    );
    expect(r.passed).toBe(false);
    expect(r.severity).toBe('warning');
    expect(r.detail).toMatch(/beyond the limit too: the double load, not the PR, breaks it here/);
    const requests = evaluateThresholds(
      [parseThreshold('requests > 100', where)],
      observed(side(3000, 3), side(3000, 2.5)),
    );
    expect(decideOutcome([r, ...requests], context).outcome).toBe('pass');
  });

  it('unpaired, or paired one after the other, nothing changes', () => {
    const obs = observed(side(3000, 3), side(3000, 2.5));
    obs.pairedBase = null;
    const [alone] = evaluateThresholds([parseThreshold('fault: p95 < 2ms', where)], obs);
    expect(alone).toMatchObject({ passed: false });
    expect(alone.severity).toBeUndefined();
    expect(alone.detail).toBeUndefined();
    const sequential = observed(side(3000, 3), side(3000, 2.5));
    (sequential.pairedBase as PairedBaseObservation).mode = 'sequential';
    const [r] = evaluateThresholds([parseThreshold('fault: p95 < 2ms', where)], sequential);
    expect(r.severity).toBeUndefined();
  });
});

describe('the report of a paired run', () => {
  it('says which checks judged the words and why, and shows the shift', () => {
    const c = scenarioComparison([], observed(side(3000, 3, 1), side(3000, 3)))!;
    const run = {
      schemaVersion: 1,
      tool: { name: 'chaos-action', version: '0' },
      startedAt: '',
      finishedAt: '',
      durationMs: 1,
      suite: 'custom',
      composeFiles: [],
      project: 'p',
      commit: null,
      runUrl: null,
      outcome: 'pass',
      violations: 0,
      skipped: 0,
      scenarios: [
        {
          name: 'load-test',
          title: 'Load test',
          hypothesis: 'h',
          file: 'load-test.yml',
          outcome: 'pass',
          reason: '',
          startedAt: new Date(0).toISOString(),
          durationMs: 40_000,
          phases: [],
          timeline: [],
          faultWindow: null,
          thresholds: [],
          fault: null,
          recoveryTimeMs: null,
          logMatches: [],
          generatorLimited: false,
          notes: [],
          comparison: c,
        },
      ],
    } as unknown as RunResult;
    const md = renderReport(run);
    // Markdown-escaped as the report writes it: &lt; for <, a backslash before +.
    expect(md).toMatch(
      /Judged on (p95 &lt; \\\+20 %|p50 shift &lt; 0\.5 ms), error rate &lt; \\\+1 pp: default checks, latency on /,
    );
    expect(md).toMatch(/Shift \(Hodges–Lehmann, PR − base\): fault \\\+1\.\d\d ms \\\[/);
  });
});
