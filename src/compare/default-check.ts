// The regression check a paired run judges latency on when the scenario names none: of the
// candidates, the one that can decide at this scenario's length. A check decides when its noise
// floor (noise-floor.ts: the smallest change the interval can tell from nothing, at 80 % power)
// is below its limit: then unchanged code comes out within, and a change beyond the limit comes
// out regressed, in most runs. Which candidate that is depends on the run: at CI durations on a
// shared machine a p95 ratio's interval is often wide or unbounded (a tail resting on stalled
// seconds), while the Hodges–Lehmann shift, which uses every request, sees a millisecond. The
// choice looks only at the intervals' widths, never at where they lie, so it cannot pick the
// check that happens to show no regression. Pure.
import type { ChangeInterval } from '../results';
import {
  CONFIDENCE,
  checkInterval,
  checkName,
  checkUnit,
  formatLimit,
  type PhaseSample,
  type RegressionCheck,
} from './index';
import { DEFAULT_POWER, DEFAULT_SHIFT_LIMIT_MS, minimalDetectableEffect } from './noise-floor';

/**
 * The candidates, in order of preference: the Hodges–Lehmann shift in ms (it uses every request)
 * and the p95 ratio (what an SLO names). docs/calibration.md has the figures behind the limits:
 * at the default 30 s phase on a 2-core machine the p95 ratio's floor was never below +20 %.
 */
export const DEFAULT_LATENCY_CHECKS: readonly RegressionCheck[] = [
  { metric: 'p50', op: '<', limit: DEFAULT_SHIFT_LIMIT_MS, shift: 'ms' },
  { metric: 'p95', op: '<', limit: 0.2 },
];

/** The error-rate check every default includes (percentage points). */
export const DEFAULT_ERROR_CHECK: RegressionCheck = { metric: 'error_rate', op: '<', limit: 0.01 };

export interface CandidateFloor {
  check: RegressionCheck;
  interval: ChangeInterval;
  /** The minimal detectable effect of this run's interval (in the check's unit); null: unbounded. */
  floor: number | null;
}

export interface LatencyChoice {
  check: RegressionCheck;
  /** Every candidate with its floor, in DEFAULT_LATENCY_CHECKS' order. */
  candidates: CandidateFloor[];
  /** True when the chosen check's floor is below its limit: it can decide. */
  decides: boolean;
  /** Which and why, in one line: "p50 shift (floor 0.21 ms, below its limit 0.5 ms; p95: floor 39 %, above +20 %)". */
  why: string;
}

/** The floor of a check's interval on these samples: its MDE, null when an end is unbounded. */
export function checkFloor(interval: ChangeInterval, power = DEFAULT_POWER): number | null {
  if (interval.change === null || interval.low === null || interval.high === null) return null;
  return minimalDetectableEffect((interval.high - interval.low) / 2, CONFIDENCE, power);
}

/** "0.21 ms", "39 %", "0.4 pp": a floor in its check's unit. */
export function formatFloor(check: RegressionCheck, floor: number | null): string {
  if (floor === null) return 'none (the interval is unbounded)';
  const unit = checkUnit(check);
  if (unit === 'ms') return `${Number(floor.toFixed(2))} ms`;
  if (unit === 'points') return `${Number((floor * 100).toFixed(2))} pp`;
  return `${Number((floor * 100).toFixed(1))} %`;
}

/**
 * Of the candidates whose floor is below their limit on these samples (those that can decide),
 * the one whose floor is lowest against its limit (the first on a tie); when none can decide,
 * the first candidate: a change far beyond the floor still shows on it (in the verdict
 * benchmark's busiest rounds the +1 ms variant's shift regressed where no floor was below its
 * limit, while the p95 ratio stayed unbounded).
 */
export function chooseLatencyCheck(
  pr: PhaseSample | null,
  base: PhaseSample | null,
  candidates: readonly RegressionCheck[] = DEFAULT_LATENCY_CHECKS,
  power = DEFAULT_POWER,
): LatencyChoice {
  const floors: CandidateFloor[] = candidates.map((check) => {
    const interval = checkInterval(check, pr, base);
    return { check, interval, floor: checkFloor(interval, power) };
  });
  const ratio = (c: CandidateFloor): number =>
    c.floor === null || !(c.check.limit > 0) ? Infinity : c.floor / c.check.limit;
  let best = floors[0];
  for (const c of floors) if (ratio(c) < 1 && ratio(c) < ratio(best)) best = c;
  const decides = ratio(best) < 1;
  const describe = (c: CandidateFloor): string =>
    `${checkName(c.check)}: floor ${formatFloor(c.check, c.floor)}, ${
      c.floor === null ? 'cannot decide' : c.floor < c.check.limit ? 'below' : 'above'
    } its limit ${formatLimit(c.check)}`;
  const others = floors.filter((c) => c !== best).map(describe);
  const why =
    `${decides ? 'the check that can decide at this length' : 'no check can decide at this length; the first candidate'}: ` +
    `${describe(best)}${others.length ? ` (${others.join('; ')})` : ''}`;
  return { check: best.check, candidates: floors, decides, why };
}

/**
 * The phase length at which a check's floor should reach its limit at the same rate (floors
 * shrink about as 1/√n), rounded up to 10 s; null when no length helps (a limit of 0 or less).
 */
export function recommendedSeconds(floor: number, limit: number, phaseSeconds: number): number | null {
  if (!(limit > 0) || !(phaseSeconds > 0)) return null;
  return Math.ceil((phaseSeconds * (floor / limit) ** 2) / 10) * 10;
}
