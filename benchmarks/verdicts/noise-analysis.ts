// What widens a paired comparison's intervals, measured on the samples of real paired runs
// (CHAOS_PAIRED_SAMPLES dumps, paired.ts): the same samples judged with and without each of the
// statistical candidates, so that their effect is measured on identical data. Pure apart from
// reading the dumps; `tsx benchmarks/verdicts/noise-analysis.ts DIR...` prints the table for
// the dumps under each DIR (one directory per arm and series, as noise.ts writes them).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  CONFIDENCE,
  changeOf,
  pairedRankSumClusters,
  quantile,
  rankSum,
  rankSumDesignEffect,
  totalCount,
  type PhaseSample,
} from '../../src/compare';
import type { LatencyBins, PhaseName } from '../../src/results';
import { sampleOf } from '../../src/scenario/comparison';
import type { PairedSamples } from '../../src/scenario/paired';

/** One shift interval, in ms. */
export interface Shift {
  estimate: number;
  low: number;
  high: number;
}

export interface Figures {
  file: string;
  prP50: number | null;
  baseP50: number | null;
  prP95: number | null;
  baseP95: number | null;
  /** The PR's requests in the phase. */
  n: number;
  /** The shift with R's independent requests, each side's seconds as clusters (the current method), and paired seconds. */
  shiftIid: Shift | null;
  shiftSides: Shift | null;
  shiftPaired: Shift | null;
  /** Paired, the inflation allowed below 1 (shared noise cancelling beyond independence). */
  shiftPairedFree: Shift | null;
  /** The paired inflation without the floor of 1, and the correlation it used. */
  pairedInflation: number | null;
  correlation: number | null;
  /** Per-side inflation (the current method). */
  sidesInflation: number | null;
  /** The p95 ratio's interval (relative change); null ends are unbounded. */
  p95: { change: number | null; low: number | null; high: number | null };
  /** Correlation of the two sides' per-second medians (how much of the noise the seconds share). */
  secondMedianCorrelation: number | null;
  /** The dump's paired mode; interleaved pairs the PR's second s with the base's s + 1. */
  mode: string;
  /** Seconds in which both sides stalled together (stallSeconds), left out of the trimmed figures. */
  stalledSeconds: number;
  /** Of the phase's paired seconds. */
  pairedSeconds: number;
  /** The paired shift and the p95 ratio with those seconds left out of both sides. */
  shiftTrimmed: Shift | null;
  p95Trimmed: { change: number | null; low: number | null; high: number | null };
}

type Second = NonNullable<PhaseSample['seconds']>[number];

/** The union of several seconds' bins. */
function mergeBins(parts: readonly LatencyBins[]): LatencyBins {
  const counts = new Map<number, number>();
  for (const bins of parts)
    bins.values.forEach((v, i) => counts.set(v, (counts.get(v) ?? 0) + bins.counts[i]));
  const values = [...counts.keys()].sort((a, b) => a - b);
  return { values, counts: values.map((v) => counts.get(v) as number) };
}

function medianOfNumbers(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Seconds in which both sides stalled together: on each side the second's median is an upward
 * outlier among the phase's per-second medians (more than 3.5 robust standard deviations,
 * 1.4826 × MAD, above their median, the usual modified z-score rule). A stall of the machine or
 * the generator delays both; a slower PR moves every second of one side, not a few of both.
 */
export function stallSeconds(pr: readonly Second[], base: readonly Second[]): Set<number> {
  const outliers = (seconds: readonly Second[]): Set<number> => {
    const medians = seconds
      .map((s) => ({ second: s.second, median: quantile(s.bins, 0.5) }))
      .filter((x): x is { second: number; median: number } => x.median !== null);
    if (medians.length < 4) return new Set();
    const center = medianOfNumbers(medians.map((x) => x.median));
    const spread = 1.4826 * medianOfNumbers(medians.map((x) => Math.abs(x.median - center)));
    // A spread of 0 (most seconds alike to the microsecond) would make every other second an outlier.
    const limit = center + 3.5 * Math.max(spread, 1);
    return new Set(medians.filter((x) => x.median > limit).map((x) => x.second));
  };
  const a = outliers(pr);
  const b = outliers(base);
  return new Set([...a].filter((second) => b.has(second)));
}

/** The sample without the given seconds: its bins rebuilt from the seconds that stay. */
function withoutSeconds(sample: PhaseSample, drop: ReadonlySet<number>): PhaseSample {
  if (!drop.size) return sample;
  const seconds = (sample.seconds ?? []).filter((s) => !drop.has(s.second));
  return { ...sample, seconds, bins: mergeBins(seconds.map((s) => s.bins)) };
}

