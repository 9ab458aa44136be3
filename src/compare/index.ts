// Paired comparison: the PR's per-phase samples against the base's, as intervals and a
// verdict word. Pure (data in, data out); imports only the results contract.
//
// API (what the runner, the verdict and the reports use):
//   comparePhase(phase, pr, base, limits)   → PhaseComparison (results.json's comparison.phases[])
//   changeOf(metric, pr, base)              → ChangeInterval for one regression metric
//   judgeChange(interval, op, limit)        → true (within), false (regressed), null (inconclusive)
//   formatChange(interval, unit)            → "+38 % [+22 %, +55 %]"
//
// The statistics, all at CONFIDENCE (95 %, two-sided), every one counting a second of load as
// a cluster when the seconds are given (clusters.ts):
// - latency location: Mann–Whitney U with the Hodges–Lehmann shift and its interval, as R's
//   wilcox.test(x, y, exact = FALSE, correct = TRUE, conf.int = TRUE) (rank-sum.ts), with U's
//   variance widened by the per-second design effect of the placements (clusters.ts): a run's
//   requests are not independent, and R's p-value on 3000 of them reads 1e-200 for a stall;
// - relative change of a latency quantile (p50 … p99, what `pQ regression < N%` limits): the
//   ratio PR pQ / base pQ with a distribution-free interval (quantile-ratio.ts). Not the HL
//   shift divided by the base median: a regression threshold names a quantile, and a tail can
//   move while the median does not (a request path that sometimes waits on an export);
// - `avg`: the ratio of means (delta method), each variance widened by its per-second design effect;
// - error rate: the difference of proportions with Newcombe's hybrid score interval, built on
//   Wilson intervals (proportions.ts): it stays sensible at 0 errors on a side.
// `max` has no interval (one request decides it): its regression is always inconclusive.
import type {
  ChangeInterval,
  ComparisonVerdict,
  LatencyBins,
  PhaseComparison,
  PhaseName,
  PhaseStats,
  ScenarioComparison,
  SideFigures,
} from '../results';
import { meanAndVariance, quantile, totalCount } from './bins';
import {
  designEffect,
  meanDesignEffect,
  pairedQuantileClusters,
  rankSumDesignEffect,
  valueClusters,
} from './clusters';
import { newcombeDifference } from './proportions';
import { meanRatio, quantileRatio } from './quantile-ratio';
import { rankSum, rankSumProblem } from './rank-sum';

export { binsOf, quantile, totalCount } from './bins';
export { rankSum, type RankSumResult } from './rank-sum';
export { newcombeDifference, wilson } from './proportions';
export { quantileRatio, quantileBounds, meanRatio } from './quantile-ratio';
export { pnorm, qnorm, qt } from './normal';
export {
  designEffect,
  quantileDesignEffect,
  pairedQuantileClusters,
  countBelow,
  meanDesignEffect,
  rankSumDesignEffect,
} from './clusters';

/** Two-sided confidence level of every interval here. */
export const CONFIDENCE = 0.95;

/** The metrics a regression threshold can name. */
export type ChangeMetric = 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'avg' | 'error_rate';

/**
 * A phase judged on fewer seconds of load than this is inconclusive: the intervals count one
 * second as one cluster (clusters.ts), and a handful of seconds cannot say how much stalls vary
 * (measured here: an A/A 5-second `after` phase at p95 +201 % [+71 %, +428 %] on a loaded machine).
 */
export const MIN_SECONDS = 10;

/** Regression limits the verdict word uses when the scenario sets none: as the docs' example thresholds. */
export const DEFAULT_LIMITS = { p95: 0.2, p99: 0.2, errorRate: 0.01 };

/** One side of one phase: its load figures and its latencies. */
export interface PhaseSample {
  stats: PhaseStats;
  /** Latencies in integer microseconds. */
  bins: LatencyBins;
  /**
   * The phase's requests second by second (clusters.ts): with them the quantile and error-rate
   * intervals count each second as a cluster; without them requests count as independent.
   */
  seconds?: { second: number; scheduled: number; errors: number; bins: LatencyBins }[];
  /**
   * True when both sides ran at the same time, loads started together: second s of one is
   * second s of the other, and their shared noise may cancel. False: seconds are not matched.
   */
  simultaneous?: boolean;
}

const QUANTILE: Partial<Record<ChangeMetric, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** Why this metric cannot be compared on these samples, or null. */
export function changeProblem(
  metric: ChangeMetric,
  pr: PhaseSample | null,
  base: PhaseSample | null,
): string | null {
  if (!pr || pr.stats.scheduled === 0) return 'no request was sent on the PR side';
  if (!base || base.stats.scheduled === 0) return 'no request was sent on the base side';
  const seconds = Math.min(pr.seconds?.length ?? Infinity, base.seconds?.length ?? Infinity);
  if (seconds < MIN_SECONDS)
    return `only ${seconds} s of load: too few seconds to tell a stall from a change (at least ${MIN_SECONDS} s)`;
  if (metric === 'error_rate') return null;
  if (metric === 'max') return 'max rests on one request and has no interval (use p99)';
  if (totalCount(pr.bins) === 0) return 'no request on the PR side has a latency';
  if (totalCount(base.bins) === 0) return 'no request on the base side has a latency';
  return null;
}

