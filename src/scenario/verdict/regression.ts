// `p95 regression < 20%`: this run's phase against the same scenario's phase in a baseline
// results file, or, with a paired base stack, on an interval (../comparison.ts). `p50 shift <
// 0.5ms` only with a paired base (it needs every request's latency): skipped without one.
//
// Evidence: a baseline results file is a point estimate from one earlier run, so it is a
// reference only when both sides measured enough and measured the system: at least
// REGRESSION_MIN_SECONDS of load in the phase on each side, and at least regressionMinRequests
// (100, and for p99 500: five requests beyond the percentile) on each side; a baseline scenario
// that errored or was inconclusive, or either side limited by the load generator, is no
// reference. Otherwise the check is inconclusive, saying which. Without a baseline the check is
// skipped (it does not make the scenario inconclusive).
import type { PhaseName, RunResult } from '../../results';
import { pairedRegression } from '../comparison';
import type { PhaseObservation, ScenarioObservations } from '../observations';
import { compare, formatValue, type RegressionMetric, type RegressionThreshold } from '../thresholds';
import { fmt, phaseWindow, SKIPPED, unknown, type Verdict } from './evidence';
import { latencyCoverageGap, QUANTILES, windowMetric } from './load';

/** Seconds of load a phase must hold on each side. */
export const REGRESSION_MIN_SECONDS = 5;
/** Requests a phase must hold on each side, whatever the metric. */
export const REGRESSION_MIN_REQUESTS = 100;

/** Requests needed on each side for a metric: 100, and enough that five lie beyond a high percentile. */
export function regressionMinRequests(metric: RegressionMetric): number {
  const q = QUANTILES[metric];
  return q === undefined || q >= 1
    ? REGRESSION_MIN_REQUESTS
    : Math.max(REGRESSION_MIN_REQUESTS, Math.ceil(5 / (1 - q)));
}

function regressionValue(w: PhaseObservation, metric: RegressionMetric): number | null {
  if (latencyCoverageGap(w, metric)) return null;
  const v = windowMetric(w, metric);
  return typeof v === 'number' ? v : null;
}

/** Why a phase is too thin to compare on, or null. */
function tooThin(w: PhaseObservation, metric: RegressionMetric, side: string): string | null {
  const seconds = (w.endMs - w.startMs) / 1000;
  const needed = regressionMinRequests(metric);
  if (seconds < REGRESSION_MIN_SECONDS)
    return `${side} has ${Math.round(seconds * 10) / 10}s of load in the ${w.phase} phase, fewer than the ${REGRESSION_MIN_SECONDS}s a regression needs`;
  if (w.scheduled < needed)
    return `${side} has ${w.scheduled} requests in the ${w.phase} phase, fewer than the ${needed} a ${metric} regression needs`;
  return null;
}

export function evalRegression(t: RegressionThreshold, obs: ScenarioObservations): Verdict {
  // With a paired base the regression is judged on it, as an interval (comparison.ts).
  if (obs.pairedBase) {
    const paired = pairedRegression(t, obs);
    const { count, warning, ...rest } = paired;
    return {
      ...rest,
      ...(warning ? { severity: 'warning' as const } : {}),
      evidence: { count, of: `request in both ${t.phase} phases` },
    };
  }
  // A shift needs every request's latency on both sides: a results file holds none.
  if (t.shift)
    return unknown(
      `${t.op} ${t.shift === 'ms' ? `${t.value}ms` : formatValue(t.value, 'ratio')}`,
      `${SKIPPED} a shift is judged against a paired base (base-compose): a baseline results file holds no per-request latencies`,
    );
  const limit = `${t.op} ${formatValue(t.value, 'ratio')}`;
  if (obs.baseline === null) return unknown(limit, `${SKIPPED} no baseline results given`);
  const reference = obs.baselineScenario;
  if (reference && reference.outcome !== 'pass' && reference.outcome !== 'fail')
    return unknown(
      limit,
      `the baseline run's scenario was ${reference.outcome}${reference.reason ? ` (${reference.reason})` : ''}: its figures are no reference`,
    );
  if (reference?.generatorLimited)
    return unknown(
      limit,
      "the baseline run's load generator was the bottleneck: its figures are not the system's",
    );
  const base = phaseWindow({ ...obs, phases: obs.baseline }, t.phase);
  const current = phaseWindow(obs, t.phase);
  if (!base) return unknown(limit, `the baseline results have no ${t.phase} phase`);
  if (!current) return unknown(limit, `the ${t.phase} phase was not observed`);
  if ((current as { generatorLimited?: boolean }).generatorLimited)
    return unknown(
      limit,
      `this run's load generator was the bottleneck in the ${t.phase} phase: its figures are not the system's`,
    );
  const thin = tooThin(base, t.metric, 'the baseline') ?? tooThin(current, t.metric, 'this run');
  if (thin) return unknown(limit, thin);
  const b = regressionValue(base, t.metric);
  const c = regressionValue(current, t.metric);
  if (b === null) return unknown(limit, `the baseline results have no ${t.metric} for the ${t.phase} phase`);
  if (c === null) return unknown(limit, `this run has no ${t.metric} for the ${t.phase} phase`);
  // Error rates regress in percentage points; latencies relative to the baseline.
  let change: number;
  if (t.metric === 'error_rate') change = c - b;
  else if (b > 0) change = (c - b) / b;
  else return unknown(limit, `the baseline ${t.metric} is 0: no relative change can be computed`);
  const unit = t.metric === 'error_rate' ? 'ratio' : 'ms';
  return {
    passed: compare(change, t.op, t.value),
    actual: `${change >= 0 ? '+' : ''}${formatValue(change, 'ratio')}`,
    limit,
    value: change,
    detail: `${fmt(b, unit)} → ${fmt(c, unit)} (${base.scheduled} → ${current.scheduled} requests)`,
    evidence: {
      count: Math.min(base.scheduled, current.scheduled),
      of: `request in both ${t.phase} phases`,
    },
  };
}

/** A scenario's phases from an earlier run's results (for `regression` thresholds), or null. */
export function baselineFromRun(run: RunResult, scenario: string): ScenarioObservations['baseline'] {
  const found = run.scenarios.find((s) => s.name === scenario);
  if (!found) return null;
  const out: Partial<Record<PhaseName, PhaseObservation>> = {};
  for (const p of found.phases) out[p.phase] = p;
  return out;
}

/** What the earlier run said of the scenario as a whole, or null when it did not run it. */
export function baselineScenarioFromRun(
  run: RunResult,
  scenario: string,
): ScenarioObservations['baselineScenario'] {
  const found = run.scenarios.find((s) => s.name === scenario);
  if (!found) return null;
  return { outcome: found.outcome, reason: found.reason, generatorLimited: found.generatorLimited === true };
}
