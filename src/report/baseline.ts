// Comparison of a run against a baseline run (e.g. the nightly results.json of the
// main branch), for the report's deltas. Pure. It gates nothing: `p95 regression < 20%`
// thresholds are judged in src/scenario/verdict/regression.ts, with a minimum sample.
import type { Outcome, PhaseName, RunResult, ScenarioResult } from '../results';
import { PHASE_ORDER } from '../results';

export interface PhaseDelta {
  phase: PhaseName;
  currentP95Ms: number | null;
  baselineP95Ms: number | null;
  /** (current - baseline) / baseline; null when either is missing or the baseline is 0. +0.2 = 20% slower. */
  p95Change: number | null;
  p99Change: number | null;
  currentErrorRate: number | null;
  baselineErrorRate: number | null;
  /** current - baseline, as a ratio difference (0.03 = +3 percentage points); null when either is missing. */
  errorRateDelta: number | null;
}

export interface ScenarioDelta {
  name: string;
  currentOutcome: Outcome;
  /** null when the scenario did not run in the baseline. */
  baselineOutcome: Outcome | null;
  phases: PhaseDelta[];
  /** The fault phase's delta, the headline figure; null when either run has no fault phase. */
  fault: PhaseDelta | null;
  currentRecoveryMs: number | null;
  baselineRecoveryMs: number | null;
  /** current - baseline in ms; null when either is missing. */
  recoveryDeltaMs: number | null;
}

export interface BaselineComparison {
  baselineCommit: string | null;
  baselineStartedAt: string;
  baselineRunUrl: string | null;
  /** One entry per scenario of the current run, in the current run's order. */
  scenarios: ScenarioDelta[];
  /** Scenarios in the baseline that the current run did not run. */
  missingInCurrent: string[];
}

function relChange(cur: number | null | undefined, base: number | null | undefined): number | null {
  if (cur === null || cur === undefined || base === null || base === undefined) return null;
  if (!Number.isFinite(cur) || !Number.isFinite(base) || base <= 0) return null;
  return (cur - base) / base;
}

function diff(cur: number | null | undefined, base: number | null | undefined): number | null {
  if (cur === null || cur === undefined || base === null || base === undefined) return null;
  return cur - base;
}

/** The per-phase and headline deltas of one scenario against the same scenario in a baseline run. */
export function compareScenario(current: ScenarioResult, baseline: ScenarioResult | null): ScenarioDelta {
  const phases: PhaseDelta[] = [];
  for (const phase of PHASE_ORDER) {
    const c = current.phases.find((p) => p.phase === phase);
    if (!c) continue;
    const b = baseline?.phases.find((p) => p.phase === phase);
    phases.push({
      phase,
      currentP95Ms: c.p95Ms,
      baselineP95Ms: b?.p95Ms ?? null,
      p95Change: relChange(c.p95Ms, b?.p95Ms),
      p99Change: relChange(c.p99Ms, b?.p99Ms),
      currentErrorRate: c.errorRate,
      baselineErrorRate: b ? b.errorRate : null,
      errorRateDelta: b ? diff(c.errorRate, b.errorRate) : null,
    });
  }
  return {
    name: current.name,
    currentOutcome: current.outcome,
    baselineOutcome: baseline?.outcome ?? null,
    phases,
    fault: (baseline && phases.find((p) => p.phase === 'fault' && p.baselineErrorRate !== null)) || null,
    currentRecoveryMs: current.recoveryTimeMs,
    baselineRecoveryMs: baseline?.recoveryTimeMs ?? null,
    recoveryDeltaMs: diff(current.recoveryTimeMs, baseline?.recoveryTimeMs),
  };
}

/** Per-scenario deltas of `current` against `baseline`, scenarios matched by name. */
export function compareToBaseline(current: RunResult, baseline: RunResult): BaselineComparison {
  const byName = new Map(baseline.scenarios.map((s) => [s.name, s]));
  const currentNames = new Set(current.scenarios.map((s) => s.name));
  return {
    baselineCommit: baseline.commit,
    baselineStartedAt: baseline.startedAt,
    baselineRunUrl: baseline.runUrl,
    scenarios: current.scenarios.map((s) => compareScenario(s, byName.get(s.name) ?? null)),
    missingInCurrent: baseline.scenarios.filter((s) => !currentNames.has(s.name)).map((s) => s.name),
  };
}

export type RegressionMetric = 'p95' | 'p99' | 'error_rate' | 'recovery_time';

/**
 * The regression of one metric against the baseline, for a threshold such as
 * `p95 regression < 20%` (compare the result with 0.2) or `error_rate regression < 1%`:
 * - p95 / p99: relative change of the phase's latency ((cur - base) / base; 0.2 = 20% slower);
 * - error_rate: difference of the phase's error ratios (0.01 = one percentage point more);
 * - recovery_time: relative change of the recovery time (phase ignored).
 * null when it cannot be computed (no baseline scenario, missing figures, zero baseline latency):
 * the threshold is then inconclusive, not passed.
 */
export function regressionOf(
  current: ScenarioResult,
  baseline: ScenarioResult | null | undefined,
  metric: RegressionMetric,
  phase: PhaseName = 'fault',
): number | null {
  if (!baseline) return null;
  if (metric === 'recovery_time') return relChange(current.recoveryTimeMs, baseline.recoveryTimeMs);
  const c = current.phases.find((p) => p.phase === phase);
  const b = baseline.phases.find((p) => p.phase === phase);
  if (!c || !b) return null;
  if (metric === 'p95') return relChange(c.p95Ms, b.p95Ms);
  if (metric === 'p99') return relChange(c.p99Ms, b.p99Ms);
  return diff(c.errorRate, b.errorRate);
}
