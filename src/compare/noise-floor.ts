// The noise floor: the smallest change a paired comparison can tell from nothing, at the
// rate and duration it ran with. Pure: a paired run's comparison in, floors and duration
// recommendations out. `chaos-action calibrate` runs a revision paired with itself (A/A) and
// writes calibrate(...)'s result; any paired run's report can show scenarioFloors(...) next to
// each comparison (without the A/A term, which needs an unchanged pair).
//
// What "floor" means here (one definition, used everywhere):
//   A comparison's interval for a change (relative for p95 and p99, percentage points for the
//   error rate) has a half-width h at confidence level C. Read as a normal interval, its
//   standard error is SE = h / z, z = qnorm(1 − (1 − C)/2). The minimal detectable effect at
//   that level with power P is MDE = (z + qnorm(P)) · SE: a true change of MDE puts the whole
//   interval above 0 in a fraction P of runs. The same number is the smallest regression
//   limit an unchanged revision passes in a fraction P of runs (a pass needs the whole
//   interval below the limit), so a limit under it leaves unchanged code inconclusive.
//   From an A/A run the floor is also at least the A/A interval's farthest end from 0: what
//   that unchanged pair itself needed to pass. Where that end is the larger, the noise between
//   the two stacks is wider than the interval says, and the floor says so (floorFrom).
// Intervals shrink about as 1/√n with n requests per side, so at the same rate a phase k
// times longer has a floor √k times lower: phase · (floor / limit)² brings the floor to the limit.
import type { ChangeInterval, PhaseComparison, RunResult, ScenarioResult } from '../results';
import { qnorm } from './normal';

/**
 * The regression metrics a paired comparison gives an interval for: the p95 and p99 ratios, the
 * error rate, and the Hodges–Lehmann shift (`p50 shift`, what a paired run's default check
 * judges latency on when the ratios cannot decide).
 */
export type FloorMetric = 'p95' | 'p99' | 'error_rate' | 'p50_shift';

/** Latency quantiles change relative to the base; error rates in percentage points; the shift in ms. */
export type ChangeUnit = 'relative' | 'points' | 'ms';

export const FLOOR_METRICS: readonly { metric: FloorMetric; unit: ChangeUnit }[] = [
  { metric: 'p95', unit: 'relative' },
  { metric: 'p99', unit: 'relative' },
  { metric: 'error_rate', unit: 'points' },
  { metric: 'p50_shift', unit: 'ms' },
];

/** The p50 shift's limit when the run judged none of its own (default-check.ts' candidate). */
export const DEFAULT_SHIFT_LIMIT_MS = 0.5;

/** The power used unless told otherwise (the usual 80 %). */
export const DEFAULT_POWER = 0.8;

/** Where an interval comes from and how much data it rests on. */
export interface FloorSource {
  scenario: string;
  phase: string;
  metric: FloorMetric;
  unit: ChangeUnit;
  /** Requests in the phase on the smaller side (timed ones for latencies, scheduled for errors). */
  samples: number;
  /** The phase's length (seconds). */
  phaseSeconds: number;
}

export interface NoiseFloor extends FloorSource {
  /** The comparison's change and interval, as measured. */
  change: number | null;
  low: number | null;
  high: number | null;
  /** Half the interval's width; null: no bounded interval (no samples, or too few to bound an end). */
  halfWidth: number | null;
  /** Minimal detectable effect at `confidence` and `power`. */
  mde: number | null;
  /** The A/A interval's farthest end from 0 (calibration only; null otherwise). */
  aaBound: number | null;
  /**
   * A/A only: the interval lies wholly on one side of 0, so the two unchanged stacks differed by
   * more than the interval allows: that difference is not sampling noise, and a longer phase
   * does not remove it.
   */
  aaExcludesZero: boolean;
  /** max(mde, aaBound): the smallest limit this metric can be judged against; null: unknown. */
  floor: number | null;
  floorFrom: 'mde' | 'aa-bound' | null;
  confidence: number;
  power: number;
}

/**
 * The minimal detectable effect of an interval of half-width h at `confidence`, with `power`:
 * (z + qnorm(power)) · h / z, about 1.43 h at 95 % and 80 %.
 */
export function minimalDetectableEffect(
  halfWidth: number,
  confidence: number,
  power = DEFAULT_POWER,
): number {
  const z = qnorm(1 - (1 - confidence) / 2);
  return (halfWidth / z) * (z + qnorm(power));
}

