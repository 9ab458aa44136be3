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

/** One cluster (a second) of a measured value: how many observations, their sum and sum of squares. */
export interface ValueCluster {
  n: number;
  sum: number;
  squares: number;
}

/**
 * Kish's design effect of a mean estimated from clusters: the linearized between-cluster variance
 * of Σsum / Σn over the variance the same observations would give if independent (s² / N), times
 * (t / z)² for the k − 1 degrees of freedom; at least 1; 1 when it cannot be estimated.
 */
export function meanDesignEffect(clusters: readonly ValueCluster[]): number {
  const used = clusters.filter((c) => c.n > 0);
  const k = used.length;
  const { n, mean, variance } = pooled(used);
  if (k < 2 || !(variance > 0)) return 1;
  let between = 0;
  for (const c of used) between += (c.sum - mean * c.n) ** 2;
  const clustered = ((k / (k - 1)) * between) / (n * n);
  return Math.max(1, (clustered / (variance / n)) * fewClusters(k));
}

/** The clusters taken together: N, the mean and the per-observation variance s² (0 below two observations). */
function pooled(clusters: readonly ValueCluster[]): { n: number; mean: number; variance: number } {
  const n = clusters.reduce((s, c) => s + c.n, 0);
  const mean = n > 0 ? clusters.reduce((s, c) => s + c.sum, 0) / n : 0;
  const squares = clusters.reduce((s, c) => s + c.squares, 0);
  return { n, mean, variance: n > 1 ? Math.max(0, (squares - n * mean * mean) / (n - 1)) : 0 };
}

/**
 * Per second: the count, sum and sum of squares of `value` over its latencies (the latencies
 * themselves by default), for meanDesignEffect.
 */
export function valueClusters(
  seconds: readonly LatencyBins[],
  value: (latency: number) => number = (latency) => latency,
): ValueCluster[] {
  return seconds.map((bins) => {
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < bins.values.length; i++) {
      const v = value(bins.values[i]);
      n += bins.counts[i];
      sum += v * bins.counts[i];
      squares += v * v * bins.counts[i];
    }
    return { n, sum, squares };
  });
}

/**
 * How much clustering widens the rank-sum test: Var(U) under clustered seconds over Var(U) for
 * independent requests. U / (nx·ny) is the mean placement of the PR's requests among the base's
 * (the share of base requests below each, ties a half), and by DeLong's decomposition its
 * variance is Var(placement of x in y) / nx + Var(placement of y in x) / ny. Each term is
 * widened by the design effect of its side's placements, clustered by second; the result is
 * their weighted sum over the unwidened one, at least 1. The pairing of simultaneous seconds is
 * not used here: shared stalls would narrow it, and the shift is reported, not judged.
 */
export function rankSumDesignEffect(
  x: LatencyBins,
  y: LatencyBins,
  xSeconds: readonly LatencyBins[],
  ySeconds: readonly LatencyBins[],
): number {
  const nx = totalCount(x);
  const ny = totalCount(y);
  if (nx < 2 || ny < 2) return 1;
  const side = (seconds: readonly LatencyBins[], other: LatencyBins, n: number) => {
    const placements = valueClusters(seconds, midCdf(other));
    return { term: pooled(placements).variance / n, deff: meanDesignEffect(placements) };
  };
  const a = side(xSeconds, y, nx);
  const b = side(ySeconds, x, ny);
  const independent = a.term + b.term;
  if (!(independent > 0)) return 1;
  return Math.max(1, (a.deff * a.term + b.deff * b.term) / independent);
}

/**
 * A paired estimator's variance from its per-second residuals. The estimator is, to first order,
 * Σ_s (a_s − b_s): a_s the PR side's contribution of second s, b_s the base side's, each summing
 * to 0 over its seconds. Each side's variance is its clustered (Kish) one with (t / z)² for its
 * k − 1 degrees of freedom, never below `independentA` / `independentB` (what the same requests
 * give when independent: clustering is not allowed to narrow a side); their covariance enters
 * only as far as the seconds show it with confidence: the lower end of the correlation's 95 %
 * interval (Fisher's z) over the seconds both sides have, held to [0, 0.9], as
 * pairedQuantileClusters does. Noise both sides shared then cancels, never completely.
 * `matched` false: the sides did not run at the same time, second s of one is not second s of
 * the other, and nothing cancels.
 */
export function pairedVariance(
  a: ReadonlyMap<number, number>,
  b: ReadonlyMap<number, number>,
  independentA: number,
  independentB: number,
  matched = true,
): { variances: [number, number]; correlation: number; variance: number } {
  const clustered = (r: ReadonlyMap<number, number>): number => {
    const k = r.size;
    if (k < 2) return 0;
    let squares = 0;
    for (const v of r.values()) squares += v * v;
    return (k / (k - 1)) * squares * fewClusters(k);
  };
  const rawA = clustered(a);
  const rawB = clustered(b);
  const varA = Math.max(rawA, independentA);
  const varB = Math.max(rawB, independentB);
  let cross = 0;
  let common = 0;
  for (const [second, value] of a) {
    const other = b.get(second);
    if (other === undefined) continue;
    cross += value * other;
    common++;
  }
  let correlation = 0;
  if (matched && common >= 4 && rawA > 0 && rawB > 0) {
    const covariance = (common / (common - 1)) * cross * fewClusters(common);
    const estimate = Math.min(0.999, Math.max(-0.999, covariance / Math.sqrt(rawA * rawB)));
    const lower = Math.tanh(Math.atanh(estimate) - 1.959963984540054 / Math.sqrt(common - 3));
    correlation = Math.min(0.9, Math.max(0, lower));
  }
  return {
    variances: [varA, varB],
    correlation,
    variance: varA + varB - 2 * correlation * Math.sqrt(varA * varB),
  };
}

