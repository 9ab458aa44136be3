// Load metrics over a phase or a stage: latency percentiles, error rate, counts and rates.
//
// Evidence: the requests sent in the window. None sent → inconclusive. A latency figure stands
// only for the requests that have a latency (answered, any status, or timed out, each from its
// planned send): a pQ is judged only when at least Q of the requests sent have one (max and avg:
// all of them); otherwise it is inconclusive and says how many were answered of how many sent.
//
// In a paired run (both stacks and both loads at once on the same machine) a phase's latency
// and error rate are measured under double load. The detail says so, with the base side's
// figure of the same phase; and a limit the PR side breaks while the base side, beside it,
// breaks it too is a warning, not a failure: the double load broke it, and the PR's own part
// is what the regression checks judge (pairedLoadNote).
import type { LoadMetric, MetricThreshold } from '../thresholds';
import { compare, formatValue } from '../thresholds';
import type { RequestStats, WindowStats } from '../../results';
import type { ScenarioObservations } from '../observations';
import { fmt, phaseWindow, unknown, type Verdict } from './evidence';

/** The quantile a latency metric states (max: all of them), or undefined for non-latency metrics. */
export const QUANTILES: Partial<Record<LoadMetric, number>> = {
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  max: 1,
};

export function windowMetric(w: WindowStats, metric: LoadMetric): number | null | string {
  switch (metric) {
    case 'p50':
      return w.p50Ms;
    case 'p90':
      return w.p90Ms;
    case 'p95':
      return w.p95Ms;
    case 'p99':
      return w.p99Ms;
    case 'max':
      return w.maxMs;
    case 'avg':
      return w.meanMs;
    case 'error_rate':
      return w.scheduled > 0 ? w.errorRate : 'no request was sent';
    case 'errors':
      return Object.values(w.errors).reduce((a, b) => a + b, 0);
    case 'requests':
      return w.completed;
    case 'scheduled':
      return w.scheduled;
    case 'rps':
      return w.achievedRate;
    case 'rate_achieved':
      return w.targetRate ? w.achievedRate / w.targetRate : 'no target rate (closed model)';
    case 'late':
      return w.late;
  }
}

/**
 * Whether a pQ (avg: all) of `timed` latencies can speak for `sent` requests: at least Q of
 * them must have a latency. The same rule holds for a phase and for one second of the timeline.
 */
export function latencyCovers(metric: LoadMetric, timed: number, sent: number): boolean {
  const q = QUANTILES[metric] ?? (metric === 'avg' ? 1 : undefined);
  if (q === undefined || sent === 0) return true;
  const untimed = sent - timed;
  return untimed <= 0 || untimed / sent <= 1 - q + 1e-9;
}

/**
 * Why a latency figure of this window cannot describe the requests sent, or null when it can:
 * a pQ speaks for Q of the requests only when at least Q of them have a latency.
 */
export function latencyCoverageGap(w: WindowStats, metric: LoadMetric): string | null {
  // Results written before `timed` existed (an older baseline file) lack it: there every
  // completed request was timed.
  const timed = (w.timed as number | undefined) ?? w.completed;
  if (latencyCovers(metric, timed, w.scheduled)) return null;
  const q = QUANTILES[metric] ?? 1;
  const untimed = w.scheduled - timed;
  return `${metric} of ${timed} answered of ${w.scheduled} sent: ${untimed} got no response (refused or reset), so it cannot speak for ${formatValue(q, 'ratio')} of the requests`;
}

/** A load metric over its phase or stage (a sustained one, `for Ns`, is sustained.ts's). */
export function evalMetric(t: MetricThreshold, obs: ScenarioObservations): Verdict {
  const limit = `${t.op} ${fmt(t.value, t.unit)}`;
  let window: WindowStats | undefined;
  let where: string;
  if (t.stage !== null) {
    window = obs.stages.find((s) => s.name === t.stage || String(s.index + 1) === t.stage);
    where = `stage ${t.stage}`;
  } else {
    window = phaseWindow(obs, t.phase);
    where = `the ${t.phase} phase`;
  }
  if (!window) return unknown(limit, `${where} was not observed`);
  if (t.request !== null) {
    // A phase of a mix lists each request; a single request's figures are the phase's own.
    const requests = (window as { requests?: RequestStats[] }).requests;
    const ofRequest = requests?.find((r) => r.name === t.request);
    if (!ofRequest && requests) return unknown(limit, `the load sent no request named ${t.request}`);
    window = ofRequest ?? window;
    where = `${where} (request ${t.request})`;
  }
  const evidence = { count: window.scheduled, of: `request sent in ${where}` };
  if (window.scheduled === 0) return unknown(limit, `no evidence: no request was sent in ${where}`);
  const gap = latencyCoverageGap(window, t.metric);
  if (gap) return unknown(limit, gap);
  const value = windowMetric(window, t.metric);
  if (typeof value === 'string') return unknown(limit, value);
  if (value === null) return unknown(limit, `no request in ${where} has a latency`);
  // Say which requests a latency figure describes whenever that is not all of them.
  const covers =
    (QUANTILES[t.metric] !== undefined || t.metric === 'avg') && window.timed < window.scheduled
      ? { detail: `${t.metric} of ${window.timed} answered of ${window.scheduled} sent` }
      : {};
  const verdict: Verdict = {
    passed: compare(value, t.op, t.value),
    actual: fmt(value, t.unit),
    limit,
    value,
    evidence,
    ...covers,
  };
  return t.stage === null ? pairedLoadNote(t, verdict, obs) : verdict;
}

/** The metrics a paired run's double load moves: latencies and the error rate. */
const LOADED: ReadonlySet<LoadMetric> = new Set(['p50', 'p90', 'p95', 'p99', 'max', 'avg', 'error_rate']);

/**
 * A phase's load metric in a concurrent paired run: the detail says it was measured beside the
 * base stack, with the base side's figure; violated on both sides, it is a warning.
 */
export function pairedLoadNote(t: MetricThreshold, verdict: Verdict, obs: ScenarioObservations): Verdict {
  const base = obs.pairedBase;
  if (!base || base.mode !== 'concurrent' || !LOADED.has(t.metric) || verdict.passed === null) return verdict;
  const window = t.phase === null ? undefined : base.phases[t.phase];
  const other = window && window.scheduled > 0 ? windowMetric(window, t.metric) : null;
  const otherText = typeof other === 'number' ? fmt(other, t.unit) : 'n/a';
  const note =
    `measured under double load: the base stack and its load ran beside it, and the base side's ` +
    `${t.phase} ${t.metric} was ${otherText}`;
  const detail = verdict.detail ? `${verdict.detail}; ${note}` : note;
  const bothBroke = verdict.passed === false && typeof other === 'number' && !compare(other, t.op, t.value);
  if (!bothBroke) return { ...verdict, detail };
  return {
    ...verdict,
    severity: 'warning',
    detail:
      `${detail}, beyond the limit too: the double load, not the PR, breaks it here; a warning ` +
      `(the regression checks judge the PR against the base; an unpaired run judges this limit)`,
  };
}
