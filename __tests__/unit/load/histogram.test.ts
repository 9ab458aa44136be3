import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  recordLatencyMs,
  summarize,
} from '../../../src/load/histogram';

describe('latency histograms', () => {
  it('summarizes in milliseconds from microsecond records, without rounding to whole ms', () => {
    const histogram = createLatencyHistogram();
    for (let i = 1; i <= 1000; i++) recordLatencyMs(histogram, i / 10); // 0.1 … 100 ms
    const summary = summarize(histogram);
    expect(summary.p50Ms).toBeCloseTo(50, 0);
    expect(summary.p99Ms).toBeCloseTo(99, 0);
    expect(summary.maxMs).toBeCloseTo(100, 0);
    expect(summary.p50Ms! % 1).not.toBe(0);
  });

  it('reports nulls for an empty window', () => {
    expect(summarize(createLatencyHistogram())).toEqual({
      meanMs: null,
      p50Ms: null,
      p90Ms: null,
      p95Ms: null,
      p99Ms: null,
      maxMs: null,
    });
  });

  it('merges live and encoded parts into the histogram of all their values', () => {
    const fast = createLatencyHistogram();
    const slow = createLatencyHistogram();
    const all = createLatencyHistogram();
    for (let i = 0; i < 900; i++) {
      recordLatencyMs(fast, 5 + (i % 10));
      recordLatencyMs(all, 5 + (i % 10));
    }
    for (let i = 0; i < 100; i++) {
      recordLatencyMs(slow, 1000 + i);
      recordLatencyMs(all, 1000 + i);
    }
    const merged = mergeHistograms([fast, encodeHistogram(slow)]);
    expect(merged.totalCount).toBe(1000);
    expect(summarize(merged)).toEqual(summarize(all));
    // The slow tenth dominates p95 and p99 but not p50.
    expect(summarize(merged).p95Ms).toBeGreaterThanOrEqual(1000);
    expect(summarize(merged).p50Ms).toBeLessThan(15);
  });

  it('round-trips through the compressed encoding, including values beyond the initial 60 s range', () => {
    const histogram = createLatencyHistogram();
    recordLatencyMs(histogram, 0.25);
    recordLatencyMs(histogram, 120_000);
    const decoded = decodeHistogram(encodeHistogram(histogram));
    expect(decoded.totalCount).toBe(2);
    // Three significant digits: within 0.1 % of the recorded value.
    expect(Math.abs(summarize(decoded).maxMs! - 120_000)).toBeLessThan(120);
  });
});
