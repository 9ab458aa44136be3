// The statistics of paired comparisons against R's published outputs. Every R call and its
// printed output is written next to the assertion (R 4.2.2, Debian's r-base-core).
import {
  binsOf,
  comparePhase,
  designEffect,
  changeOf,
  formatChange,
  judgeChange,
  meanRatio,
  newcombeDifference,
  pairedQuantileClusters,
  pnorm,
  qnorm,
  qt,
  quantile,
  quantileRatio,
  meanDesignEffect,
  rankSum,
  rankSumDesignEffect,
  wilson,
  type PhaseSample,
} from '../../../src/compare';
import type { LatencyBins, PhaseStats } from '../../../src/results';

/** Decimal data scaled to integers, as rank-sum needs (HDR buckets are integer µs). */
const cents = (values: number[]): number[] => values.map((v) => Math.round(v * 100));

describe('normal distribution', () => {
  it('matches R pnorm and qnorm', () => {
    // R: pnorm(-2) → 0.0227501319481792; pnorm(0.49) → 0.687933050582609; pnorm(-6) → 9.86587645037698e-10
    expect(pnorm(-2)).toBeCloseTo(0.0227501319481792, 14);
    expect(pnorm(0.49)).toBeCloseTo(0.687933050582609, 14);
    expect(pnorm(-6) / 9.86587645037698e-10).toBeCloseTo(1, 10);
    // R: qnorm(c(0.001, 0.025, 0.975)) → -3.090232306167813 -1.959963984540054 1.959963984540054
    expect(qnorm(0.001)).toBeCloseTo(-3.090232306167813, 12);
    expect(qnorm(0.025)).toBeCloseTo(-1.959963984540054, 12);
    expect(qnorm(0.975)).toBeCloseTo(1.959963984540054, 12);
  });
});

