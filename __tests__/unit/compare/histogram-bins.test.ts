// The load generator's HDR histograms as the bins compare/ ranks: same count, same percentiles.
import { quantile, totalCount } from '../../../src/compare';
import {
  createLatencyHistogram,
  histogramBins,
  mergeBins,
  recordLatencyMs,
  summarize,
} from '../../../src/load/histogram';

describe('histogramBins', () => {
  it('holds every request, ascending, and gives the percentiles the histogram reports', () => {
    const h = createLatencyHistogram();
    for (let i = 0; i < 5000; i++)
      recordLatencyMs(h, 1 + ((i * 7919) % 5000) / 1000 + (i % 97 === 0 ? 40 : 0));
    const bins = histogramBins(h);
    expect(totalCount(bins)).toBe(5000);
    expect(bins.values).toEqual([...bins.values].sort((a, b) => a - b));
    expect(new Set(bins.values).size).toBe(bins.values.length);
    const summary = summarize(h);
    expect((quantile(bins, 0.95) as number) / 1000).toBe(summary.p95Ms);
    expect((quantile(bins, 0.99) as number) / 1000).toBe(summary.p99Ms);
    expect((quantile(bins, 0.5) as number) / 1000).toBe(summary.p50Ms);
  });

  it('is empty for an empty histogram, and merges', () => {
    expect(histogramBins(createLatencyHistogram())).toEqual({ values: [], counts: [] });
    expect(mergeBins({ values: [1, 3], counts: [2, 1] }, { values: [2, 3], counts: [5, 4] })).toEqual({
      values: [1, 2, 3],
      counts: [2, 5, 5],
    });
  });
});