/** Interleaved dumps: the base's turn (odd seconds) renumbered onto the PR's turn before it. */
function alignTurns(sample: PhaseSample, mode: string): PhaseSample {
  if (mode !== 'interleaved') return sample;
  return { ...sample, seconds: (sample.seconds ?? []).map((s) => ({ ...s, second: s.second - 1 })) };
}

const ms = (v: number | null): number | null => (v === null ? null : v / 1000);

function shiftOf(pr: PhaseSample, base: PhaseSample, inflation: number): Shift {
  const r = rankSum(pr.bins, base.bins, CONFIDENCE, inflation);
  return { estimate: r.estimate / 1000, low: r.low / 1000, high: r.high / 1000 };
}

function median(bins: LatencyBins): number | null {
  return quantile(bins, 0.5);
}

function pearson(pairs: [number, number][]): number | null {
  if (pairs.length < 4) return null;
  const mx = pairs.reduce((s, p) => s + p[0], 0) / pairs.length;
  const my = pairs.reduce((s, p) => s + p[1], 0) / pairs.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [a, b] of pairs) {
    sxy += (a - mx) * (b - my);
    sxx += (a - mx) ** 2;
    syy += (b - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

/** The figures of one phase of one dump. */
export function analyse(samples: PairedSamples, phase: PhaseName, file = ''): Figures | null {
  const mode = samples.mode ?? 'concurrent';
  const pr = sampleOf(samples.pr, phase, true);
  const baseSample = sampleOf(samples.base as Parameters<typeof sampleOf>[0], phase, true);
  if (!pr || !baseSample || totalCount(pr.bins) < 2 || totalCount(baseSample.bins) < 2) return null;
  const base = alignTurns(baseSample, mode);
  const prSeconds = pr.seconds ?? [];
  const baseSeconds = base.seconds ?? [];
  const iid = shiftOf(pr, base, 1);
  const sidesInflation = rankSumDesignEffect(
    pr.bins,
    base.bins,
    prSeconds.map((s) => s.bins),
    baseSeconds.map((s) => s.bins),
  );
  const paired = pairedRankSumClusters(
    pr.bins,
    base.bins,
    prSeconds,
    baseSeconds,
    Math.round(iid.estimate * 1000),
  );
  const baseBySecond = new Map(baseSeconds.map((s) => [s.second, median(s.bins)]));
  const pairs: [number, number][] = [];
  for (const s of prSeconds) {
    const a = median(s.bins);
    const b = baseBySecond.get(s.second);
    if (a !== null && b !== null && b !== undefined) pairs.push([a, b]);
  }
  const stalled = stallSeconds(prSeconds, baseSeconds);
  const prKept = withoutSeconds(pr, stalled);
  const baseKept = withoutSeconds(base, stalled);
  const trimmed = stalled.size
    ? pairedRankSumClusters(
        prKept.bins,
        baseKept.bins,
        prKept.seconds ?? [],
        baseKept.seconds ?? [],
        Math.round(shiftOf(prKept, baseKept, 1).estimate * 1000),
      )
    : paired;
  const baseSecondSet = new Set(baseSeconds.map((s) => s.second));
  return {
    file,
    mode,
    stalledSeconds: stalled.size,
    pairedSeconds: prSeconds.filter((s) => baseSecondSet.has(s.second)).length,
    shiftTrimmed: shiftOf(prKept, baseKept, Math.max(1, trimmed.inflation)),
    p95Trimmed: changeOf('p95', prKept, baseKept),
    prP50: ms(quantile(pr.bins, 0.5)),
    baseP50: ms(quantile(base.bins, 0.5)),
    prP95: ms(quantile(pr.bins, 0.95)),
    baseP95: ms(quantile(base.bins, 0.95)),
    n: totalCount(pr.bins),
    shiftIid: iid,
    shiftSides: shiftOf(pr, base, sidesInflation),
    shiftPaired: shiftOf(pr, base, Math.max(1, paired.inflation)),
    shiftPairedFree: shiftOf(pr, base, paired.inflation),
    pairedInflation: paired.inflation,
    correlation: paired.correlation,
    sidesInflation,
    p95: changeOf('p95', pr, base),
    secondMedianCorrelation: pearson(pairs),
  };
}

/** Every dump under a directory (recursively). */
export function dumpsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...dumpsUnder(full));
    else if (entry.endsWith('.json') && !entry.endsWith('journal.json') && entry !== 'results.json')
      out.push(full);
  }
  return out.sort();
}

export function readDump(file: string): PairedSamples | null {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<PairedSamples>;
  return data.pr && data.base ? (data as PairedSamples) : null;
}

const f = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
const interval = (s: Shift | null): string => (s ? `${f(s.estimate)} [${f(s.low)}, ${f(s.high)}]` : '—');
const pct = (v: number | null): string => (v === null ? '∞' : `${(v * 100).toFixed(0)}%`);