describe('rank-sum test and Hodges–Lehmann shift (R wilcox.test, exact = FALSE, correct = TRUE)', () => {
  it("R's documentation example (Hollander & Wolfe 1973, 69f.)", () => {
    // x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)
    // y <- c(1.15, 0.88, 0.90, 0.74, 1.21)
    // wilcox.test(x, y, exact = FALSE, correct = TRUE, conf.int = TRUE)
    //   W = 35, p-value = 0.2446236
    //   95 percent confidence interval: -0.1500148372  0.7599427653
    //   difference in location 0.302508339
    const x = cents([0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]);
    const y = cents([1.15, 0.88, 0.9, 0.74, 1.21]);
    const r = rankSum(binsOf(x), binsOf(y));
    expect(r.w).toBe(35);
    expect(r.pValue).toBeCloseTo(0.2446236051, 9);
    // R's uniroot stops within 1e-4 of the step; the steps here are at whole cents.
    expect(r.low / 100).toBeCloseTo(-0.15, 3);
    expect(r.high / 100).toBeCloseTo(0.76, 3);
    // The estimate's root is a flat stretch (0.30, 0.31): R returns a point in it, we its middle.
    expect(r.estimate / 100).toBeGreaterThanOrEqual(0.3);
    expect(r.estimate / 100).toBeLessThanOrEqual(0.31);
    expect(r.confidence).toBe(0.95);
  });

  it('ties: airquality Ozone, August against May', () => {
    // a <- na.omit(airquality$Ozone[airquality$Month == 5]); b <- na.omit(airquality$Ozone[airquality$Month == 8])
    // wilcox.test(b, a, exact = FALSE, correct = TRUE, conf.int = TRUE)
    //   W = 548.5, p-value = 0.0001208078
    //   95 percent confidence interval: 14.99997898 52.99998542
    //   difference in location 31.99995872
    const may = [
      41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4, 32, 23, 45, 115, 37,
    ];
    const august = [
      39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23, 31, 44, 21, 9, 45, 168, 73, 76, 118, 84,
      85,
    ];
    const r = rankSum(binsOf(august), binsOf(may));
    expect(r.w).toBe(548.5);
    expect(r.pValue).toBeCloseTo(0.0001208078308, 12);
    expect(r.low).toBeCloseTo(15, 3);
    expect(r.high).toBeCloseTo(53, 3);
    expect(r.estimate).toBeCloseTo(32, 3);
    // Reversed sides: the shift and its interval change sign.
    const back = rankSum(binsOf(may), binsOf(august));
    expect(back.estimate).toBeCloseTo(-32, 3);
    expect([back.low, back.high]).toEqual([-53, -15]);
    expect(back.pValue).toBeCloseTo(r.pValue, 12);
  });

  it('binned data give what the raw data give, at a cost that does not grow with the count', () => {
    // 200,000 requests in 30 buckets per side: as many buckets as distinct values.
    const x = { values: [] as number[], counts: [] as number[] };
    const y = { values: [] as number[], counts: [] as number[] };
    for (let i = 0; i < 30; i++) {
      x.values.push(1000 + i * 10);
      x.counts.push(4000 + ((i * 37) % 11) * 100);
      y.values.push(1000 + i * 10);
      y.counts.push(4000 + ((i * 53) % 7) * 100);
    }
    const started = Date.now();
    const r = rankSum(x, y);
    expect(Date.now() - started).toBeLessThan(200);
    expect(r.nx + r.ny).toBeGreaterThan(200_000);
    expect(r.low).toBeLessThanOrEqual(r.estimate);
    expect(r.high).toBeGreaterThanOrEqual(r.estimate);
    // The same data expanded to raw values (a smaller copy, 1/100) give the same shift.
    const small = (b: typeof x): number[] =>
      b.values.flatMap((v, i) => Array<number>(b.counts[i] / 100).fill(v));
    const raw = rankSum(binsOf(small(x)), binsOf(small(y)));
    expect(raw.estimate).toBe(r.estimate);
  });

  it('refuses what it cannot compute', () => {
    expect(() => rankSum(binsOf([]), binsOf([1, 2]))).toThrow('no observation');
    expect(() => rankSum(binsOf([5, 5]), binsOf([5]))).toThrow('same value');
    expect(() => rankSum(binsOf([0.5]), binsOf([1]))).toThrow('integers');
  });
});

describe('proportions', () => {
  it("Wilson's interval as R's prop.test(correct = FALSE)", () => {
    // prop.test(15, 400, correct = FALSE)$conf.int → 0.02285502981 0.06094384244
    const w = wilson(15, 400);
    expect(w.low).toBeCloseTo(0.02285502981, 10);
    expect(w.high).toBeCloseTo(0.06094384244, 10);
    // prop.test(0, 20, correct = FALSE)$conf.int → 0.0000000000 0.1611251581
    expect(wilson(0, 20).high).toBeCloseTo(0.1611251581, 10);
  });

  it("Newcombe's hybrid score interval (Newcombe 1998, Table II, method 10)", () => {
    // Published: 56/70 − 48/80 → 0.0524, 0.3339; 9/10 − 3/10 → 0.1705, 0.8090;
    // 5/56 − 0/29 → −0.0381, 0.1926; 0/10 − 0/20 → −0.1611, 0.2775. In R, from Wilson intervals:
    //   w1 <- prop.test(x1, n1, correct=FALSE)$conf.int; w2 <- prop.test(x2, n2, correct=FALSE)$conf.int
    //   c(d - sqrt((p1-w1[1])^2 + (w2[2]-p2)^2), d + sqrt((w1[2]-p1)^2 + (p2-w2[1])^2))
    //   → 0.0524314724 0.3338726540 / 0.1705227239 0.8090179735 / -0.0381371479 0.1925600139 / -0.1611251581 0.2775327999
    const cases: [number, number, number, number, number, number][] = [
      [56, 70, 48, 80, 0.0524314724, 0.333872654],
      [9, 10, 3, 10, 0.1705227239, 0.8090179735],
      [5, 56, 0, 29, -0.0381371479, 0.1925600139],
      [0, 10, 0, 20, -0.1611251581, 0.2775327999],
    ];
    for (const [x1, n1, x2, n2, low, high] of cases) {
      const d = newcombeDifference(x1, n1, x2, n2);
      expect(d.low).toBeCloseTo(low, 9);
      expect(d.high).toBeCloseTo(high, 9);
    }
  });
});