/** The floor of one interval: from its width, and (A/A) from its farthest end. */
export function noiseFloor(
  source: FloorSource,
  interval: ChangeInterval,
  confidence: number,
  options: { power?: number; aa?: boolean } = {},
): NoiseFloor {
  const power = options.power ?? DEFAULT_POWER;
  const { change, low, high } = interval;
  const base = { ...source, change, low, high, confidence, power };
  if (low === null || high === null || source.samples === 0) {
    return {
      ...base,
      halfWidth: null,
      mde: null,
      aaBound: null,
      aaExcludesZero: false,
      floor: null,
      floorFrom: null,
    };
  }
  const halfWidth = (high - low) / 2;
  const mde = minimalDetectableEffect(halfWidth, confidence, power);
  const aaBound = options.aa ? Math.max(Math.abs(low), Math.abs(high)) : null;
  const fromBound = aaBound !== null && aaBound > mde;
  return {
    ...base,
    halfWidth,
    mde,
    aaBound,
    aaExcludesZero: Boolean(options.aa) && (low > 0 || high < 0),
    floor: fromBound ? aaBound : mde,
    floorFrom: fromBound ? 'aa-bound' : 'mde',
  };
}

function intervalOf(phase: PhaseComparison, metric: FloorMetric): ChangeInterval {
  if (metric === 'p50_shift')
    return phase.shift
      ? { change: phase.shift.estimateMs, low: phase.shift.lowMs, high: phase.shift.highMs }
      : { change: null, low: null, high: null };
  return metric === 'p95' ? phase.p95 : metric === 'p99' ? phase.p99 : phase.errorRate;
}

/** The p50 shift limit (ms) a comparison judged on, else the default one. */
function shiftLimitOf(comparison: NonNullable<ScenarioResult['comparison']>): number {
  const judged = comparison.judgedOn?.checks.find((c) => c.name === 'p50 shift' && c.unit === 'ms');
  return judged?.limit ?? DEFAULT_SHIFT_LIMIT_MS;
}

/** Every metric's floor in every compared phase of one scenario; [] without a paired base. */
export function scenarioFloors(
  result: ScenarioResult,
  options: { power?: number; aa?: boolean } = {},
): NoiseFloor[] {
  const comparison = result.comparison;
  if (!comparison) return [];
  return comparison.phases.flatMap((phase) => {
    const stats = result.phases.find((p) => p.phase === phase.phase);
    const phaseSeconds = stats ? Math.max(0, (stats.endMs - stats.startMs) / 1000) : 0;
    return FLOOR_METRICS.map(({ metric, unit }) =>
      noiseFloor(
        {
          scenario: result.name,
          phase: phase.phase,
          metric,
          unit,
          samples:
            metric === 'error_rate'
              ? Math.min(phase.pr.scheduled, phase.base.scheduled)
              : Math.min(phase.pr.timed, phase.base.timed),
          phaseSeconds,
        },
        intervalOf(phase, metric),
        comparison.confidence,
        options,
      ),
    );
  });
}

/** A regression limit set against the floor of its metric and phase. */
export interface FloorCheck {
  scenario: string;
  phase: string;
  metric: FloorMetric;
  /** The limit, in the metric's unit of change (0.2 for `< 20%`, 0.01 for one point). */
  limit: number;
  floor: number | null;
  /** below-floor: an unchanged revision is judged inconclusive in more than 1 − power of runs. */
  status: 'ok' | 'below-floor' | 'unknown';
  /** The phase length (seconds, rounded up to 10 s) at which the floor should reach the limit; null unless below. */
  recommendedSeconds: number | null;
  /** Why, in one line. */
  note: string;
}

