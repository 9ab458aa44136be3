// The noise floor: its definition checked by simulation, and calibrate() on comparisons made by
// the real comparePhase from samples (A/A: the same distribution on both sides).
import { comparePhase, binsOf, type PhaseSample } from '../../../src/compare';
import {
  calibrate,
  checkLimit,
  formatMagnitude,
  noiseFloor,
  scenarioFloors,
  type FloorSource,
} from '../../../src/compare/noise-floor';
import { qnorm } from '../../../src/compare/normal';
import type { PhaseName, ScenarioResult } from '../../../src/results';
import { buildPhase, buildScenario } from '../../helpers/sample-results';

const source = (over: Partial<FloorSource> = {}): FloorSource => ({
  scenario: 'load-test',
  phase: 'fault',
  metric: 'p95',
  unit: 'relative',
  samples: 3000,
  phaseSeconds: 30,
  ...over,
});
const interval = (low: number | null, high: number | null) => ({
  change: low === null || high === null ? null : (low + high) / 2,
  low,
  high,
});

/** Seeded standard normal draws (mulberry32 + Box-Muller). */
function normalDraws(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('noiseFloor', () => {
  it('is the minimal detectable effect from the interval width (95 %, 80 % power)', () => {
    const f = noiseFloor(source(), interval(-0.04, 0.06), 0.95);
    expect(f.halfWidth).toBeCloseTo(0.05, 12);
    // 0.05 / 1.959964 · (1.959964 + 0.841621)
    expect(f.mde).toBeCloseTo(0.0714701, 6);
    expect(f.floor).toBe(f.mde);
    expect(f.floorFrom).toBe('mde');
    expect(f.aaBound).toBeNull();
  });

  it('from an A/A run, is at least the farthest end (noise wider than the interval says)', () => {
    expect(noiseFloor(source(), interval(-0.04, 0.06), 0.95, { aa: true })).toMatchObject({
      aaBound: 0.06,
      floorFrom: 'mde',
    });
    const drifting = noiseFloor(source(), interval(0.05, 0.15), 0.95, { aa: true });
    expect(drifting.floor).toBeCloseTo(0.15, 12);
    expect(drifting.floorFrom).toBe('aa-bound');
    // The unchanged pair differed beyond its interval: no phase length is recommended for that.
    expect(drifting.aaExcludesZero).toBe(true);
    expect(checkLimit(drifting, 0.1)).toMatchObject({
      status: 'below-floor',
      recommendedSeconds: null,
      note: 'limit 10% is below the floor 15%, and the A/A interval excludes 0: the two stacks differed beyond sampling noise, which a longer phase does not remove',
    });
    expect(noiseFloor(source(), interval(-0.18, -0.08), 0.95, { aa: true }).floor).toBeCloseTo(0.18, 12);
  });

  it('follows the confidence level and the power asked for', () => {
    // 0.05 / 2.575829 · (2.575829 + 1.281552)
    expect(noiseFloor(source(), interval(-0.05, 0.05), 0.99, { power: 0.9 }).mde).toBeCloseTo(0.0748766, 6);
  });

  it('has no floor without a bounded interval', () => {
    for (const f of [
      noiseFloor(source({ samples: 0 }), interval(null, null), 0.95, { aa: true }),
      noiseFloor(source({ metric: 'p99', samples: 40 }), interval(-0.3, null), 0.95),
    ]) {
      expect(f.floor).toBeNull();
      expect(f.floorFrom).toBeNull();
    }
    expect(checkLimit(noiseFloor(source({ samples: 0 }), interval(null, null), 0.95), 0.2)).toMatchObject({
      status: 'unknown',
      note: 'no p95 interval in the fault phase (no samples on a side, or too few to bound it): no floor',
    });
  });

  it('means what it says: a true change of one floor is detected, and an unchanged revision passes a limit of one floor, in about 80 % of runs', () => {
    const draw = normalDraws(11);
    const se = 0.03;
    const z = qnorm(0.975);
    const floor = noiseFloor(source(), interval(-z * se, z * se), 0.95).floor ?? NaN;
    let detected = 0;
    let passedUnchanged = 0;
    const trials = 20000;
    for (let i = 0; i < trials; i++) {
      if (floor + se * draw() - z * se > 0) detected += 1;
      if (se * draw() + z * se < floor) passedUnchanged += 1;
    }
    for (const share of [detected / trials, passedUnchanged / trials]) {
      expect(share).toBeGreaterThan(0.78);
      expect(share).toBeLessThan(0.82);
    }
  });
});

describe('checkLimit', () => {
  const floor = noiseFloor(source(), interval(-0.04, 0.06), 0.95); // 7.15 % over a 30 s phase

  it('passes a limit above the floor', () => {
    expect(checkLimit(floor, 0.2)).toEqual({
      scenario: 'load-test',
      phase: 'fault',
      metric: 'p95',
      limit: 0.2,
      floor: floor.floor,
      status: 'ok',
      recommendedSeconds: null,
      note: 'limit 20% is above the floor 7.1%',
    });
  });

  it('recommends a phase length for a limit below the floor (interval ~ 1/√n)', () => {
    // 30 s · (0.07147 / 0.05)² = 61.3 s → 70 s
    expect(checkLimit(floor, 0.05)).toMatchObject({
      status: 'below-floor',
      recommendedSeconds: 70,
      note: 'limit 5% is below the floor 7.1%: run the fault phase for about 70s (now 30s) or raise the limit',
    });
    // Four times as long halves the floor.
    expect(checkLimit(floor, (floor.floor ?? 0) / 2).recommendedSeconds).toBe(120);
  });

  it('recommends nothing for a limit that allows no change', () => {
    expect(checkLimit(floor, 0)).toMatchObject({ status: 'below-floor', recommendedSeconds: null });
  });

  it('formats error-rate floors in percentage points, shifts in ms', () => {
    expect(formatMagnitude(0.0045, 'points')).toBe('0.45 pp');
    expect(formatMagnitude(0.214, 'ms')).toBe('0.21 ms');
    expect(formatMagnitude(0.1234, 'relative')).toBe('12.3%');
  });
});

/** Log-normal latencies in integer microseconds around `medianUs`. */
function latencies(draw: () => number, n: number, medianUs: number, sigma = 0.5): number[] {
  return Array.from({ length: n }, () => Math.round(medianUs * Math.exp(sigma * draw())));
}

/** A load-test result paired with a base: each phase's samples drawn for both sides. */
function pairedScenario(
  seed: number,
  perSecond: number,
  seconds: Partial<Record<PhaseName, number>>,
  prFactor = 1,
): ScenarioResult {
  const draw = normalDraws(seed);
  const scenario = buildScenario({ name: 'load-test', rate: perSecond, phaseSeconds: seconds });
  const phases = scenario.phases.map((stats) => {
    const n = stats.scheduled;
    const side = (factor: number): PhaseSample => ({
      stats: { ...stats, errorRate: 0, timed: n },
      bins: binsOf(latencies(draw, n, 3000 * factor)),
    });
    return comparePhase(stats.phase, side(prFactor), side(1));
  });
  return {
    ...scenario,
    comparison: {
      base: { project: 'chaos-base', composeFiles: ['a.yml'], outcome: 'pass', reason: '' },
      mode: 'concurrent',
      confidence: 0.95,
      limits: { p95: 0.2, p99: 0.2, errorRate: 0.01 },
      phases,
    },
  };
}

describe('calibrate', () => {
  const secs = { warmup: 0, baseline: 10, fault: 30, recovery: 0, after: 0 };

  it('gives every compared phase and metric a floor, and checks the limits its verdicts used', () => {
    const scenario = pairedScenario(5, 100, secs);
    const calibration = calibrate({ scenarios: [scenario, buildScenario({ name: 'unpaired' })] });
    expect(calibration).toMatchObject({ method: 'aa-paired', confidence: 0.95, power: 0.8 });
    expect(calibration.floors.map((f) => `${f.scenario} ${f.phase} ${f.metric}`)).toEqual([
      'load-test baseline p95',
      'load-test baseline p99',
      'load-test baseline error_rate',
      'load-test baseline p50_shift',
      'load-test fault p95',
      'load-test fault p99',
      'load-test fault error_rate',
      'load-test fault p50_shift',
    ]);
    const fault95 = calibration.floors.find((f) => f.phase === 'fault' && f.metric === 'p95');
    expect(fault95).toMatchObject({ samples: 3000, phaseSeconds: 30, floorFrom: 'mde' });
    // 3000 log-normal requests a side: p95 known to a few per cent.
    expect(fault95?.floor).toBeGreaterThan(0.02);
    expect(fault95?.floor).toBeLessThan(0.12);
    // A p99 rests on a thirtieth of the requests a p95 does: its floor is higher.
    const fault99 = calibration.floors.find((f) => f.phase === 'fault' && f.metric === 'p99');
    expect(fault99?.floor).toBeGreaterThan(fault95?.floor ?? Infinity);
    // 3000 requests judge a 20 % limit on the fault phase's p95 and p99 …
    expect(calibration.checks.filter((c) => c.phase === 'fault').map((c) => c.status)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
    // The shift uses every request: medians of 3 ms, its floor a small part of the default 0.5 ms limit.
    const faultShift = calibration.floors.find((f) => f.phase === 'fault' && f.metric === 'p50_shift');
    expect(faultShift).toMatchObject({ unit: 'ms', samples: 3000, floorFrom: 'mde' });
    expect(faultShift?.floor).toBeGreaterThan(0);
    expect(faultShift?.floor).toBeLessThan(0.25);
    expect(calibration.checks.find((c) => c.phase === 'fault' && c.metric === 'p50_shift')?.limit).toBe(0.5);
    // … the 10 s baseline's 1000 requests do not for p99 (its tail rests on 10 of them): a longer phase is asked for.
    const baseline99 = calibration.checks.find((c) => c.phase === 'baseline' && c.metric === 'p99');
    expect(baseline99?.status).toBe('below-floor');
    expect(calibration.recommendations).toEqual([
      {
        scenario: 'load-test',
        phase: 'baseline',
        seconds: baseline99?.recommendedSeconds,
        nowSeconds: 10,
        metrics: ['p99'],
      },
    ]);
  });

  it('recommends a longer phase when the floor is above a limit, and the longer phase brings it under', () => {
    const short = pairedScenario(7, 20, { ...secs, fault: 10 });
    const tight = {
      ...short,
      comparison: { ...short.comparison!, limits: { p95: 0.08, p99: 0.2, errorRate: 0.01 } },
    };
    const calibration = calibrate({ scenarios: [tight] });
    const recommendation = calibration.recommendations.find((r) => r.phase === 'fault');
    expect(recommendation).toBeDefined();
    expect(recommendation?.nowSeconds).toBe(10);
    expect(recommendation?.metrics).toContain('p95');
    const seconds = recommendation?.seconds ?? 0;
    expect(seconds).toBeGreaterThan(10);
    // Run it again at the recommended length (same rate): the fault p95 floor drops to about the limit.
    const longer = pairedScenario(8, 20, { ...secs, fault: seconds });
    const again = scenarioFloors(longer, { aa: true }).find((f) => f.phase === 'fault' && f.metric === 'p95');
    expect(again?.floor).toBeLessThan(0.08 * 1.3);
  });

  it('is empty for a run without a paired base', () => {
    expect(calibrate({ scenarios: [buildScenario()] })).toMatchObject({
      floors: [],
      checks: [],
      recommendations: [],
    });
    expect(scenarioFloors(buildScenario())).toEqual([]);
  });

  it('checks the shift against the limit the run judged it on, and says when two unchanged stacks differed beyond its interval', () => {
    const scenario = pairedScenario(11, 100, secs);
    const fault = scenario.comparison!.phases.find((p) => p.phase === 'fault')!;
    // An A/A shift whose interval excludes 0, as two of ten idle A/A rounds measured (+0.20 [+0.12, +0.28] ms).
    fault.shift = { estimateMs: 0.2, lowMs: 0.12, highMs: 0.28, pValue: 0.001 };
    scenario.comparison!.judgedOn = {
      from: 'scenario',
      checks: [{ name: 'p50 shift', unit: 'ms', op: '<', limit: 0.25 }],
      why: "the scenario's own regression thresholds",
    };
    const calibration = calibrate({ scenarios: [scenario] });
    const floor = calibration.floors.find((f) => f.phase === 'fault' && f.metric === 'p50_shift');
    expect(floor).toMatchObject({ aaBound: 0.28, aaExcludesZero: true, floorFrom: 'aa-bound' });
    expect(calibration.checks.find((c) => c.phase === 'fault' && c.metric === 'p50_shift')).toMatchObject({
      limit: 0.25,
      floor: 0.28,
      status: 'below-floor',
      recommendedSeconds: null,
      note: 'limit 0.25 ms is below the floor 0.28 ms, and the A/A interval excludes 0: the two stacks differed beyond sampling noise, which a longer phase does not remove',
    });
  });

  it('reads phase lengths from the phases, not from the comparison', () => {
    const scenario = pairedScenario(9, 50, secs);
    scenario.phases = scenario.phases.map((p) =>
      p.phase === 'fault' ? buildPhase('fault', 10_000, 70_000) : p,
    );
    expect(scenarioFloors(scenario).find((f) => f.phase === 'fault')?.phaseSeconds).toBe(60);
  });
});