/** Per second, Σ (value − mean) / scale over its requests; seconds without a request are left out. */
function residualsBySecond(
  seconds: readonly SecondLatencies[],
  value: (latency: number) => number,
  scale: number,
): { bySecond: Map<number, number>; n: number; mean: number; variance: number } {
  const clusters = valueClusters(
    seconds.map((s) => s.bins),
    value,
  );
  const all = pooled(clusters);
  const bySecond = new Map<number, number>();
  seconds.forEach((s, i) => {
    const c = clusters[i];
    if (c.n > 0) bySecond.set(s.second, (bySecond.get(s.second) ?? 0) + (c.sum - all.mean * c.n) / scale);
  });
  return { bySecond, ...all };
}

/** How the shift's rank statistic clusters when the two sides' seconds are paired. */
export interface PairedRankSumClusters {
  /** Each side's design effect of its placements among the other side's requests (at least 1). */
  designEffects: [number, number];
  /** How much the two sides' seconds moved together, as pairedVariance uses it. */
  correlation: number;
  /**
   * Var(U) with clustered, paired seconds over Var(U) for independent requests: the variance
   * inflation rankSum takes. Below 1 when shared noise cancels more than clustering adds.
   */
  inflation: number;
}

/**
 * The rank-sum statistic's variance when the two sides ran at the same time, second by second.
 * U / (nx·ny) − θ is, to first order, (1/nx)·Σ(A_i − θ) + (1/ny)·Σ(B_j − θ) with A_i the share of
 * base requests below PR request i and B_j the share of PR requests above base request j (ties
 * a half; DeLong's placements). Summed per second, a stall both sides shared raises the PR's
 * placements and lowers the base's in the same second, and cancels in that second's sum: the
 * pairing that quantileRatio already uses, here for the shift (pairedVariance). `shift` (in the
 * values' unit) is subtracted from the PR's values first: the placements at the estimated shift
 * are the ones that decide where the interval's ends fall.
 */
export function pairedRankSumClusters(
  x: LatencyBins,
  y: LatencyBins,
  xSeconds: readonly SecondLatencies[],
  ySeconds: readonly SecondLatencies[],
  shift = 0,
  matched = true,
): PairedRankSumClusters {
  const independent: PairedRankSumClusters = { designEffects: [1, 1], correlation: 0, inflation: 1 };
  const nx = totalCount(x);
  const ny = totalCount(y);
  if (nx < 2 || ny < 2) return independent;
  const belowY = midCdf(y);
  const belowX = midCdf(x);
  const a = residualsBySecond(xSeconds, (v) => belowY(v - shift), nx);
  // B_j counts PR requests above base request j: it falls when the base side stalls. Its
  // negative rises with the stall, as A does, so that shared stalls correlate positively.
  const b = residualsBySecond(ySeconds, (v) => belowX(v + shift), ny);
  const iidA = a.variance / nx;
  const iidB = b.variance / ny;
  if (!(iidA + iidB > 0) || a.bySecond.size < 2 || b.bySecond.size < 2) return independent;
  const paired = pairedVariance(a.bySecond, b.bySecond, iidA, iidB, matched);
  return {
    designEffects: [paired.variances[0] / (iidA || 1), paired.variances[1] / (iidB || 1)],
    correlation: paired.correlation,
    inflation: paired.variance / (iidA + iidB),
  };
}

/**
 * The difference of the two sides' mean latencies (PR − base) with its variance, the seconds
 * paired as for the shift: per second the PR's Σ(x − x̄)/nx against the base's Σ(y − ȳ)/ny.
 * `relative`: the log of the ratio of means instead (each residual over its side's mean), for
 * a change relative to the base. null when a side has fewer than two requests or a mean of 0.
 */
export function pairedMeanDifference(
  xSeconds: readonly SecondLatencies[],
  ySeconds: readonly SecondLatencies[],
  relative: boolean,
  matched = true,
): { estimate: number; variance: number; correlation: number; means: [number, number] } | null {
  const first = (seconds: readonly SecondLatencies[]) => pooled(valueClusters(seconds.map((s) => s.bins)));
  const px = first(xSeconds);
  const py = first(ySeconds);
  if (px.n < 2 || py.n < 2 || !(px.mean > 0) || !(py.mean > 0)) return null;
  const scaleX = relative ? px.n * px.mean : px.n;
  const scaleY = relative ? py.n * py.mean : py.n;
  const a = residualsBySecond(xSeconds, (v) => v, scaleX);
  const b = residualsBySecond(ySeconds, (v) => v, scaleY);
  const iidA = (px.variance / px.n) * (relative ? 1 / px.mean ** 2 : 1);
  const iidB = (py.variance / py.n) * (relative ? 1 / py.mean ** 2 : 1);
  const paired = pairedVariance(a.bySecond, b.bySecond, iidA, iidB, matched);
  return {
    estimate: relative ? Math.log(px.mean / py.mean) : px.mean - py.mean,
    variance: paired.variance,
    correlation: paired.correlation,
    means: [px.mean, py.mean],
  };
}

/** v ↦ the share of the sample below v, ties counting a half (binary search over cumulative counts). */
function midCdf(bins: LatencyBins): (v: number) => number {
  const n = totalCount(bins);
  const below: number[] = [];
  let running = 0;
  for (const c of bins.counts) {
    below.push(running);
    running += c;
  }
  return (v) => {
    let lo = 0;
    let hi = bins.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bins.values[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    const less = lo < bins.values.length ? below[lo] : n;
    const tied = lo < bins.values.length && bins.values[lo] === v ? bins.counts[lo] : 0;
    return (less + tied / 2) / n;
  };
}
