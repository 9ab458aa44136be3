// The verdict: thresholds evaluated on what was observed, and the scenario's outcome. Pure.
// Rules (docs/scenarios.md, "Outcomes"): an error beats everything; a system that was not in
// steady state before the fault makes the scenario inconclusive; a fault that did not take
// effect is an error; any violated threshold fails it; a threshold that could not be evaluated
// makes it inconclusive, except regressions skipped for want of a baseline.
import { formatDuration } from '../config/duration';
import type { ObservedAlert, PhaseObservation, ScenarioObservations } from './observations';
import type { Outcome, PhaseName, RunResult, ThresholdResult, TimelinePoint, WindowStats } from './results';
import {
  compare,
  formatValue,
  type AbortGuard,
  type Comparator,
  type GuardCondition,
  type LoadMetric,
  type MetricThreshold,
  type RegressionMetric,
  type Threshold,
  type TimelineMetric,
} from './thresholds';

/** Results whose detail starts with this were skipped on purpose and do not make a run inconclusive. */
export const SKIPPED = 'skipped:';

type Verdict = Pick<ThresholdResult, 'passed' | 'actual' | 'limit' | 'value'> & { detail?: string };

const unknown = (limit: string, detail: string): Verdict => ({
  passed: null,
  actual: 'n/a',
  limit,
  value: null,
  detail,
});

function resolveName(obs: ScenarioObservations, name: string): string {
  return obs.services[name] ?? name;
}

function lookup<T>(map: Record<string, T>, obs: ScenarioObservations, name: string): T | undefined {
  return map[resolveName(obs, name)] ?? map[name];
}

function fmt(value: number, unit: MetricThreshold['unit'] | 'duration' | 'number'): string {
  return unit === 'ms' || unit === 'duration' ? formatDuration(value) : formatValue(value, unit);
}

