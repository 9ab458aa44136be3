// A sample as the load generator keeps it: distinct values, ascending, each with how many
// observations had it (an HDR histogram's non-empty buckets, or raw data with ties merged).
// Every statistic in compare/ works on this shape, so its cost grows with the number of
// distinct values (a few thousand buckets at most), never with the number of requests.
import type { LatencyBins } from '../results';

export type { LatencyBins };

/** Builds bins from raw observations (ties merged), for tests and small samples. */
export function binsOf(values: readonly number[]): LatencyBins {
  const sorted = [...values].sort((a, b) => a - b);
  const out: LatencyBins = { values: [], counts: [] };
  for (const v of sorted) {
    const last = out.values.length - 1;
    if (last >= 0 && out.values[last] === v) out.counts[last]++;
    else {
      out.values.push(v);
      out.counts.push(1);
    }
  }
  return out;
}

export function totalCount(bins: LatencyBins): number {
  let n = 0;
  for (const c of bins.counts) n += c;
  return n;
}

/** The k-th smallest observation (1-based); k is clamped to [1, n]. */
export function orderStatistic(bins: LatencyBins, k: number): number {
  let seen = 0;
  for (let i = 0; i < bins.values.length; i++) {
    seen += bins.counts[i];
    if (seen >= k) return bins.values[i];
  }
  return bins.values[bins.values.length - 1];
}

/**
 * The sample p-quantile as HDR histograms report it: the smallest value with at least
 * ceil(p·n) observations at or below it. null for an empty sample.
 */
export function quantile(bins: LatencyBins, p: number): number | null {
  const n = totalCount(bins);
  if (n === 0) return null;
  return orderStatistic(bins, Math.max(1, Math.ceil(p * n - 1e-9)));
}

/** Mean and (n − 1) variance of the binned sample. */
export function meanAndVariance(bins: LatencyBins): { n: number; mean: number; variance: number } {
  const n = totalCount(bins);
  if (n === 0) return { n, mean: NaN, variance: NaN };
  let sum = 0;
  for (let i = 0; i < bins.values.length; i++) sum += bins.values[i] * bins.counts[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < bins.values.length; i++) squares += bins.counts[i] * (bins.values[i] - mean) ** 2;
  return { n, mean, variance: n > 1 ? squares / (n - 1) : 0 };
}
