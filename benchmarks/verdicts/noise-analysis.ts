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
  const pr = sampleOf(samples.pr, phase, true);
  const base = sampleOf(samples.base as Parameters<typeof sampleOf>[0], phase, true);
  if (!pr || !base || totalCount(pr.bins) < 2 || totalCount(base.bins) < 2) return null;
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
  return {
    file,
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
    `r(second medians) ${f(x.secondMedianCorrelation, 2)}`
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
  ];
  const parts = methods.map(
    ([name, pick]) =>
      `${name} ±${f(medianOf(list.map((x) => halfWidth(pick(x)))))} ms ${verdicts(list, pick, limitMs)}`,
  );
  const p95Open = list.filter((x) => x.p95.low === null || x.p95.high === null).length;
  const p95Half = medianOf(
    list.map((x) => (x.p95.low !== null && x.p95.high !== null ? (x.p95.high - x.p95.low) / 2 : null)),
  );
  return (
    `${label.padEnd(18)} runs=${list.length} base p50 ${f(medianOf(list.map((x) => x.baseP50)))} ms, ` +
    `p95 ${f(medianOf(list.map((x) => x.baseP95)))} ms | shift (within/inconclusive/regressed at < ${limitMs} ms): ` +
    `${parts.join('; ')} | p95 ratio ±${p95Half === null ? '—' : `${(p95Half * 100).toFixed(0)}%`} (${p95Open} unbounded)`
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