function windowMetric(
  w: WindowStats & { meanMs?: number | null },
  metric: LoadMetric,
): number | null | string {
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
      return w.meanMs === undefined ? 'the mean latency was not recorded' : w.meanMs;
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

function timelineValue(p: TimelinePoint, metric: TimelineMetric): number | null {
  switch (metric) {
    case 'p95':
      return p.p95Ms;
    case 'error_rate':
      return p.scheduled > 0 ? p.errorRate : null;
    case 'rps':
      return p.completed;
  }
}

/** Longest run of consecutive seconds for which `hit` is true (null values break a run). */
function longestRun(
  points: readonly TimelinePoint[],
  metric: TimelineMetric,
  hit: (v: number) => boolean,
): { seconds: number; worst: number | null } {
  let best = 0;
  let run = 0;
  let prev: number | null = null;
  let worst: number | null = null;
  for (const p of points) {
    const v = timelineValue(p, metric);
    const consecutive = prev !== null && p.second === prev + 1;
    if (v !== null && hit(v)) {
      run = consecutive || run === 0 ? run + 1 : 1;
      worst = worst === null ? v : metric === 'rps' ? Math.min(worst, v) : Math.max(worst, v);
    } else run = 0;
    prev = p.second;
    best = Math.max(best, run);
  }
  return { seconds: best, worst };
}

function phaseWindow(obs: ScenarioObservations, phase: PhaseName | null): PhaseObservation | undefined {
  return phase === null ? undefined : obs.phases[phase];
}

function evalMetric(t: MetricThreshold, obs: ScenarioObservations): Verdict {
  const limit =
    `${t.op} ${fmt(t.value, t.unit)}` +
    (t.sustainedMs !== null ? ` unless breached < ${t.sustainedMs / 1000}s` : '');
  if (t.sustainedMs !== null) {
    const points = obs.timeline.filter((p) => t.phase === null || p.phase === t.phase);
    if (points.length === 0) return unknown(limit, `no timeline seconds in the ${t.phase} phase`);
    const metric = t.metric as TimelineMetric;
    const { seconds, worst } = longestRun(points, metric, (v) => !compare(v, t.op, t.value));
    const needed = Math.ceil(t.sustainedMs / 1000);
    return {
      passed: seconds < needed,
      actual:
        seconds === 0 ? 'never breached' : `breached ${seconds}s in a row (worst ${fmt(worst ?? 0, t.unit)})`,
      limit,
      value: seconds,
    };
  }
  let window: (WindowStats & { meanMs?: number | null }) | undefined;
  let where: string;
  if (t.stage !== null) {
    const stage = obs.stages.find((s) => s.name === t.stage || String(s.index + 1) === t.stage);
    window = stage;
    where = `stage ${t.stage}`;
  } else {
    window = phaseWindow(obs, t.phase);
    where = `the ${t.phase} phase`;
  }
  if (!window) return unknown(limit, `${where} was not observed`);
  const value = windowMetric(window, t.metric);
  if (typeof value === 'string') return unknown(limit, value);
  if (value === null) return unknown(limit, `no request completed in ${where}`);
  return { passed: compare(value, t.op, t.value), actual: fmt(value, t.unit), limit, value };
}

function regressionValue(w: PhaseObservation, metric: RegressionMetric): number | null {
  const v = windowMetric(w, metric);
  return typeof v === 'number' ? v : null;
}

function firing(alerts: readonly ObservedAlert[], name: string): ObservedAlert[] {
  return alerts.filter((a) => a.name === name && a.firstFiringAtMs !== null);
}

function firstFiring(alerts: readonly ObservedAlert[]): number | null {
  const times = alerts.map((a) => a.firstFiringAtMs).filter((t): t is number => t !== null);
  return times.length ? Math.min(...times) : null;
}

const sinceFault = (obs: ScenarioObservations, atMs: number): number => atMs - (obs.faultStartMs ?? 0);

function evalOne(t: Threshold, obs: ScenarioObservations): Verdict {
  switch (t.kind) {
    case 'metric':
      return evalMetric(t, obs);
    case 'recovery_time': {
      const limit = `${t.op} ${fmt(t.valueMs, 'duration')}`;
      if (obs.recoveryTimeMs === null)
        return { passed: false, actual: 'never recovered', limit, value: null };
      return {
        passed: compare(obs.recoveryTimeMs, t.op, t.valueMs),
        actual: formatDuration(obs.recoveryTimeMs),
        limit,
        value: obs.recoveryTimeMs,
      };
    }
    case 'regression': {
      const limit = `${t.op} ${formatValue(t.value, 'ratio')}`;
      if (obs.baseline === null) return unknown(limit, `${SKIPPED} no baseline results given`);
      const base = phaseWindow({ ...obs, phases: obs.baseline }, t.phase);
      const current = phaseWindow(obs, t.phase);
      if (!base) return unknown(limit, `${SKIPPED} the baseline has no ${t.phase} phase`);
      if (!current) return unknown(limit, `the ${t.phase} phase was not observed`);
      const b = regressionValue(base, t.metric);
      const c = regressionValue(current, t.metric);
      if (b === null || c === null) return unknown(limit, `${SKIPPED} no ${t.metric} to compare`);
      // Error rates regress in percentage points; latencies relative to the baseline.
      let change: number;
      if (t.metric === 'error_rate') change = c - b;
      else if (b > 0) change = (c - b) / b;
      else return unknown(limit, `${SKIPPED} the baseline ${t.metric} is 0`);
      const unit = t.metric === 'error_rate' ? 'ratio' : 'ms';
      return {
        passed: compare(change, t.op, t.value),
        actual: `${change >= 0 ? '+' : ''}${formatValue(change, 'ratio')}`,
        limit,
        value: change,
        detail: `${fmt(b, unit)} → ${fmt(c, unit)}`,
      };
    }
    case 'alert_fires': {
      const limit = t.withinMs === null ? 'fires' : `fires within ${fmt(t.withinMs, 'duration')}`;
      if (obs.alerts === null) return unknown(limit, 'alerts were not observed');
      const first = firstFiring(firing(obs.alerts, t.alert));
      if (first === null) return { passed: false, actual: 'not fired', limit, value: null };
      const after = sinceFault(obs, first);
      const passed = t.withinMs === null || after <= t.withinMs;
      return {
        passed,
        actual: after < 0 ? 'firing before the fault' : `fired after ${formatDuration(after)}`,
        limit,
        value: after,
        ...(after < 0 ? { detail: 'it was already firing before the fault started' } : {}),
      };
    }
    case 'alert_before_oom': {
      const limit = 'fires before the OOM kill';
      if (obs.alerts === null) return unknown(limit, 'alerts were not observed');
      const facts = lookup(obs.containers, obs, t.service);
      if (!facts) return unknown(limit, `container facts for ${t.service} were not collected`);
      const first = firstFiring(firing(obs.alerts, t.alert));
      if (first === null) return { passed: false, actual: 'not fired', limit, value: null };
      if (!facts.oomKilled || facts.oomKilledAtMs === null) {
        return {
          passed: true,
          actual: 'fired, no OOM kill',
          limit,
          value: null,
          detail: 'no OOM kill was observed',
        };
      }
      const lead = facts.oomKilledAtMs - first;
      return {
        passed: lead > 0,
        actual: lead > 0 ? `${formatDuration(lead)} before` : `${formatDuration(-lead)} after`,
        limit,
        value: lead,
      };
    }
    case 'alert_not_fires': {
      const limit = 'does not fire';
      if (obs.alerts === null) return unknown(limit, 'alerts were not observed');
      const first = firstFiring(firing(obs.alerts, t.alert));
      if (first === null) return { passed: true, actual: 'not fired', limit, value: null };
      return {
        passed: false,
        actual: `fired after ${formatDuration(sinceFault(obs, first))}`,
        limit,
        value: first,
      };
    }
    case 'alert_severity': {
      const limit = `severity ${t.op} ${t.severity}`;
      if (obs.alerts === null) return unknown(limit, 'alerts were not observed');
      const fired = firing(obs.alerts, t.alert);
      const severities = [...new Set(fired.map((a) => a.severity ?? '(none)'))].sort();
      const actual = fired.length ? `fired as ${severities.join(', ')}` : 'not fired';
      const passed =
        t.op === '=='
          ? fired.length > 0 && fired.every((a) => a.severity === t.severity)
          : fired.every((a) => a.severity !== t.severity);
      return { passed, actual, limit, value: fired.length };
    }
    case 'no_alerts': {
      const limit = t.severity === null ? 'no alert fires' : `no ${t.severity} alert fires`;
      if (obs.alerts === null) return unknown(limit, 'alerts were not observed');
      const fired = obs.alerts.filter(
        (a) => a.firstFiringAtMs !== null && (t.severity === null || a.severity === t.severity),
      );
      const names = [...new Set(fired.map((a) => a.name))].sort();
      return {
        passed: fired.length === 0,
        actual: fired.length ? `fired: ${names.join(', ')}` : 'none fired',
        limit,
        value: names.length,
      };
    }
    case 'log_contains':
    case 'log_matches':
    case 'log_count':
    case 'log_backoff':
      return evalLog(t, obs);
    case 'container_restarts':
    case 'container_oom':
    case 'container_healthy': {
      const facts = lookup(obs.containers, obs, t.service);
      const limit =
        t.kind === 'container_restarts'
          ? `restarts ${t.op} ${t.value}`
          : t.kind === 'container_oom'
            ? t.negate
              ? 'not OOM-killed'
              : 'OOM-killed'
            : `healthy within ${fmt(t.withinMs, 'duration')}`;
      if (!facts) return unknown(limit, `container facts for ${t.service} were not collected`);
      if (t.kind === 'container_restarts') {
        const restarts = facts.restartsAfter - facts.restartsBefore;
        return {
          passed: compare(restarts, t.op, t.value),
          actual: `${restarts} restarts`,
          limit,
          value: restarts,
        };
      }
      if (t.kind === 'container_oom') {
        return {
          passed: facts.oomKilled !== t.negate,
          actual: facts.oomKilled ? 'OOM-killed' : 'not OOM-killed',
          limit,
          value: facts.oomKilled ? 1 : 0,
        };
      }
      if (facts.timeToHealthyMs === null)
        return { passed: false, actual: 'never healthy again', limit, value: null };
      return {
        passed: facts.timeToHealthyMs <= t.withinMs,
        actual: `healthy after ${formatDuration(facts.timeToHealthyMs)}`,
        limit,
        value: facts.timeToHealthyMs,
      };
    }
    case 'promql': {
      const limit = `${t.agg === 'last' ? '' : `${t.agg} `}${t.op} ${formatValue(t.value, 'number')}`;
      const samples = obs.promql[t.query];
      if (!samples) return unknown(limit, 'the query was not sampled');
      const values = samples
        .filter((s) => t.phase === null || s.phase === t.phase)
        .map((s) => s.value)
        .filter((v): v is number => v !== null && Number.isFinite(v));
      if (values.length === 0) return unknown(limit, `no samples with a value in the ${t.phase} phase`);
      const value =
        t.agg === 'last'
          ? values[values.length - 1]
          : t.agg === 'max'
            ? Math.max(...values)
            : t.agg === 'min'
              ? Math.min(...values)
              : values.reduce((a, b) => a + b, 0) / values.length;
      return { passed: compare(value, t.op, t.value), actual: formatValue(value, 'number'), limit, value };
    }
    case 'connections': {
      const limit = `${t.op} ${formatValue(t.value, 'number')}/s`;
      const samples = lookup(obs.connections, obs, t.service);
      if (!samples)
        return unknown(limit, `connections to ${t.service} were not counted (no proxy in front of it)`);
      const inPhase = samples.filter((s) => t.phase === null || s.phase === t.phase);
      if (inPhase.length === 0) return unknown(limit, `no connection samples in the ${t.phase} phase`);
      const peak = Math.max(...inPhase.map((s) => s.attempts));
      return { passed: compare(peak, t.op, t.value), actual: `${peak}/s at peak`, limit, value: peak };
    }
  }
}

type LogThreshold = Extract<
  Threshold,
  { kind: 'log_contains' | 'log_matches' | 'log_count' | 'log_backoff' }
>;

function evalLog(t: LogThreshold, obs: ScenarioObservations): Verdict {
  const limit =
    t.kind === 'log_contains'
      ? `${t.negate ? 'not ' : ''}contains "${t.text}"`
      : t.kind === 'log_matches'
        ? `${t.negate ? 'not ' : ''}matches /${t.pattern}/${t.flags}`
        : t.kind === 'log_count'
          ? `count ${t.op} ${t.value}`
          : 'growing retry delays';
  const all = lookup(obs.logs, obs, t.service);
  if (!all) return unknown(limit, `logs of ${t.service} were not collected`);
  const window = phaseWindow(obs, t.phase);
  if (t.phase !== null && !window) return unknown(limit, `the ${t.phase} phase was not observed`);
  const lines = window
    ? all.filter((l) => l.atMs === null || (l.atMs >= window.startMs && l.atMs < window.endMs))
    : all;
  const re =
    t.kind === 'log_contains' || (t.kind === 'log_count' && t.text !== null)
      ? null
      : new RegExp((t as { pattern: string }).pattern, (t as { flags: string }).flags);
  const text = t.kind === 'log_contains' ? t.text : t.kind === 'log_count' ? t.text : null;
  const hits = lines.filter((l) => (re ? re.test(l.line) : l.line.includes(text ?? '')));
  const example = hits[0] ? { detail: hits[0].line.slice(0, 300) } : {};
  switch (t.kind) {
    case 'log_contains':
    case 'log_matches': {
      const found = hits.length > 0;
      return {
        passed: found !== t.negate,
        actual: found ? `${hits.length} matching line${hits.length === 1 ? '' : 's'}` : 'no matching line',
        limit,
        value: hits.length,
        ...example,
      };
    }
    case 'log_count':
      return {
        passed: compare(hits.length, t.op, t.value),
        actual: String(hits.length),
        limit,
        value: hits.length,
      };
    case 'log_backoff': {
      const delays = hits.map((l) => Number(re?.exec(l.line)?.[1])).filter((n) => Number.isFinite(n));
      if (delays.length < 2) {
        return {
          passed: false,
          actual: `${delays.length} retry line${delays.length === 1 ? '' : 's'}`,
          limit,
          value: 0,
        };
      }
      const growing = delays.slice(1).filter((d, i) => d > delays[i]).length;
      const shown = delays.slice(0, 8).join(' → ') + (delays.length > 8 ? ' …' : '');
      return { passed: growing > 0, actual: `delays ${shown}`, limit, value: growing, ...example };
    }
  }
}

function metricLabel(t: Threshold): string {
  switch (t.kind) {
    case 'metric':
      return t.stage !== null ? `${t.metric} (stage ${t.stage})` : t.metric;
    case 'recovery_time':
      return 'recovery_time';
    case 'regression':
      return `${t.metric} regression`;
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
      verdict = evalOne(t, observations);
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
    return result;
  });
}

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
  const violated = results.filter((r) => r.passed === false);
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
  const open = results.filter((r) => r.passed === null && !(r.detail ?? '').startsWith(SKIPPED));
  if (open.length > 0) {
    return {
      outcome: 'inconclusive',
      reason: `${open.length} threshold${open.length === 1 ? '' : 's'} could not be evaluated (first: ${open[0].source}: ${open[0].detail ?? 'no data'})`,
    };
  }
  return { outcome: 'pass', reason: '' };
}