describe('ratio of quantiles', () => {
  it('matches the method written out in R', () => {
    // z <- qnorm(0.975); b <- function(s) { s <- sort(s); n <- length(s); h <- z*sqrt(n*p*(1-p))
    //   c(est=s[max(1, ceiling(p*n))], lo=s[floor(n*p - h)], hi=s[ceiling(n*p + h)]) }
    // se <- sqrt(((log(bx["hi"]) - log(bx["lo"]))/(2*z))^2 + ((log(by["hi"]) - log(by["lo"]))/(2*z))^2)
    // r <- bx["est"]/by["est"]; c(r, r*exp(-z*se), r*exp(z*se))
    // x <- 1:200 * 10; y <- 1:100 * 7
    //   p = 0.95 → 2.85714285714 2.67922519714 3.04687538578
    //   p = 0.5  → 2.85714285714 2.23204969502 3.65729550033
    const x = binsOf(Array.from({ length: 200 }, (_, i) => (i + 1) * 10));
    const y = binsOf(Array.from({ length: 100 }, (_, i) => (i + 1) * 7));
    const p95 = quantileRatio(x, y, 0.95);
    expect(p95?.ratio).toBeCloseTo(2.85714285714, 10);
    expect(p95?.low).toBeCloseTo(2.67922519714, 10);
    expect(p95?.high).toBeCloseTo(3.04687538578, 10);
    const p50 = quantileRatio(x, y, 0.5);
    expect(p50?.low).toBeCloseTo(2.23204969502, 10);
    expect(p50?.high).toBeCloseTo(3.65729550033, 10);
  });

  it('is unbounded where the tail holds too few requests to bound it', () => {
    const few = binsOf(Array.from({ length: 50 }, (_, i) => 1000 + i));
    const r = quantileRatio(few, few, 0.99);
    expect(r?.ratio).toBe(1);
    // Above the 50th observation nothing bounds either p99: no end of the ratio is bounded.
    expect(r?.high).toBeNull();
    expect(r?.low).toBeNull();
    // Against a large base the lower end exists: the PR's lower end over the base's upper end.
    const many = binsOf(Array.from({ length: 5000 }, (_, i) => 1000 + (i % 50)));
    const against = quantileRatio(few, many, 0.99);
    expect(against?.high).toBeNull();
    expect(against?.low).toBeCloseTo(1047 / 1049, 12);
  });

  it('covers the true ratio about 95 % of the time (A/A draws from one log-normal)', () => {
    // mulberry32, seeded: the same draws on every run.
    let state = 12345;
    const uniform = (): number => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
    };
    const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const draw = (n: number): number[] =>
      Array.from({ length: n }, () => Math.round(3000 * Math.exp(0.4 * normal())));
    let covered = 0;
    const trials = 150;
    for (let t = 0; t < trials; t++) {
      const r = quantileRatio(binsOf(draw(1500)), binsOf(draw(1500)), 0.95);
      if (r && r.low !== null && r.high !== null && r.low <= 1 && r.high >= 1) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThan(0.99);
  });

  it('ratio of means by the delta method', () => {
    // sqrt(var_x/(n_x m_x^2) + var_y/(n_y m_y^2)) on the log scale
    const r = meanRatio({ n: 100, mean: 10, variance: 4 }, { n: 100, mean: 5, variance: 1 });
    const se = Math.sqrt(4 / (100 * 100) + 1 / (100 * 25));
    expect(r?.ratio).toBe(2);
    expect(r?.low).toBeCloseTo(2 * Math.exp(-1.959963984540054 * se), 12);
  });
});