/** The change of one metric, PR against base, with its interval (all null when it cannot be computed). */
export function changeOf(
  metric: ChangeMetric,
  pr: PhaseSample | null,
  base: PhaseSample | null,
): ChangeInterval {
  const none: ChangeInterval = { change: null, low: null, high: null };
  if (changeProblem(metric, pr, base) !== null || !pr || !base) return none;
  if (metric === 'error_rate') {
    // Clustered errors (a stall fails a second's requests together) count as fewer independent ones.
    const effective = (side: PhaseSample): [number, number] => {
      const deff = designEffect((side.seconds ?? []).map((s) => ({ n: s.scheduled, hits: s.errors })));
      return [errorsOf(side.stats) / deff, side.stats.scheduled / deff];
    };
    const [xPr, nPr] = effective(pr);
    const [xBase, nBase] = effective(base);
    const d = newcombeDifference(xPr, nPr, xBase, nBase, CONFIDENCE);
    return { change: d.estimate, low: d.low, high: d.high };
  }
  const q = QUANTILE[metric];
  let ratio;
  if (q !== undefined) {
    const qx = quantile(pr.bins, q);
    const qy = quantile(base.bins, q);
    const found =
      pr.seconds && base.seconds && qx !== null && qy !== null
        ? pairedQuantileClusters(pr.seconds, base.seconds, qx, qy, q)
        : undefined;
    const matched = pr.simultaneous === true && base.simultaneous === true;
    const clusters = found && !matched ? { ...found, correlation: 0 } : found;
    ratio = quantileRatio(pr.bins, base.bins, q, CONFIDENCE, clusters);
  } else {
    // Each side's variance widened by its per-second design effect, as the quantiles are.
    const widened = (side: PhaseSample) => {
      const m = meanAndVariance(side.bins);
      const deff = side.seconds ? meanDesignEffect(valueClusters(side.seconds.map((s) => s.bins))) : 1;
      return { ...m, variance: m.variance * deff };
    };
    ratio = meanRatio(widened(pr), widened(base), CONFIDENCE);
  }
  if (!ratio) return none;
  return {
    change: ratio.ratio - 1,
    low: ratio.low === null ? null : ratio.low - 1,
    high: ratio.high === null ? null : ratio.high - 1,
  };
}

type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';