/** The first guard condition that holds on the timeline, or null. */
export function abortCondition(
  guard: AbortGuard | null,
  timeline: readonly TimelinePoint[],
): GuardCondition | null {
  if (!guard) return null;
  for (const c of guard.conditions) {
    const points = timeline.filter((p) => c.phase === null || p.phase === c.phase);
    const { seconds } = longestRun(points, c.metric, (v) => compare(v, c.op as Comparator, c.value));
    if (seconds > 0 && seconds * 1000 >= c.forMs) return c;
  }
  return null;
}

/**
 * True when the abort guard holds: one of its conditions met on `forMs / 1000` consecutive
 * seconds of the timeline (in its phase, if it names one). Call it with complete seconds only.
 */
export function shouldAbort(guard: AbortGuard | null, timeline: readonly TimelinePoint[]): boolean {
  return abortCondition(guard, timeline) !== null;
}

/** A scenario's phases from an earlier run's results (for `regression` thresholds), or null. */
export function baselineFromRun(run: RunResult, scenario: string): ScenarioObservations['baseline'] {
  const found = run.scenarios.find((s) => s.name === scenario);
  if (!found) return null;
  const out: Partial<Record<PhaseName, PhaseObservation>> = {};
  for (const p of found.phases) out[p.phase] = p;
  return out;
}
