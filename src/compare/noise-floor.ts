// The noise floor: the smallest change a paired comparison can tell from nothing, at the
// rate and duration it ran with. Pure: intervals in, floors and duration recommendations out.
//
// What "floor" means here (one definition, used everywhere):
//   A comparison's interval for a change (relative for latencies, percentage points for error
//   rates) has a half-width h at confidence level L. Read as a normal interval, its standard
//   error is SE = h / z(1 - (1-L)/2). The minimal detectable effect at that level with power P
//   is MDE = (z(1 - (1-L)/2) + z(P)) · SE: a true change of MDE puts the whole interval beyond 0
//   in a fraction P of runs. The same number is the smallest regression limit an unchanged
//   revision passes in a fraction P of runs (a pass needs the whole interval within the limit).
//   From an A/A run (calibrate) the floor is also at least the A/A interval's farthest bound:
//   what that unchanged run itself would have needed to pass. Where that bound is the larger,
//   the run-to-run noise is wider than the interval says, and the floor says so.
// Intervals shrink about as 1/√n with n requests per side, so at a fixed rate a phase k times
// longer has a floor √k times lower: that is how a duration is recommended.

/** A regression metric's unit of change: latencies relative to the base, error rates in points. */
export type ChangeUnit = 'relative' | 'points';

/** One comparison's interval, as any paired comparison gives it (an A/A one for calibration). */
export interface ChangeInterval {
  scenario: string;
  phase: string;
  /** p95, p99, error_rate, ... (the regression threshold's metric). */
  metric: string;
  unit: ChangeUnit;
  /** The point estimate of the change; null: no samples on a side. */
  estimate: number | null;
  /** The interval's ends; null: none (no samples, or too few for the data to bound that end). */
  low: number | null;
  high: number | null;
  /** The interval's confidence level (0.95). */
  level: number;
  /** Requests in the phase, the smaller of the two sides. */
  samples: number;
  /** The phase's planned length (seconds). */
  phaseSeconds: number;
}

export interface NoiseFloor {
  scenario: string;
  phase: string;
  metric: string;
  unit: ChangeUnit;
  /** Half the interval's width; null: no interval (no samples). */
  halfWidth: number | null;
  /** Minimal detectable effect at the interval's level and `power`. */
  mde: number | null;
  /** The A/A interval's farthest bound from 0 (only from an A/A run; null otherwise). */
  aaBound: number | null;
  /** max(mde, aaBound): the smallest limit this metric can be judged against. */
  floor: number | null;
  /** Which of the two set the floor. */
  floorFrom: 'mde' | 'aa-bound' | null;
  level: number;
  power: number;
  samples: number;
  phaseSeconds: number;
}

/** The power used unless told otherwise (the usual 80 %). */
export const DEFAULT_POWER = 0.8;

/** The standard normal quantile (inverse CDF): Acklam's rational approximation, relative error < 1.2e-9. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** The floor of one comparison: from its interval's width, and (A/A) from its farthest bound. */
export function noiseFloor(
  interval: ChangeInterval,
  options: { power?: number; aa?: boolean } = {},
): NoiseFloor {
  const power = options.power ?? DEFAULT_POWER;
  const base = {
    scenario: interval.scenario,
    phase: interval.phase,
    metric: interval.metric,
    unit: interval.unit,
    level: interval.level,
    power,
    samples: interval.samples,
    phaseSeconds: interval.phaseSeconds,
  };
  if (interval.low === null || interval.high === null || interval.samples === 0) {
    return { ...base, halfWidth: null, mde: null, aaBound: null, floor: null, floorFrom: null };
  }
  const zLevel = normalQuantile(1 - (1 - interval.level) / 2);
  const halfWidth = (interval.high - interval.low) / 2;
  const mde = (halfWidth / zLevel) * (zLevel + normalQuantile(power));
  const aaBound = options.aa ? Math.max(Math.abs(interval.low), Math.abs(interval.high)) : null;
  const fromBound = aaBound !== null && aaBound > mde;
  return {
    ...base,
    halfWidth,
    mde,
    aaBound,
    floor: fromBound ? aaBound : mde,
    floorFrom: fromBound ? 'aa-bound' : 'mde',
  };
}

/** A regression threshold's limit set against the floor of its metric and phase. */
export interface FloorCheck {
  scenario: string;
  phase: string;
  metric: string;
  /** The threshold's limit, in the metric's unit of change (0.2 for `< 20%`). */
  limit: number;
  floor: number | null;
  /** below-floor: an unchanged revision is judged inconclusive more often than 1 - power. */
  status: 'ok' | 'below-floor' | 'unknown';
  /** The phase length at which the floor is expected to reach the limit (seconds, rounded up to 10 s); null when not below. */
  recommendedSeconds: number | null;
  /** Why, in one line. */
  note: string;
}

/** Rounds a recommended duration up to a whole 10 s (phases are written in seconds). */
function roundUpSeconds(s: number): number {
  return Math.ceil(s / 10) * 10;
}

/**
 * Sets a regression limit against the floor. Below the floor, the phase length that would bring
 * the floor down to the limit: phaseSeconds · (floor / limit)², at the same rate.
 */
export function checkLimit(floor: NoiseFloor, limit: number): FloorCheck {
  const where = { scenario: floor.scenario, phase: floor.phase, metric: floor.metric, limit };
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
      note: `limit ${formatChange(limit, floor.unit)} is above the floor ${formatChange(floor.floor, floor.unit)}`,
    };
  if (limit <= 0)
    return {
      ...where,
      floor: floor.floor,
      status: 'below-floor',
      recommendedSeconds: null,
      note: `a limit of ${formatChange(limit, floor.unit)} allows no change: no duration brings the floor under it`,
    };
  const seconds = roundUpSeconds(floor.phaseSeconds * (floor.floor / limit) ** 2);
  return {
    ...where,
    floor: floor.floor,
    status: 'below-floor',
    recommendedSeconds: seconds,
    note:
      `limit ${formatChange(limit, floor.unit)} is below the floor ${formatChange(floor.floor, floor.unit)}: ` +
      `run the ${floor.phase} phase for about ${seconds}s (now ${floor.phaseSeconds}s) or raise the limit`,
  };
}

/** `±12.3%` for relative changes, `±0.45 pp` for error-rate points. */
export function formatChange(value: number, unit: ChangeUnit): string {
  if (unit === 'points') return `${round(value * 100, 2)} pp`;
  return `${round(value * 100, 1)}%`;
}

function round(v: number, digits: number): string {
  return String(Number(v.toFixed(digits)));
}