/** One line per dump. */
export function describeFigures(x: Figures): string {
  return (
    `p50 ${f(x.prP50)}/${f(x.baseP50)} p95 ${f(x.prP95)}/${f(x.baseP95)} ms n=${x.n} | ` +
    `shift iid ${interval(x.shiftIid)} sides(×${f(x.sidesInflation, 1)}) ${interval(x.shiftSides)} ` +
    `paired(×${f(x.pairedInflation, 2)}, ρ ${f(x.correlation, 2)}) ${interval(x.shiftPaired)} | ` +
    `p95 ${x.p95.change === null ? '—' : pct(x.p95.change)} [${pct(x.p95.low)}, ${pct(x.p95.high)}] | ` +
    `r(second medians) ${f(x.secondMedianCorrelation, 2)} | ${x.mode}, ${x.pairedSeconds} paired s, ` +
    `${x.stalledSeconds} stalled together: trimmed ${interval(x.shiftTrimmed)} ` +
    `p95 ${x.p95Trimmed.change === null ? '—' : pct(x.p95Trimmed.change)} [${pct(x.p95Trimmed.low)}, ${pct(x.p95Trimmed.high)}]`
  );
}

const halfWidth = (s: Shift | null): number | null => (s ? (s.high - s.low) / 2 : null);

function medianOf(values: (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Within / inconclusive / regressed counts of `shift < limit` on each method's intervals. */
function verdicts(list: Figures[], pick: (x: Figures) => Shift | null, limit: number): string {
  let within = 0;
  let regressed = 0;
  let open = 0;
  for (const x of list) {
    const s = pick(x);
    if (!s) open++;
    else if (s.high < limit) within++;
    else if (s.low >= limit) regressed++;
    else open++;
  }
  return `${within}/${open}/${regressed}`;
}

/** The summary of one group (an arm and a series): median half-widths and verdict counts. */
export function summarise(label: string, list: Figures[], limitMs: number): string {
  const methods: [string, (x: Figures) => Shift | null][] = [
    ['iid', (x) => x.shiftIid],
    ['sides', (x) => x.shiftSides],
    ['paired', (x) => x.shiftPaired],
    ['paired<1', (x) => x.shiftPairedFree],
    ['trimmed', (x) => x.shiftTrimmed],
  ];
  const parts = methods.map(
    ([name, pick]) =>
      `${name} ±${f(medianOf(list.map((x) => halfWidth(pick(x)))))} ms ${verdicts(list, pick, limitMs)}`,
  );
  const p95Open = list.filter((x) => x.p95.low === null || x.p95.high === null).length;
  type Ratio = Figures['p95'];
  const ratioHalf = (pick: (x: Figures) => Ratio): string => {
    const half = medianOf(
      list.map((x) => {
        const r = pick(x);
        return r.low !== null && r.high !== null ? (r.high - r.low) / 2 : null;
      }),
    );
    return half === null ? '—' : `${(half * 100).toFixed(0)}%`;
  };
  const trimmedOpen = list.filter((x) => x.p95Trimmed.low === null || x.p95Trimmed.high === null).length;
  const stalled = list.map((x) => `${x.stalledSeconds}/${x.pairedSeconds}`).join(',');
  return (
    `${label.padEnd(18)} runs=${list.length} base p50 ${f(medianOf(list.map((x) => x.baseP50)))} ms, ` +
    `p95 ${f(medianOf(list.map((x) => x.baseP95)))} ms | shift (within/inconclusive/regressed at < ${limitMs} ms): ` +
    `${parts.join('; ')} | p95 ratio ±${ratioHalf((x) => x.p95)} (${p95Open} unbounded), ` +
    `trimmed ±${ratioHalf((x) => x.p95Trimmed)} (${trimmedOpen} unbounded) | stalled together/paired seconds: ${stalled}`
  );
}

function main(): void {
  const dirs = process.argv.slice(2);
  if (!dirs.length) throw new Error('usage: noise-analysis.ts DIR...');
  const phase = (process.env.NOISE_PHASE ?? 'fault') as PhaseName;
  const limit = Number(process.env.NOISE_LIMIT_MS ?? 0.5);
  for (const dir of dirs) {
    const list: Figures[] = [];
    for (const file of dumpsUnder(dir)) {
      const dump = readDump(file);
      const x = dump ? analyse(dump, phase, file) : null;
      if (!x) continue;
      list.push(x);
      console.log(`${path.relative(process.cwd(), file)}: ${describeFigures(x)}`);
    }
    console.log(summarise(path.basename(dir), list, limit));
  }
}

if (require.main === module) main();
