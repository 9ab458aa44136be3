// How much a latency quantile (p95, p99, …) changed from one sample to another, as a ratio
// with a confidence interval: PR pQ / base pQ.
//
// Method: the ratio is taken on the log scale, log(qx) − log(qy), and each side's standard
// error comes from the width of its distribution-free confidence interval for the quantile
// (the order statistics at ranks n·p ∓ z·√(n·p·(1 − p)), from the binomial count of
// observations below the true quantile): se = (log q_upper − log q_lower) / (2z). The two
// sides are independent samples, so the variances add. This is Price and Bonett's (2002)
// interval for a ratio of medians, applied to other quantiles; it needs no assumption about
// the latency distribution's shape, and it widens by itself where a tail holds few requests
// (a p99 of 300 requests rests on 3 of them). When a side is too small for its quantile's
// interval to have an end inside the sample (n·p ± z·√(n·p·(1 − p)) falls outside 1..n), there
// is no standard error: the ratio's ends are then the two sides' own ends combined (PR low /
// base high, PR high / base low), unbounded where one of those is missing.
import { orderStatistic, quantile, totalCount, type LatencyBins } from './bins';
import { qnorm } from './normal';

export interface RatioInterval {
  /** qx / qy */
  ratio: number;
  /** null: unbounded (the data cannot bound this end). */
  low: number | null;
  high: number | null;
}

/** The quantile's distribution-free interval ends as order statistics; null ends are outside the sample. */
export function quantileBounds(
  bins: LatencyBins,
  p: number,
  confidence = 0.95,
  designEffect = 1,
): { estimate: number; low: number | null; high: number | null } | null {
  const n = totalCount(bins);
  const estimate = quantile(bins, p);
  if (estimate === null) return null;
  const z = qnorm(1 - (1 - confidence) / 2);
  // Clustered requests (clusters.ts): the count below the quantile varies designEffect times more.
  const half = z * Math.sqrt(designEffect * n * p * (1 - p));
  const lowRank = Math.floor(n * p - half);
  const highRank = Math.ceil(n * p + half);
  return {
    estimate,
    low: lowRank >= 1 ? orderStatistic(bins, lowRank) : null,
    high: highRank <= n ? orderStatistic(bins, highRank) : null,
  };
}

/**
 * PR pQ / base pQ with its interval; null when either side is empty or a quantile is 0.
 * designEffects: each side's (clusters.ts), 1 for independent requests.
 */
export function quantileRatio(
  x: LatencyBins,
  y: LatencyBins,
  p: number,
  confidence = 0.95,
  designEffects: [number, number] = [1, 1],
): RatioInterval | null {
  const bx = quantileBounds(x, p, confidence, designEffects[0]);
  const by = quantileBounds(y, p, confidence, designEffects[1]);
  if (!bx || !by || bx.estimate <= 0 || by.estimate <= 0) return null;
  const z = qnorm(1 - (1 - confidence) / 2);
  const ratio = bx.estimate / by.estimate;
  const seX = logHalfWidth(bx) / z;
  const seY = logHalfWidth(by) / z;
  const se = Math.sqrt(seX * seX + seY * seY);
  if (!Number.isFinite(se)) {
    // A side's interval has an open end: no standard error, but the ends that exist still bound
    // the ratio (conservatively: each side's own 95 % end, the two combined).
    return {
      ratio,
      low: bx.low !== null && by.high !== null ? bx.low / by.high : null,
      high: bx.high !== null && by.low !== null && by.low > 0 ? bx.high / by.low : null,
    };
  }
  return { ratio, low: ratio * Math.exp(-z * se), high: ratio * Math.exp(z * se) };
}

/** Half the width of the quantile's interval on the log scale; Infinity when an end is unbounded. */
function logHalfWidth(b: { low: number | null; high: number | null }): number {
  if (b.low === null || b.high === null || b.low <= 0) return Infinity;
  return (Math.log(b.high) - Math.log(b.low)) / 2;
}

/**
 * The ratio of means with its interval (delta method on the log scale, Welch-type variances),
 * for `avg` regressions; null when a side has fewer than two observations.
 */
export function meanRatio(
  x: { n: number; mean: number; variance: number },
  y: { n: number; mean: number; variance: number },
  confidence = 0.95,
): RatioInterval | null {
  if (x.n < 2 || y.n < 2 || !(x.mean > 0) || !(y.mean > 0)) return null;
  const z = qnorm(1 - (1 - confidence) / 2);
  const ratio = x.mean / y.mean;
  const se = Math.sqrt(x.variance / (x.n * x.mean ** 2) + y.variance / (y.n * y.mean ** 2));
  return { ratio, low: ratio * Math.exp(-z * se), high: ratio * Math.exp(z * se) };
}
