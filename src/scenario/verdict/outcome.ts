// The scenario's outcome from its threshold results (docs/scenarios.md, "Outcomes"): an error
// beats everything; a system that was not in steady state before the fault makes the scenario
// inconclusive; a fault that did not take effect is an error; any violated threshold fails it;
// a threshold that could not be evaluated makes it inconclusive, and so does a scenario in
// which no threshold was judged at all.
import type { Outcome, ThresholdResult } from '../../results';
import { SKIPPED } from './evidence';

export interface OutcomeContext {
  /** Steady state held before the fault (false: the experiment says nothing → inconclusive). */
  steadyStateBeforeOk: boolean;
  /** The fault proved it took effect (false: error; a no-op fault must not pass). True when there is no fault. */
  faultEffective: boolean;
  /** Steady state held again at the end (false: fail). Omit when not checked. */
  steadyStateAfterOk?: boolean;
  /** The abort guard fired: the scenario fails with this reason. */
  aborted?: string | null;
  /** An infrastructure error stopped the scenario. */
  error?: string | null;
}

/** The scenario's outcome and, for anything but a clean pass, the reason in one sentence. */
export function decideOutcome(
  results: readonly ThresholdResult[],
  context: OutcomeContext,
): { outcome: Outcome; reason: string } {
  if (context.error) return { outcome: 'error', reason: context.error };
  if (!context.steadyStateBeforeOk) {
    return { outcome: 'inconclusive', reason: 'steady state did not hold before the fault' };
  }
  if (!context.faultEffective) {
    return { outcome: 'error', reason: 'the fault did not take effect (no evidence it acted)' };
  }
  if (context.aborted) return { outcome: 'fail', reason: `aborted: ${context.aborted}` };
  // A warning is reported, never decisive: violated or not evaluated, it moves no outcome.
  const violated = results.filter((r) => r.passed === false && r.severity !== 'warning');
  if (violated.length > 0) {
    const first = violated[0];
    return {
      outcome: 'fail',
      reason:
        `${violated.length} threshold${violated.length === 1 ? '' : 's'} violated` +
        ` (first: ${first.source}: ${first.actual}, limit ${first.limit})`,
    };
  }
  if (context.steadyStateAfterOk === false) {
    return { outcome: 'fail', reason: 'steady state did not hold again after recovery' };
  }
  const open = results.filter(
    (r) => r.passed === null && r.severity !== 'warning' && !(r.detail ?? '').startsWith(SKIPPED),
  );
  if (open.length > 0) {
    return {
      outcome: 'inconclusive',
      reason: `${open.length} threshold${open.length === 1 ? '' : 's'} could not be evaluated (first: ${open[0].source}: ${open[0].detail ?? 'no data'})`,
    };
  }
  // Skipped checks are not evidence: a scenario in which nothing was judged has not passed.
  // A violated warning was judged (the scenario held its errors and broke a warning).
  if (!results.some((r) => r.passed !== null)) {
    const skipped = results.find((r) => r.passed === null);
    return {
      outcome: 'inconclusive',
      reason:
        results.length === 0
          ? 'the scenario has no thresholds: nothing was judged'
          : `no threshold was judged (${skipped?.source}: ${skipped?.detail ?? 'skipped'})`,
    };
  }
  return { outcome: 'pass', reason: '' };
}