/** A limit against the floor; below it, the phase length that brings the floor to the limit at the same rate. */
export function checkLimit(floor: NoiseFloor, limit: number): FloorCheck {
  const where = { scenario: floor.scenario, phase: floor.phase, metric: floor.metric, limit };
  const show = (v: number): string => formatMagnitude(v, floor.unit);
  if (floor.floor === null)
    return {
      ...where,
      floor: null,
      status: 'unknown',
      recommendedSeconds: null,
      note: `no ${floor.metric} interval in the ${floor.phase} phase (no samples on a side, or too few to bound it): no floor`,
    };
  if (limit > floor.floor)
    return {
      ...where,
      floor: floor.floor,
      status: 'ok',
      recommendedSeconds: null,
      note: `limit ${show(limit)} is above the floor ${show(floor.floor)}`,
    };
  if (floor.aaExcludesZero)
    return {
      ...where,
      floor: floor.floor,
      status: 'below-floor',
      recommendedSeconds: null,
      note:
        `limit ${show(limit)} is below the floor ${show(floor.floor)}, and the A/A interval excludes 0: ` +
        `the two stacks differed beyond sampling noise, which a longer phase does not remove`,
    };
  if (limit <= 0 || floor.phaseSeconds === 0)
    return {
      ...where,
      floor: floor.floor,
      status: 'below-floor',
      recommendedSeconds: null,
      note: `limit ${show(limit)} is below the floor ${show(floor.floor)}, and no phase length brings the floor under it`,
    };
  const seconds = Math.ceil((floor.phaseSeconds * (floor.floor / limit) ** 2) / 10) * 10;
  return {
    ...where,
    floor: floor.floor,
    status: 'below-floor',
    recommendedSeconds: seconds,
    note:
      `limit ${show(limit)} is below the floor ${show(floor.floor)}: run the ${floor.phase} phase ` +
      `for about ${seconds}s (now ${round(floor.phaseSeconds, 1)}s) or raise the limit`,
  };
}

/** What `chaos-action calibrate` writes (calibration.json, and `calibration` in its results.json). */
export interface Calibration {
  /** aa-paired: the revision ran paired with itself, two stacks at the same time. */
  method: 'aa-paired';
  /** How `floor` is defined, in one line, for a reader of the file. */
  definition: string;
  confidence: number;
  power: number;
  floors: NoiseFloor[];
  /** Each compared phase and metric against the regression limit its verdict word was judged on. */
  checks: FloorCheck[];
  /** Per scenario and phase, the longest phase length any of its metrics needs; only where a limit is below the floor. */
  recommendations: {
    scenario: string;
    phase: string;
    seconds: number;
    nowSeconds: number;
    metrics: FloorMetric[];
  }[];
}

export const FLOOR_DEFINITION =
  'floor = max(minimal detectable effect at the interval confidence and the stated power, from the A/A interval width; ' +
  'the A/A interval end farthest from 0); relative for p95/p99, percentage points for error_rate, ms for p50_shift';

/** An A/A run's scenarios → their floors, each limit checked, and the phase lengths to ask for. */
export function calibrate(run: Pick<RunResult, 'scenarios'>, power = DEFAULT_POWER): Calibration {
  const floors: NoiseFloor[] = [];
  const checks: FloorCheck[] = [];
  let confidence: number | null = null;
  for (const scenario of run.scenarios) {
    const comparison = scenario.comparison;
    if (!comparison) continue;
    confidence = comparison.confidence;
    const limits: Record<FloorMetric, number> = {
      p95: comparison.limits.p95,
      p99: comparison.limits.p99,
      error_rate: comparison.limits.errorRate,
      p50_shift: shiftLimitOf(comparison),
    };
    for (const floor of scenarioFloors(scenario, { power, aa: true })) {
      floors.push(floor);
      checks.push(checkLimit(floor, limits[floor.metric]));
    }
  }
  const recommendations: Calibration['recommendations'] = [];
  for (const check of checks) {
    if (check.recommendedSeconds === null) continue;
    const nowSeconds = floors.find(
      (f) => f.scenario === check.scenario && f.phase === check.phase && f.metric === check.metric,
    )?.phaseSeconds;
    const existing = recommendations.find((r) => r.scenario === check.scenario && r.phase === check.phase);
    if (!existing)
      recommendations.push({
        scenario: check.scenario,
        phase: check.phase,
        seconds: check.recommendedSeconds,
        nowSeconds: nowSeconds ?? 0,
        metrics: [check.metric],
      });
    else {
      existing.seconds = Math.max(existing.seconds, check.recommendedSeconds);
      existing.metrics.push(check.metric);
    }
  }
  return {
    method: 'aa-paired',
    definition: FLOOR_DEFINITION,
    confidence: confidence ?? 0.95,
    power,
    floors,
    checks,
    recommendations,
  };
}

/** `12.3%` for relative changes, `0.45 pp` for error-rate points, `0.21 ms` for shifts. */
export function formatMagnitude(value: number, unit: ChangeUnit): string {
  if (unit === 'ms') return `${round(value, 2)} ms`;
  return unit === 'points' ? `${round(value * 100, 2)} pp` : `${round(value * 100, 1)}%`;
}

function round(v: number, digits: number): string {
  return String(Number(v.toFixed(digits)));
}
