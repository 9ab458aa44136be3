// Requests are not independent of each other: a stall (a GC pause, CPU taken by a neighbour, a
// slow disk) slows every request of that moment at once. An interval that counts requests as
// independent is then too narrow, and an unchanged revision run twice "differs" (measured on
// this machine: an A/A `after` phase's p99 at +115 % [+35 %, +243 %] with independent requests).
// So the intervals count one timeline second as one cluster: the variance of a proportion (the
// share of requests at or below a quantile, or the error rate) is estimated from how much it
// varies between seconds (the linearized variance of a ratio estimator, as survey statistics
// does for cluster samples), and its ratio to the variance under independence, Kish's design
// effect, widens the interval: the quantile's binomial rank interval (Woodruff's method) and the
// error rate's effective sample size. Never below 1: clustering is not allowed to narrow anything.
import { totalCount, type LatencyBins } from './bins';
import { qnorm, qt } from './normal';

/**
 * A variance estimated from k clusters has k − 1 degrees of freedom: at 95 % it is used with
 * Student's t rather than the normal quantile, which for a 5-second phase (t = 2.78 at 4 df against
 * z = 1.96) doubles the variance. Folded into the design effect as (t / z)².
 */
function fewClusters(k: number): number {
  return (qt(0.975, k - 1) / qnorm(0.975)) ** 2;
}

/** One cluster (a second): n observations of which `hits` have the property counted. */
export interface Cluster {
  n: number;
  hits: number;
}

/**
 * Kish's design effect of a proportion estimated from clusters: Var_cluster(p̂) / Var_iid(p̂),
 * times (t / z)² for the k − 1 degrees of freedom of the cluster variance; at least 1; 1 when it
 * cannot be estimated (fewer than two clusters, or p̂ is 0 or 1).
 */
export function designEffect(clusters: readonly Cluster[]): number {
  const used = clusters.filter((c) => c.n > 0);
  const n = used.reduce((s, c) => s + c.n, 0);
  if (used.length < 2 || n === 0) return 1;
  const p = used.reduce((s, c) => s + c.hits, 0) / n;
  if (p <= 0 || p >= 1) return 1;
  const k = used.length;
  let squares = 0;
  for (const c of used) squares += (c.hits - p * c.n) ** 2;
  const clustered = ((k / (k - 1)) * squares) / (n * n);
  const independent = (p * (1 - p)) / n;
  return Math.max(1, (clustered / independent) * fewClusters(k));
}

/** How many observations of the bins are below `value`, and how many equal it. */
export function countBelow(bins: LatencyBins, value: number): { below: number; at: number } {
  let below = 0;
  let at = 0;
  for (let i = 0; i < bins.values.length && bins.values[i] <= value; i++) {
    if (bins.values[i] < value) below += bins.counts[i];
    else at += bins.counts[i];
  }
  return { below, at };
}

/**
 * The design effect of "below the p-quantile q" over the seconds' latencies. Requests tied at q
 * (an HDR bucket, or a stall that gave many requests one latency) are split between below and
 * above in the proportion that makes the whole share p, as a continuous distribution would.
 */
export function quantileDesignEffect(seconds: readonly LatencyBins[], q: number, p: number): number {
  const counts = seconds.map((bins) => ({ n: totalCount(bins), ...countBelow(bins, q) }));
  const n = counts.reduce((s, c) => s + c.n, 0);
  const below = counts.reduce((s, c) => s + c.below, 0);
  const at = counts.reduce((s, c) => s + c.at, 0);
  const share = at > 0 ? Math.min(1, Math.max(0, (p * n - below) / at)) : 0;
  return designEffect(counts.map((c) => ({ n: c.n, hits: c.below + share * c.at })));
}

/** One second of one side: its latencies. */
export interface SecondLatencies {
  second: number;
  bins: LatencyBins;
}

/**
 * The two sides' cluster effects for the p-quantile ratio: each side's design effect, and the
 * correlation, second by second, of the two shares below their quantiles. The sides' seconds
 * are matched by number: both loads started together (paired.ts), so second s of one is second
 * s of the other. The correlation used is the lower end of its 95 % interval, held to [0, 0.9]:
 * only shared noise the seconds clearly show may cancel, and never completely.
 */
export function pairedQuantileClusters(
  x: readonly SecondLatencies[],
  y: readonly SecondLatencies[],
  qx: number,
  qy: number,
  p: number,
): { designEffects: [number, number]; correlation: number } {
  const rx = residuals(x, qx, p);
  const ry = residuals(y, qy, p);
  const deff = (r: Residuals): number => {
    if (r.byes.size < 2 || r.independent === 0) return 1;
    return Math.max(1, (r.clustered / r.independent) * fewClusters(r.byes.size));
  };
  let cross = 0;
  let common = 0;
  for (const [second, value] of rx.byes) {
    const other = ry.byes.get(second);
    if (other === undefined) continue;
    cross += value * other;
    common++;
  }
  const varX = rx.clustered;
  const varY = ry.clustered;
  let correlation = 0;
  if (common >= 4 && varX > 0 && varY > 0) {
    const covariance = ((common / (common - 1)) * cross) / (rx.n * ry.n);
    const estimate = Math.min(0.999, Math.max(-0.999, covariance / Math.sqrt(varX * varY)));
    // Only the correlation the seconds show with confidence: the lower end of its 95 % interval
    // (Fisher's z), never below 0, at most 0.9.
    const lower = Math.tanh(Math.atanh(estimate) - 1.959963984540054 / Math.sqrt(common - 3));
    correlation = Math.min(0.9, Math.max(0, lower));
  }
  return { designEffects: [deff(rx), deff(ry)], correlation };
}

interface Residuals {
  /** Second → hits − p·n. */
  byes: Map<number, number>;
  n: number;
  /** Variance of the share below q, from clusters, and as if independent. */
  clustered: number;
  independent: number;
}

function residuals(seconds: readonly SecondLatencies[], q: number, p: number): Residuals {
  const counts = seconds.map((s) => ({ second: s.second, n: totalCount(s.bins), ...countBelow(s.bins, q) }));
  const n = counts.reduce((sum, c) => sum + c.n, 0);
  const below = counts.reduce((sum, c) => sum + c.below, 0);
  const at = counts.reduce((sum, c) => sum + c.at, 0);
  const share = at > 0 ? Math.min(1, Math.max(0, (p * n - below) / at)) : 0;
  const byes = new Map<number, number>();
  let squares = 0;
  for (const c of counts) {
    if (c.n === 0) continue;
    const r = c.below + share * c.at - p * c.n;
    byes.set(c.second, r);
    squares += r * r;
  }
  const k = byes.size;
  const clustered = k >= 2 && n > 0 ? ((k / (k - 1)) * squares) / (n * n) : 0;
  return { byes, n, clustered, independent: n > 0 ? (p * (1 - p)) / n : 0 };
}
