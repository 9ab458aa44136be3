// Paired comparison: the PR's per-phase samples against the base's, as intervals and a
// verdict word. Pure (data in, data out); imports only the results contract.
//
// API (what the runner, the verdict and the reports use):
//   comparePhase(phase, pr, base, checks)   → PhaseComparison (results.json's comparison.phases[])
//   changeOf(metric, pr, base)              → ChangeInterval for one regression metric
//   shiftChange(metric, unit, pr, base)     → ChangeInterval of a location shift (ms or relative)
//   chooseLatencyCheck(pr, base)            → the default latency check that can decide (default-check.ts)
//   judgeChange(interval, op, limit)        → true (within), false (regressed), null (inconclusive)
//   formatChange(interval, unit)            → "+38 % [+22 %, +55 %]"
//
// The statistics, all at CONFIDENCE (95 %, two-sided), every one counting a second of load as
// a cluster when the seconds are given (clusters.ts):
// - latency location: Mann–Whitney U with the Hodges–Lehmann shift and its interval, as R's
//   wilcox.test(x, y, exact = FALSE, correct = TRUE, conf.int = TRUE) (rank-sum.ts), with U's
//   variance taken from the seconds as clusters (clusters.ts): a run's requests are not
//   independent, and R's p-value on 3000 of them reads 1e-200 for a stall. When both sides ran
//   at the same time the seconds are paired, so that a stall both shared cancels; `shift`
//   thresholds (`p50 shift < 0.5ms`) are judged on this interval, `mean shift` on the
//   difference of means with the seconds paired the same way;
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
  pairedMeanDifference,
  pairedQuantileClusters,
  pairedRankSumClusters,
  valueClusters,
} from './clusters';
import { qnorm } from './normal';
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
  pairedMeanDifference,
  pairedRankSumClusters,
  pairedVariance,
  rankSumDesignEffect,
  type PairedRankSumClusters,
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

/** The Hodges–Lehmann shift of the PR's latencies against the base's (ms), as PhaseComparison holds it. */
export type LocationShift = NonNullable<PhaseComparison['shift']>;

/**
 * The Hodges–Lehmann shift PR − base in ms with its interval and the Mann–Whitney p-value, as
 * R's wilcox.test computes them (rank-sum.ts), U's variance taken from the seconds as clusters:
 * paired second by second when both sides ran at the same time (clusters.ts'
 * pairedRankSumClusters: a stall both shared cancels), each side on its own otherwise. null
 * when rankSumProblem says it cannot be computed.
 */
export function locationShift(pr: PhaseSample | null, base: PhaseSample | null): LocationShift | null {
  if (!pr || !base || rankSumProblem(pr.bins, base.bins) !== null) return null;
  // The estimate does not depend on the variance; the clusters are read at the estimated shift.
  const estimate = rankSum(pr.bins, base.bins, CONFIDENCE).estimate;
  let inflation = 1;
  if (pr.seconds && base.seconds) {
    const matched = pr.simultaneous === true && base.simultaneous === true;
    inflation = pairedRankSumClusters(
      pr.bins,
      base.bins,
      pr.seconds,
      base.seconds,
      Math.round(estimate),
      matched,
    ).inflation;
  }
  const r = rankSum(pr.bins, base.bins, CONFIDENCE, Math.max(MIN_SHIFT_INFLATION, inflation));
  return { estimateMs: r.estimate / 1000, lowMs: r.low / 1000, highMs: r.high / 1000, pValue: r.pValue };
}

/**
 * The least the seconds may scale the shift's variance against R's independent requests.
 * Pairing cancels shared stalls; this keeps it from making the interval narrower than
 * independent requests would give (docs/calibration.md measures what that costs).
 */
export const MIN_SHIFT_INFLATION = 1;

/** How a shift threshold reads the shift: in ms, or relative to the base's median (mean for `mean shift`). */
export type ShiftUnit = 'ms' | 'relative';

