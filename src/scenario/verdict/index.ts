// The verdict: every threshold evaluated on what was observed, and the scenario's outcome. Pure.
// Each check kind has its own file here, its evidence rule beside its evaluation; `judge` joins
// them and applies the one rule every kind is under (evidence.ts): no pass without evidence.
import type { ThresholdResult } from '../../results';
import type { ScenarioObservations } from '../observations';
import type { Threshold } from '../thresholds';
import {
  evalAlertBeforeOom,
  evalAlertFires,
  evalAlertNotFires,
  evalAlertSeverity,
  evalNoAlerts,
} from './alerts';
import { evalConnections } from './connections';
import { evalContainer } from './containers';
import { applyEvidenceRule, unknown, type Verdict } from './evidence';
import { evalMetric } from './load';
import { evalLog } from './logs';
import { evalPromql } from './promql';
import { evalMttr, evalRecoveryTime } from './recovery';
import { evalRegression } from './regression';
import { evalSustained } from './sustained';
import { evalTrace } from './traces';

export { SKIPPED, longestBlindMs, type Verdict } from './evidence';
export { decideOutcome, type OutcomeContext } from './outcome';
export { abortCondition, shouldAbort } from './sustained';
export { baselineFromRun, baselineScenarioFromRun } from './regression';
export { attributeHolds } from './traces';

function evaluate(t: Threshold, obs: ScenarioObservations): Verdict {
  switch (t.kind) {
    case 'metric':
      return t.sustainedMs !== null ? evalSustained(t, obs) : evalMetric(t, obs);
    case 'recovery_time':
      return evalRecoveryTime(t, obs);
    case 'mttr':
      return evalMttr(t, obs);
    case 'regression':
      return evalRegression(t, obs);
    case 'alert_fires':
      return evalAlertFires(t, obs);
    case 'alert_before_oom':
      return evalAlertBeforeOom(t, obs);
    case 'alert_not_fires':
      return evalAlertNotFires(t, obs);
    case 'alert_severity':
      return evalAlertSeverity(t, obs);
    case 'no_alerts':
      return evalNoAlerts(t, obs);
    case 'log_contains':
    case 'log_matches':
    case 'log_count':
    case 'log_backoff':
      return evalLog(t, obs);
    case 'trace_attribute':
    case 'trace_count':
      return evalTrace(t, obs);
    case 'container_restarts':
    case 'container_oom':
    case 'container_healthy':
      return evalContainer(t, obs);
    case 'promql':
      return evalPromql(t, obs);
    case 'connections':
      return evalConnections(t, obs);
  }
}

/** One threshold's verdict: its kind's evaluation, under the evidence rule. */
export function judge(t: Threshold, obs: ScenarioObservations): Verdict {
  return applyEvidenceRule(evaluate(t, obs), obs);
}

function metricLabel(t: Threshold): string {
  switch (t.kind) {
    case 'metric':
      return `${t.metric}${t.request !== null ? `{request:${t.request}}` : ''}${t.stage !== null ? ` (stage ${t.stage})` : ''}`;
    case 'recovery_time':
      return 'recovery_time';
    case 'mttr':
      return 'mttr';
    case 'regression':
      return t.shift ? `${t.metric === 'avg' ? 'mean' : t.metric} shift` : `${t.metric} regression`;
    case 'alert_fires':
    case 'alert_before_oom':
    case 'alert_not_fires':
    case 'alert_severity':
      return `alert ${t.alert}`;
    case 'no_alerts':
      return 'alerts';
    case 'log_contains':
    case 'log_matches':
    case 'log_count':
    case 'log_backoff':
      return `log ${t.service}`;
    case 'container_restarts':
    case 'container_oom':
    case 'container_healthy':
      return `container ${t.service}`;
    case 'promql':
      return `promql ${t.query}`;
    case 'connections':
      return `connections_per_second ${t.service}`;
    case 'trace_attribute':
    case 'trace_count':
      return `trace ${t.service} ${t.operation}`;
  }
}

/** Evaluates every threshold on the observations, in order. */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  observations: ScenarioObservations,
): ThresholdResult[] {
  return thresholds.map((t) => {
    let verdict: Verdict;
    try {
      verdict = judge(t, observations);
    } catch (error) {
      verdict = unknown('', `could not evaluate: ${(error as Error).message}`);
    }
    const result: ThresholdResult = {
      source: t.source,
      file: t.file,
      line: t.line,
      phase: t.phase,
      metric: metricLabel(t),
      passed: verdict.passed,
      actual: verdict.actual,
      limit: verdict.limit,
      value: verdict.value,
    };
    if (verdict.detail !== undefined) result.detail = verdict.detail;
    if (t.gateSeverity === 'warning' || verdict.severity === 'warning') result.severity = 'warning';
    return result;
  });
}