describe('regression verdicts on intervals', () => {
  it('violated only when the whole interval lies beyond the limit, passed only when it lies within', () => {
    expect(judgeChange({ change: 0.38, low: 0.22, high: 0.55 }, '<', 0.2)).toBe(false);
    expect(judgeChange({ change: 0.05, low: -0.02, high: 0.12 }, '<', 0.2)).toBe(true);
    expect(judgeChange({ change: 0.18, low: 0.1, high: 0.27 }, '<', 0.2)).toBeNull();
    expect(judgeChange({ change: 0.3, low: 0.22, high: null }, '<', 0.2)).toBe(false);
    expect(judgeChange({ change: 0.05, low: 0.01, high: null }, '<', 0.2)).toBeNull();
    expect(judgeChange({ change: null, low: null, high: null }, '<', 0.2)).toBeNull();
    // The limit itself is beyond `<` and within `<=`.
    expect(judgeChange({ change: 0.2, low: 0.2, high: 0.3 }, '<', 0.2)).toBe(false);
    expect(judgeChange({ change: 0.1, low: 0.0, high: 0.2 }, '<=', 0.2)).toBe(true);
  });

  it('formats the change with its interval', () => {
    expect(formatChange({ change: 0.38, low: 0.22, high: 0.55 }, 'relative')).toBe('+38 % [+22 %, +55 %]');
    expect(formatChange({ change: -0.041, low: -0.12, high: 0.031 }, 'relative')).toBe(
      '−4.1 % [−12 %, +3.1 %]',
    );
    expect(formatChange({ change: 0.3, low: 0.1, high: null }, 'relative')).toBe('+30 % [+10 %, +∞]');
    expect(formatChange({ change: 0.012, low: 0.004, high: 0.02 }, 'points')).toBe(
      '+1.2 pp [+0.4 pp, +2.0 pp]',
    );
  });
});

const stats = (scheduled: number, errorRate: number): PhaseStats =>
  ({
    phase: 'fault',
    scheduled,
    timed: scheduled,
    completed: scheduled,
    errorRate,
    errors: {},
  }) as unknown as PhaseStats;

describe('comparePhase', () => {
  /** n latencies around `ms` (µs bins with a spread of ±30 %). */
  const sample = (n: number, ms: number, errorRate = 0): PhaseSample => {
    const values = Array.from({ length: n }, (_, i) =>
      Math.round(ms * 1000 * (0.7 + (0.6 * ((i * 7919) % n)) / n)),
    );
    return { stats: stats(n, errorRate), bins: binsOf(values) };
  };

  it('A/A: the same distribution on both sides is within the limits', () => {
    const c = comparePhase('fault', sample(3000, 2.7), sample(3000, 2.7));
    expect(c.verdict).toBe('within');
    expect(c.p95.low).toBeLessThanOrEqual(0);
    expect(c.p95.high).toBeGreaterThanOrEqual(0);
    expect(c.shift?.estimateMs).toBe(0);
    expect(c.pr.p95Ms).toBeCloseTo(c.base.p95Ms as number, 6);
  });

  it('A/B: a doubled latency is regressed on p95 with an interval that excludes 0', () => {
    const c = comparePhase('fault', sample(3000, 5.0), sample(3000, 2.7));
    expect(c.verdict).toBe('regressed');
    expect(c.p95.low).toBeGreaterThan(0.2);
    expect(c.why).toMatch(/^fault p95 \+\d+ % \[\+\d+ %, \+\d+ %\]: the whole interval is beyond \+20 %$/);
    expect(c.shift?.lowMs).toBeGreaterThan(0);
    expect(c.shift?.pValue).toBeLessThan(1e-6);
  });

  it('a small change on few requests is inconclusive, with the interval shown', () => {
    const c = comparePhase('fault', sample(150, 3.2), sample(150, 2.7));
    expect(c.verdict).toBe('inconclusive');
    expect(c.why).toMatch(/straddles/);
  });

  it('a phase with no samples on either side is inconclusive, never within', () => {
    const empty: PhaseSample = { stats: stats(0, 0), bins: binsOf([]) };
    expect(comparePhase('fault', empty, sample(100, 3)).verdict).toBe('inconclusive');
    expect(comparePhase('fault', sample(100, 3), null).verdict).toBe('inconclusive');
    expect(comparePhase('fault', sample(100, 3), null).why).toMatch(/no request was sent on the base side/);
  });

  it('error rates: a difference of proportions in points', () => {
    const c = changeOf('error_rate', sample(2000, 3, 0.05), sample(2000, 3, 0));
    expect(c.change).toBeCloseTo(0.05, 9);
    expect(c.low).toBeGreaterThan(0.03);
    expect(comparePhase('fault', sample(2000, 3, 0.05), sample(2000, 3, 0)).verdict).toBe('regressed');
  });
});