/**
 * A location shift as a ChangeInterval: `p50` the Hodges–Lehmann shift (locationShift), `avg`
 * the difference of the means with the seconds paired (clusters.ts' pairedMeanDifference).
 * In ms, or relative: the HL shift over the base's median (a scale, taken as known: at
 * thousands of requests its own uncertainty is small beside the shift's), the ratio of the
 * means − 1. All null when it cannot be computed.
 */
export function shiftChange(
  metric: 'p50' | 'avg',
  unit: ShiftUnit,
  pr: PhaseSample | null,
  base: PhaseSample | null,
): ChangeInterval {
  const none: ChangeInterval = { change: null, low: null, high: null };
  if (changeProblem(metric, pr, base) !== null || !pr || !base) return none;
  if (metric === 'p50') {
    const shift = locationShift(pr, base);
    const median = quantile(base.bins, 0.5);
    if (!shift) return none;
    if (unit === 'ms') return { change: shift.estimateMs, low: shift.lowMs, high: shift.highMs };
    if (!median) return none;
    const scale = median / 1000;
    return { change: shift.estimateMs / scale, low: shift.lowMs / scale, high: shift.highMs / scale };
  }
  const relative = unit === 'relative';
  const matched = pr.simultaneous === true && base.simultaneous === true;
  const secondsOf = (side: PhaseSample) => side.seconds ?? [{ second: 0, bins: side.bins }];
  const d = pairedMeanDifference(secondsOf(pr), secondsOf(base), relative, matched);
  if (!d) return none;
  const half = qnorm(1 - (1 - CONFIDENCE) / 2) * Math.sqrt(d.variance);
  if (relative)
    return {
      change: Math.exp(d.estimate) - 1,
      low: Math.exp(d.estimate - half) - 1,
      high: Math.exp(d.estimate + half) - 1,
    };
  const toMs = (v: number): number => v / 1000;
  return { change: toMs(d.estimate), low: toMs(d.estimate - half), high: toMs(d.estimate + half) };
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

/**
 * "+38 % [+22 %, +55 %]" for relative changes, "+1.2 pp [+0.4 pp, +2.0 pp]" for error rates,
 * "+1.00 ms [+0.94 ms, +1.07 ms]" for shifts in ms.
 */
export function formatChange(interval: ChangeInterval, unit: 'relative' | 'points' | 'ms'): string {
  if (interval.change === null) return 'n/a';
  const one = (v: number | null, end: 'low' | 'high'): string => {
    if (v === null) return end === 'low' ? '−∞' : '+∞';
    if (unit === 'ms') {
      const text = Math.abs(v) < 10 ? v.toFixed(2) : v.toFixed(1);
      const zero = Number(text) === 0;
      return `${zero ? '±' : v > 0 ? '+' : '−'}${text.replace('-', '')} ms`;
    }
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
 * One regression check a comparison's verdict word is judged on: a metric's change against a
 * limit, `change op limit` (`p95 regression < 20%` is { metric: 'p95', op: '<', limit: 0.2 }).
 * `shift`: the location shift instead (shiftChange), in ms or relative to the base.
 */
export interface RegressionCheck {
  metric: ChangeMetric;
  op: Comparator;
  limit: number;
  shift?: ShiftUnit;
}

/** The unit of a check's change: relative (quantile ratios, relative shifts), points (error rates), ms (shifts). */
export function checkUnit(check: Pick<RegressionCheck, 'metric' | 'shift'>): 'relative' | 'points' | 'ms' {
  if (check.shift) return check.shift;
  return check.metric === 'error_rate' ? 'points' : 'relative';
}

/** The check's name as the verdict's reasons say it: "p95", "error rate", "p50 shift", "mean shift". */
export function checkName(check: Pick<RegressionCheck, 'metric' | 'shift'>): string {
  const metric =
    check.metric === 'error_rate' ? 'error rate' : check.metric === 'avg' ? 'mean' : check.metric;
  return check.shift ? `${metric} shift` : metric;
}

/** The check's change with its interval, PR against base. */
export function checkInterval(
  check: Pick<RegressionCheck, 'metric' | 'shift'>,
  pr: PhaseSample | null,
  base: PhaseSample | null,
): ChangeInterval {
  if (check.shift) return shiftChange(check.metric === 'avg' ? 'avg' : 'p50', check.shift, pr, base);
  return changeOf(check.metric, pr, base);
}

/** "+20 %", "+1 pp", "0.5 ms": a limit as the reasons show it. */
export function formatLimit(check: RegressionCheck): string {
  const unit = checkUnit(check);
  if (unit === 'ms') return `${Number(check.limit.toFixed(3))} ms`;
  if (unit === 'points') return `+${Number((check.limit * 100).toFixed(2))} pp`;
  return `+${Number((check.limit * 100).toFixed(1))} %`;
}

/** The checks of a set of ratio limits (p95 and p99 relative, the error rate in points), all `<`. */
export function limitChecks(limits: { p95: number; p99: number; errorRate: number }): RegressionCheck[] {
  return [
    { metric: 'p95', op: '<', limit: limits.p95 },
    { metric: 'p99', op: '<', limit: limits.p99 },
    { metric: 'error_rate', op: '<', limit: limits.errorRate },
  ];
}

/**
 * One phase, PR against base: figures, intervals, and the verdict word against `checks`:
 * regressed when any check's interval lies wholly beyond its limit, within when every one lies
 * wholly inside, else inconclusive. A phase with no request on either side is inconclusive.
 * p95, p99, the error rate and the shift are always reported, whichever checks judge.
 */
export function comparePhase(
  phase: PhaseName,
  pr: PhaseSample | null,
  base: PhaseSample | null,
  checks: readonly RegressionCheck[] = limitChecks(DEFAULT_LIMITS),
): PhaseComparison {
  const p95 = changeOf('p95', pr, base);
  const p99 = changeOf('p99', pr, base);
  const errorRate = changeOf('error_rate', pr, base);
  // Shown only where it can be judged: a phase too short for any interval (changeProblem) gets
  // none, so a shift shown beyond its limit never sits beside an inconclusive verdict.
  const shift = changeProblem('p50', pr, base) === null ? locationShift(pr, base) : null;
  const shown: Partial<Record<string, ChangeInterval>> = { p95, p99, error_rate: errorRate };
  const judged = checks.map((check) => {
    const interval = (!check.shift && shown[check.metric]) || checkInterval(check, pr, base);
    return { check, interval, judged: judgeChange(interval, check.op, check.limit) };
  });
  const problem = changeProblem('p95', pr, base);
  let verdict: ComparisonVerdict;
  let why: string;
  const regressed = judged.find((c) => c.judged === false);
  const open = judged.find((c) => c.judged === null);
  const text = (c: (typeof judged)[number]): string =>
    `${phase} ${checkName(c.check)} ${formatChange(c.interval, checkUnit(c.check))}`;
  if (regressed) {
    verdict = 'regressed';
    why = `${text(regressed)}: the whole interval is beyond ${formatLimit(regressed.check)}`;
  } else if (problem && judged.every((c) => c.judged === null)) {
    verdict = 'inconclusive';
    why = `${phase}: ${problem}`;
  } else if (open) {
    verdict = 'inconclusive';
    why =
      open.interval.change === null
        ? `${phase} ${checkName(open.check)}: ${changeProblem(open.check.metric, pr, base) ?? 'no interval'}`
        : `${text(open)}: the interval straddles ${formatLimit(open.check)}, more requests would narrow it`;
  } else {
    verdict = 'within';
    why = `every interval lies below its limit (${judged.map((c) => `${checkName(c.check)} ${formatLimit(c.check)}`).join(', ')})`;
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
