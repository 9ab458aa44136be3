// The Wilcoxon–Mann–Whitney rank-sum test and the Hodges–Lehmann shift with its confidence
// interval, exactly as R computes them with
//   wilcox.test(x, y, exact = FALSE, correct = TRUE, conf.int = TRUE)
// (normal approximation, midranks for ties with the tie-corrected variance, continuity
// correction for the p-value and the interval, none for the estimate), on binned samples.
//
// Cost: one evaluation of the statistic at a shift d merges the two sorted bin lists, so it
// is O(Bx + By) in the number of distinct values. R finds the interval's ends and the estimate
// as roots of the standardized statistic in d (uniroot); here the values are integers (HDR
// buckets hold integer microseconds; callers with decimals scale them first), so the statistic
// only steps at integer shifts and a bisection over integers finds each root exactly, in
// O((Bx + By) · log2(range)). R's uniroot stops within 1e-4 of the step, so R's printed
// figures agree with these to that tolerance (and, where the root is a flat stretch, to the
// stretch's width: R returns some point in it, this module its middle).
import { totalCount, type LatencyBins } from './bins';
import { pnorm, qnorm } from './normal';

export interface RankSumResult {
  /** Sizes of the two samples. */
  nx: number;
  ny: number;
  /** R's W: the Mann–Whitney U of x (pairs with x > y, ties counting a half). */
  w: number;
  /** Two-sided p-value of "no location shift" (normal approximation, continuity corrected). */
  pValue: number;
  /** Hodges–Lehmann estimate of the shift x − y, in the values' unit. */
  estimate: number;
  /** Its confidence interval at `confidence` (two-sided). */
  low: number;
  high: number;
  confidence: number;
}

/** Why no rank-sum result could be computed, or null. */
export function rankSumProblem(x: LatencyBins, y: LatencyBins): string | null {
  if (totalCount(x) === 0 || totalCount(y) === 0) return 'one side has no observation';
  if (x.values.length === 1 && y.values.length === 1 && x.values[0] === y.values[0])
    return 'every observation on both sides is the same value';
  for (const bins of [x, y]) {
    for (const v of bins.values)
      if (!Number.isInteger(v)) return 'values must be integers (scale them first)';
  }
  return null;
}

/**
 * x: the first sample (the PR's latencies), y: the second (the base's). The shift is x − y:
 * positive when x is slower. Throws when rankSumProblem says why it cannot be computed.
 * `varianceInflation` multiplies U's null variance (clusters.ts' rankSumDesignEffect: requests
 * of one second move together); 1, R's independent observations, by default. It widens the
 * interval and raises the p-value; the estimate does not depend on it.
 */
export function rankSum(
  x: LatencyBins,
  y: LatencyBins,
  confidence = 0.95,
  varianceInflation = 1,
): RankSumResult {
  const problem = rankSumProblem(x, y);
  if (problem) throw new Error(`rank-sum test: ${problem}`);
  const nx = totalCount(x);
  const ny = totalCount(y);
  const inflation = Math.sqrt(Math.max(1, varianceInflation));
  const at = (d: number, correct: boolean): number => standardized(x, y, nx, ny, d, correct) / inflation;
  const w = uStatistic(x, y, 0);
  const z0 = at(0, true);
  const pValue = Math.min(1, 2 * Math.min(pnorm(z0), pnorm(-z0)));
  const mumin = x.values[0] - y.values[y.values.length - 1];
  const mumax = x.values[x.values.length - 1] - y.values[0];
  const zq = qnorm(1 - (1 - confidence) / 2);
  return {
    nx,
    ny,
    w,
    pValue,
    estimate: root((d) => at(d, false), 0, mumin, mumax),
    low: root((d) => at(d, true), zq, mumin, mumax),
    high: root((d) => at(d, true), -zq, mumin, mumax),
    confidence,
  };
}

/** U of x against y shifted: x − d compared with y; ties count a half. O(Bx + By). */
function uStatistic(x: LatencyBins, y: LatencyBins, d: number): number {
  return merged(x, y, d).rankSumX - (totalCount(x) * (totalCount(x) + 1)) / 2;
}

/** Sum of x's midranks in the pooled sample (x − d, y), and Σ(t³ − t) over tied groups. */
function merged(x: LatencyBins, y: LatencyBins, d: number): { rankSumX: number; ties: number } {
  let i = 0;
  let j = 0;
  let before = 0;
  let rankSumX = 0;
  let ties = 0;
  while (i < x.values.length || j < y.values.length) {
    const xv = i < x.values.length ? x.values[i] - d : Infinity;
    const yv = j < y.values.length ? y.values[j] : Infinity;
    const value = Math.min(xv, yv);
    const cx = xv === value ? x.counts[i++] : 0;
    const cy = yv === value ? y.counts[j++] : 0;
    const t = cx + cy;
    rankSumX += cx * (before + (t + 1) / 2);
    ties += t * t * t - t;
    before += t;
  }
  return { rankSumX, ties };
}

/** R's W(d): (U(d) − nx·ny/2 − correction) / σ(d), σ with R's tie correction. */
function standardized(
  x: LatencyBins,
  y: LatencyBins,
  nx: number,
  ny: number,
  d: number,
  correct: boolean,
): number {
  const { rankSumX, ties } = merged(x, y, d);
  const dz = rankSumX - (nx * (nx + 1)) / 2 - (nx * ny) / 2;
  const n = nx + ny;
  const sigma = Math.sqrt(((nx * ny) / 12) * (n + 1 - ties / (n * (n - 1))));
  const correction = correct ? Math.sign(dz) * 0.5 : 0;
  if (sigma === 0) return dz === 0 ? 0 : Math.sign(dz) * Infinity;
  return (dz - correction) / sigma;
}

/**
 * Where the non-increasing step function f (stepping only at integers) crosses zq on
 * [lo, hi], as R's root(): lo when f(lo) ≤ zq already, hi when f(hi) ≥ zq still.
 */
function root(f: (d: number) => number, zq: number, lo: number, hi: number): number {
  if (f(lo) - zq <= 0) return lo;
  if (f(hi) - zq >= 0) return hi;
  // f(lo) > zq > f(hi)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const fm = f(mid) - zq;
    if (fm > 0) lo = mid;
    else if (fm < 0) hi = mid;
    else return mid;
  }
  // f is constant on (lo, hi): the crossing is at a step or the whole open stretch.
  const between = f(lo + 0.5) - zq;
  if (between > 0) return hi;
  if (between < 0) return lo;
  return lo + 0.5;
}