describe('clustered requests (one second, one cluster)', () => {
  it("Kish's design effect: 1 for evenly spread hits, large when whole seconds hit together", () => {
    // 10 seconds of 100 requests, 5 % slow: spread evenly → the variance of independent requests.
    const even = Array.from({ length: 10 }, () => ({ n: 100, hits: 5 }));
    expect(designEffect(even)).toBe(1);
    // The same 5 % all in one second (a stall): between-second variance ≫ binomial.
    const stalled = Array.from({ length: 10 }, (_, i) => ({ n: 100, hits: i === 3 ? 50 : 0 }));
    // p = 0.05; Σ(h − p·n)² = 45² + 9·5² = 2250; clustered = 10/9 · 2250 / 1000² = 0.0025;
    // independent = 0.05 · 0.95 / 1000 = 4.75e-5; ratio = 52.63…; times (t₉ / z)², R:
    // (qt(0.975, 9) / qnorm(0.975))^2 → 1.332139 (the expansion here: within 1e-4)
    expect(designEffect(stalled) / (0.0025 / 4.75e-5)).toBeCloseTo(1.332139, 4);
    expect(designEffect([{ n: 100, hits: 50 }])).toBe(1);
  });

  it('widens the p95 interval of a stalled A/A run enough to cover no change', () => {
    // Two sides, 30 s of 100 req/s around 3 ms; in 2 seconds of one side everything takes 12 ms.
    const second = (
      slow: boolean,
      s: number,
    ): { second: number; scheduled: number; errors: number; bins: LatencyBins } => ({
      second: s,
      scheduled: 100,
      errors: 0,
      bins: binsOf(
        Array.from({ length: 100 }, (_, i) => (slow ? 12000 : 2500 + ((i * 37 + s * 11) % 100) * 10)),
      ),
    });
    const side = (stalls: number[]): PhaseSample => {
      const seconds = Array.from({ length: 30 }, (_, s) => second(stalls.includes(s), s));
      const bins = binsOf(
        seconds.flatMap((s) => s.bins.values.flatMap((v, i) => Array<number>(s.bins.counts[i]).fill(v))),
      );
      return { stats: stats(3000, 0), bins, seconds };
    };
    const stalled = side([4, 17]);
    const quiet = side([]);
    const independent = changeOf('p95', { ...stalled, seconds: undefined }, { ...quiet, seconds: undefined });
    const clustered = changeOf('p95', stalled, quiet);
    // Counted as independent requests, 2 stalled seconds look like a certain p95 regression.
    expect(independent.low).toBeGreaterThan(0.2);
    expect(clustered.change).toBe(independent.change);
    expect(clustered.low).toBeLessThan(0.2);
    expect(judgeChange(independent, '<', 0.2)).toBe(false);
    expect(judgeChange(clustered, '<', 0.2)).toBeNull();
  });
});

