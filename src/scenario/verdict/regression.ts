// `p95 regression < 20%`: this run's phase against the same scenario's phase in a baseline
// results file, or, with a paired base stack, on an interval (../comparison.ts).
//
// Evidence: the requests of both phases; a regression without a baseline is skipped (it does not
// make the scenario inconclusive), one whose value is missing on either side is inconclusive.
import type { PhaseName, RunResult } from '../../results';
import { pairedRegression } from '../comparison';
import type { PhaseObservation, ScenarioObservations } from '../observations';
import { compare, formatValue, type RegressionMetric, type RegressionThreshold } from '../thresholds';
import { fmt, phaseWindow, SKIPPED, unknown, type Verdict } from './evidence';
import { latencyCoverageGap, windowMetric } from './load';

function regressionValue(w: PhaseObservation, metric: RegressionMetric): number | null {
  if (latencyCoverageGap(w, metric)) return null;
  const v = windowMetric(w, metric);
  return typeof v === 'number' ? v : null;
}

export function evalRegression(t: RegressionThreshold, obs: ScenarioObservations): Verdict {
  // With a paired base the regression is judged on it, as an interval (comparison.ts).
  if (obs.pairedBase) {
    const paired = pairedRegression(t, obs);
    const { count, ...rest } = paired;
    return { ...rest, evidence: { count, of: `request in both ${t.phase} phases` } };
  }
  const limit = `${t.op} ${formatValue(t.value, 'ratio')}`;
  if (obs.baseline === null) return unknown(limit, `${SKIPPED} no baseline results given`);
  const base = phaseWindow({ ...obs, phases: obs.baseline }, t.phase);
  const current = phaseWindow(obs, t.phase);
  if (!base) return unknown(limit, `the baseline results have no ${t.phase} phase`);
  if (!current) return unknown(limit, `the ${t.phase} phase was not observed`);
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
    detail: `${fmt(b, unit)} → ${fmt(c, unit)}`,
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