function holds(value: number, op: Comparator, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

/**
 * A regression threshold on an interval: within (true) only when every value of the interval
 * satisfies `change op limit`, regressed (false) only when none does, inconclusive (null)
 * otherwise, and whenever an end is unbounded on the side that matters or there is no estimate.
 */
export function judgeChange(interval: ChangeInterval, op: Comparator, limit: number): boolean | null {
  const { change, low, high } = interval;
  if (change === null) return null;
  if (op === '==' || op === '!=') {
    // An interval never proves equality; it can prove the value differs.
    const excludes = low !== null && high !== null && (limit < low || limit > high);
    if (op === '==') return excludes ? false : null;
    return excludes ? true : null;
  }
  const lo = low ?? -Infinity;
  const hi = high ?? Infinity;
  const loHolds = holds(lo, op, limit);
  const hiHolds = holds(hi, op, limit);
  if (loHolds && hiHolds) return true;
  if (!loHolds && !hiHolds) return false;
  return null;
}

/** "+38 % [+22 %, +55 %]" for relative changes, "+1.2 pp [+0.4 pp, +2.0 pp]" for error rates. */
export function formatChange(interval: ChangeInterval, unit: 'relative' | 'points'): string {
  if (interval.change === null) return 'n/a';
  const one = (v: number | null, end: 'low' | 'high'): string => {
    if (v === null) return end === 'low' ? '−∞' : '+∞';
    const scaled = v * 100;
    const digits = Math.abs(scaled) < 10 ? 1 : 0;
    const text = scaled.toFixed(digits);
    const zero = Number(text) === 0;
    const sign = zero ? '±' : scaled > 0 ? '+' : '−';
    return `${sign}${text.replace('-', '')}${unit === 'relative' ? ' %' : ' pp'}`;
  };
  return `${one(interval.change, 'high')} [${one(interval.low, 'low')}, ${one(interval.high, 'high')}]`;
}

function errorsOf(stats: PhaseStats): number {
  return Math.round(stats.errorRate * stats.scheduled);
}

function figures(sample: PhaseSample | null): SideFigures {
  if (!sample) return { scheduled: 0, timed: 0, p50Ms: null, p95Ms: null, p99Ms: null, errorRate: null };
  const ms = (p: number): number | null => {
    const v = quantile(sample.bins, p);
    return v === null ? null : v / 1000;
  };
  return {
    scheduled: sample.stats.scheduled,
    timed: totalCount(sample.bins),
    p50Ms: ms(0.5),
    p95Ms: ms(0.95),
    p99Ms: ms(0.99),
    errorRate: sample.stats.scheduled > 0 ? sample.stats.errorRate : null,
  };
}

/**
 * One phase, PR against base: figures, intervals, and the verdict word against `limits`
 * (relative for p95 and p99, percentage points for the error rate): regressed when any
 * interval lies wholly beyond its limit, within when all lie wholly inside theirs, else
 * inconclusive. A phase with no request on either side is inconclusive.
 */
export function comparePhase(
  phase: PhaseName,
  pr: PhaseSample | null,
  base: PhaseSample | null,
  limits: { p95: number; p99: number; errorRate: number } = DEFAULT_LIMITS,
): PhaseComparison {
  const p95 = changeOf('p95', pr, base);
  const p99 = changeOf('p99', pr, base);
  const errorRate = changeOf('error_rate', pr, base);
  let shift: PhaseComparison['shift'] = null;
  if (pr && base && rankSumProblem(pr.bins, base.bins) === null) {
    const inflation =
      pr.seconds && base.seconds
        ? rankSumDesignEffect(
            pr.bins,
            base.bins,
            pr.seconds.map((s) => s.bins),
            base.seconds.map((s) => s.bins),
          )
        : 1;
    const r = rankSum(pr.bins, base.bins, CONFIDENCE, inflation);
    shift = { estimateMs: r.estimate / 1000, lowMs: r.low / 1000, highMs: r.high / 1000, pValue: r.pValue };
  }
  const checks = [
    { name: 'p95', interval: p95, limit: limits.p95, unit: 'relative' as const },
    { name: 'p99', interval: p99, limit: limits.p99, unit: 'relative' as const },
    { name: 'error rate', interval: errorRate, limit: limits.errorRate, unit: 'points' as const },
  ].map((c) => ({ ...c, judged: judgeChange(c.interval, '<', c.limit) }));
  const problem = changeProblem('p95', pr, base);
  let verdict: ComparisonVerdict;
  let why: string;
  const regressed = checks.find((c) => c.judged === false);
  const open = checks.find((c) => c.judged === null);
  const limitText = (c: (typeof checks)[number]): string =>
    c.unit === 'relative' ? `+${Math.round(c.limit * 100)} %` : `+${c.limit * 100} pp`;
  if (regressed) {
    verdict = 'regressed';
    why = `${phase} ${regressed.name} ${formatChange(regressed.interval, regressed.unit)}: the whole interval is beyond ${limitText(regressed)}`;
  } else if (problem && checks.every((c) => c.judged === null)) {
    verdict = 'inconclusive';
    why = `${phase}: ${problem}`;
  } else if (open) {
    verdict = 'inconclusive';
    why =
      open.interval.change === null
        ? `${phase} ${open.name}: ${changeProblem(open.name === 'error rate' ? 'error_rate' : (open.name as ChangeMetric), pr, base) ?? 'no interval'}`
        : `${phase} ${open.name} ${formatChange(open.interval, open.unit)}: the interval straddles ${limitText(open)}, more requests would narrow it`;
  } else {
    verdict = 'within';
    why = `every interval lies below its limit (p95 ${limitText(checks[0])}, p99 ${limitText(checks[1])}, error rate ${limitText(checks[2])})`;
  }
  return { phase, pr: figures(pr), base: figures(base), p95, p99, errorRate, shift, verdict, why };
}

/**
 * A scenario's comparison in one cell: the first regressed phase, else the first inconclusive
 * one, else the fault (or baseline) phase's p95 change, e.g. "regressed: fault p95 +85 % [+61 %, +112 %]".
 */
export function comparisonHeadline(comparison: ScenarioComparison): string {
  const { phases } = comparison;
  const pick =
    phases.find((p) => p.verdict === 'regressed') ??
    phases.find((p) => p.verdict === 'inconclusive' && (p.pr.scheduled > 0 || p.base.scheduled > 0)) ??
    phases.find((p) => p.phase === 'fault' && p.pr.scheduled > 0) ??
    phases.find((p) => p.pr.scheduled > 0);
  if (!pick) return 'inconclusive: no phase measured on both sides';
  if (pick.verdict === 'inconclusive' && pick.p95.change === null) return `inconclusive: ${pick.why}`;
  const regressedOn =
    pick.verdict === 'regressed' ? /^\S+ (p95|p99|error rate) /.exec(pick.why)?.[1] : undefined;
  if (regressedOn === 'error rate')
    return `regressed: ${pick.phase} errors ${formatChange(pick.errorRate, 'points')}`;
  if (regressedOn === 'p99') return `regressed: ${pick.phase} p99 ${formatChange(pick.p99, 'relative')}`;
  return `${pick.verdict}: ${pick.phase} p95 ${formatChange(pick.p95, 'relative')}`;
}