describe('clustered seconds widen the shift and the mean', () => {
  it('rankSum: a variance inflation widens the interval and raises the p-value, the estimate unchanged', () => {
    const x = binsOf(cents([0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]));
    const y = binsOf(cents([1.15, 0.88, 0.9, 0.74, 1.21]));
    const plain = rankSum(x, y);
    const wide = rankSum(x, y, 0.95, 4);
    expect(wide.estimate).toBe(plain.estimate);
    expect(wide.w).toBe(plain.w);
    // Four times the variance: the continuity-corrected z halves.
    expect(wide.pValue).toBeCloseTo(2 * pnorm(-qnorm(1 - 0.2446236051 / 2) / 2), 9);
    expect(wide.low).toBeLessThan(plain.low);
    expect(wide.high).toBeGreaterThan(plain.high);
    // Never narrower: an inflation under 1 counts as 1.
    expect(rankSum(x, y, 0.95, 0.25)).toEqual(plain);
  });

  it("meanDesignEffect: Kish's ratio with (t / z)² for the clusters' degrees of freedom", () => {
    // Seconds [1, 1] and [3, 3]: N = 4, mean 2, s² = (20 − 4·4) / 3 = 4/3, so s²/N = 1/3;
    // between seconds: 2/1 · ((2 − 4)² + (6 − 4)²) / 4² = 1; ratio 3; times (qt(0.975, 1) / z)².
    const deff = meanDesignEffect([
      { n: 2, sum: 2, squares: 2 },
      { n: 2, sum: 6, squares: 18 },
    ]);
    expect(deff).toBeCloseTo(3 * (12.706204736 / 1.959963984540054) ** 2, 4);
    expect(meanDesignEffect([{ n: 5, sum: 10, squares: 30 }])).toBe(1);
  });

  it('an A/A phase with two stalled seconds on one side: R would call it certain, the clusters do not', () => {
    // 30 s of 100 requests per side from one distribution; the PR side stalled twice (12 ms).
    const side = (stalls: number[]) =>
      Array.from({ length: 30 }, (_, s) =>
        binsOf(
          Array.from({ length: 100 }, (_, i) =>
            stalls.includes(s) ? 12000 + i : 2500 + ((i * 37 + s * 11) % 100) * 10,
          ),
        ),
      );
    const all = (seconds: LatencyBins[]) =>
      binsOf(seconds.flatMap((b) => b.values.flatMap((v, i) => Array<number>(b.counts[i]).fill(v))));
    const x = side([6, 21]);
    const y = side([]);
    const independent = rankSum(all(x), all(y));
    expect(independent.pValue).toBeLessThan(1e-4);
    const inflation = rankSumDesignEffect(all(x), all(y), x, y);
    expect(inflation).toBeGreaterThan(5);
    const clustered = rankSum(all(x), all(y), 0.95, inflation);
    // Measured: inflation 11.0; p 7.8e-6 → 0.18; shift +40 µs [+20, +50] → [−20, +90].
    expect(clustered.pValue).toBeGreaterThan(0.05);
    expect(clustered.low).toBeLessThanOrEqual(0);
    expect(clustered.estimate).toBe(independent.estimate);
    // Requests that do not cluster (every second alike) leave the test almost as R has it.
    const calm = rankSumDesignEffect(all(side([])), all(side([])), side([]), side([]));
    expect(calm).toBeLessThan(1.5);
  });
});

