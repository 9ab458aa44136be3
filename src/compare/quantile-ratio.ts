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

/** How the two sides' requests cluster (clusters.ts): independent requests are { 1, 1, 0 }. */
export interface ClusterEffects {
  /** Each side's design effect (variance of the share below its quantile over the binomial's). */
  designEffects: [number, number];
  /** Correlation of the two shares second by second (the sides ran at the same time): shared stalls. */
  correlation: number;
}

export const INDEPENDENT: ClusterEffects = { designEffects: [1, 1], correlation: 0 };

/**
 * PR pQ / base pQ with its interval; null when either side is empty or a quantile is 0.
 * Each side's log standard error comes from its rank interval widened by its design effect, and
 * the two are combined with their correlation: noise both sides shared (they ran at the same
 * time) cancels in the ratio, as a paired comparison should make it.
 */
export function quantileRatio(
  x: LatencyBins,
  y: LatencyBins,
  p: number,
  confidence = 0.95,
  clusters: ClusterEffects = INDEPENDENT,
): RatioInterval | null {
  const bx = quantileBounds(x, p, confidence);
  const by = quantileBounds(y, p, confidence);
  if (!bx || !by || bx.estimate <= 0 || by.estimate <= 0) return null;
  const z = qnorm(1 - (1 - confidence) / 2);
  const ratio = bx.estimate / by.estimate;
  const [deffX, deffY] = clusters.designEffects;
  const seX = logStandardError(x, p, confidence, deffX);
  const seY = logStandardError(y, p, confidence, deffY);
  const se = Math.sqrt(Math.max(0, seX * seX + seY * seY - 2 * clusters.correlation * seX * seY));
  if (!Number.isFinite(se)) {
    // A side's widened interval has an open end: no standard error, but the ends that exist
    // still bound the ratio (conservatively: each side's own end, widened by its design effect,
    // combined end to end, without the pairing's correlation).
    const wx = quantileBounds(x, p, confidence, deffX) ?? bx;
    const wy = quantileBounds(y, p, confidence, deffY) ?? by;
    return {
      ratio,
      low: wx.low !== null && wy.high !== null ? wx.low / wy.high : null,
      high: wx.high !== null && wy.low !== null && wy.low > 0 ? wx.high / wy.low : null,
    };
  }
  return { ratio, low: ratio * Math.exp(-z * se), high: ratio * Math.exp(z * se) };
}

/**
 * The log quantile's standard error: from its rank interval widened by the design effect
 * (Woodruff); Infinity when that interval leaves the sample. There is deliberately no fallback
 * that linearizes the independent-requests interval through the density: in the tail the
 * quantile function is steep, and a p99 resting on 30 requests, some of them from one stalled
 * second, got a narrower interval that way than the p95 of the same requests (an A/A run judged
 * `p99 +43 % [+21 %, +70 %]` regressed while its p95 interval was [−49 %, +296 %]). An end the
 * data cannot bound stays unbounded, and the verdict says inconclusive.
 */
function logStandardError(bins: LatencyBins, p: number, confidence: number, deff: number): number {
  const z = qnorm(1 - (1 - confidence) / 2);
  const widened = quantileBounds(bins, p, confidence, deff);
  return widened ? logHalfWidth(widened) / z : Infinity;
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
