// HDR latency histograms in integer microseconds. Live recording uses plain 32-bit
// JS histograms (fast, ~70 KB each, recycled); a finished second is kept only in
// hdr's compressed encoding (~1 KB at 1000 req/s, measured), so a one-hour run holds
// a few MB of timeline rather than 250 MB of live arrays.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { LatencyBins, LatencySummary } from '../results';

export type { Histogram };

/** 60 s is the initial range; autoResize keeps longer latencies exact instead of clamping them. */
const INITIAL_HIGHEST_US = 60_000_000;

export function createLatencyHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: INITIAL_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

export function recordLatencyMs(histogram: Histogram, latencyMs: number): void {
  histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** Adds every histogram (live or encoded) into a fresh one. */
export function mergeHistograms(parts: Iterable<Histogram | string>): Histogram {
  const merged = createLatencyHistogram();
  for (const part of parts) {
    if (typeof part === 'string') {
      const decoded = decodeHistogram(part);
      merged.add(decoded);
      decoded.destroy();
    } else {
      merged.add(part);
    }
  }
  return merged;
}

const usToMs = (us: number): number => Math.round(us) / 1000;

export function summarize(histogram: Histogram): LatencySummary {
  if (histogram.totalCount === 0)
    return { p50Ms: null, p90Ms: null, p95Ms: null, p99Ms: null, maxMs: null, meanMs: null };
  return {
    meanMs: usToMs(histogram.mean),
    p50Ms: usToMs(histogram.getValueAtPercentile(50)),
    p90Ms: usToMs(histogram.getValueAtPercentile(90)),
    p95Ms: usToMs(histogram.getValueAtPercentile(95)),
    p99Ms: usToMs(histogram.getValueAtPercentile(99)),
    // The top bucket's value, not the exact live maximum: a histogram that went through the
    // compressed encoding only knows buckets, and both must report the same figure.
    maxMs: usToMs(histogram.getValueAtPercentile(100)),
  };
}

/** The recorded buckets, ascending: each bucket's highest equivalent value (as percentiles report it) and its count. */
export function histogramBins(histogram: Histogram): LatencyBins {
  const bins: LatencyBins = { values: [], counts: [] };
  if (histogram.totalCount === 0) return bins;
  // Every histogram here is a JS one (createLatencyHistogram): it has the recorded-values iterator.
  const { recordedValuesIterator: iterator } = histogram as unknown as {
    recordedValuesIterator: RecordedValues;
  };
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    bins.values.push(step.valueIteratedTo);
    bins.counts.push(step.countAtValueIteratedTo);
  }
  return bins;
}

interface RecordedValues {
  reset(): void;
  hasNext(): boolean;
  next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
}

/** Two ascending bin lists as one. */
export function mergeBins(a: LatencyBins, b: LatencyBins): LatencyBins {
  const out: LatencyBins = { values: [], counts: [] };
  let i = 0;
  let j = 0;
  while (i < a.values.length || j < b.values.length) {
    const av = i < a.values.length ? a.values[i] : Infinity;
    const bv = j < b.values.length ? b.values[j] : Infinity;
    const value = Math.min(av, bv);
    out.values.push(value);
    out.counts.push((av === value ? a.counts[i++] : 0) + (bv === value ? b.counts[j++] : 0));
  }
  return out;
}

/** Reuses reset histograms so the per-second rollover allocates nothing in steady state. */
export class HistogramPool {
  private readonly free: Histogram[] = [];

  take(): Histogram {
    return this.free.pop() ?? createLatencyHistogram();
  }

  give(histogram: Histogram): void {
    histogram.reset();
    if (this.free.length < 16) this.free.push(histogram);
  }
}