describe('a tail the clustered data cannot bound', () => {
  it('leaves the p99 ratio open rather than narrowing it through the density', () => {
    // 30 s of 100 requests; the PR side stalled in 3 seconds (everything 20 ms), the base in 1.
    // The p99 rests on 30 requests, all from stalled seconds: its rank interval widened by the
    // design effect runs past the last request, so the PR's upper end is unbounded and the
    // ratio cannot be bounded below by anything above 1: no regression can be claimed.
    const side = (stalls: number[]): { second: number; bins: LatencyBins }[] =>
      Array.from({ length: 30 }, (_, s) => ({
        second: s,
        bins: binsOf(
          Array.from({ length: 100 }, (_, i) =>
            stalls.includes(s) ? 20000 + i * 10 : 2500 + ((i * 37 + s) % 100) * 10,
          ),
        ),
      }));
    const all = (seconds: { bins: LatencyBins }[]): LatencyBins =>
      binsOf(
        seconds.flatMap((s) => s.bins.values.flatMap((v, i) => Array<number>(s.bins.counts[i]).fill(v))),
      );
    const x = side([2, 12, 25]);
    const y = side([7]);
    const qx = quantile(all(x), 0.99) as number;
    const qy = quantile(all(y), 0.99) as number;
    const clusters = pairedQuantileClusters(x, y, qx, qy, 0.99);
    expect(clusters.designEffects[0]).toBeGreaterThan(10);
    const r = quantileRatio(all(x), all(y), 0.99, 0.95, clusters);
    expect(r?.ratio).toBeGreaterThan(1);
    expect(r?.high).toBeNull();
    expect(r?.low == null || r.low < 1.2).toBe(true);
  });
});

describe('paired clusters (both sides ran at the same time)', () => {
  /** 30 seconds of 100 requests; in the stalled seconds half the latencies are `stall` µs. */
  const side = (base: number, stalls: number[], stall: number): { second: number; bins: LatencyBins }[] =>
    Array.from({ length: 30 }, (_, s) => ({
      second: s,
      bins: binsOf(
        Array.from({ length: 100 }, (_, i) =>
          stalls.includes(s) && i < 50 ? stall + i : base + ((i * 37 + s) % 100) * 10,
        ),
      ),
    }));
  const all = (seconds: { bins: LatencyBins }[]): LatencyBins =>
    binsOf(seconds.flatMap((s) => s.bins.values.flatMap((v, i) => Array<number>(s.bins.counts[i]).fill(v))));

  it('shared stalls correlate the two sides, and the correlation narrows the ratio interval', () => {
    // Two shared stalls of half a second's requests: a large design effect, yet few enough
    // stalled requests for the widened rank interval to stay inside the sample (more leave it
    // open: quantileRatio's open ends, tested above).
    const x = side(2500, [3, 20], 9000);
    const y = side(2500, [3, 20], 9000);
    const qx = quantile(all(x), 0.95) as number;
    const qy = quantile(all(y), 0.95) as number;
    const shared = pairedQuantileClusters(x, y, qx, qy, 0.95);
    expect(shared.correlation).toBeGreaterThan(0.8);
    expect(shared.designEffects[0]).toBeGreaterThan(5);
    const paired = quantileRatio(all(x), all(y), 0.95, 0.95, shared);
    const unpaired = quantileRatio(all(x), all(y), 0.95, 0.95, { ...shared, correlation: 0 });
    expect((paired?.high as number) - (paired?.low as number)).toBeLessThan(
      (unpaired?.high as number) - (unpaired?.low as number),
    );
    // Stalls at different moments do not correlate.
    const apart = pairedQuantileClusters(x, side(2500, [5, 14, 26], 9000), qx, qy, 0.95);
    expect(apart.correlation).toBeLessThan(0.2);
  });
});

describe("Student's t", () => {
  it('matches R qt where the clusters need it', () => {
    // qt(0.975, c(1, 2, 4, 9, 24)) → 12.706204736 4.302652730 2.776445105 2.262157163 2.063898562
    expect(qt(0.975, 1)).toBeCloseTo(12.706204736, 8);
    expect(qt(0.975, 2)).toBeCloseTo(4.30265273, 8);
    expect(qt(0.975, 4)).toBeCloseTo(2.776445105, 2);
    expect(qt(0.975, 9)).toBeCloseTo(2.262157163, 4);
    expect(qt(0.975, 24)).toBeCloseTo(2.063898562, 6);
  });
});
