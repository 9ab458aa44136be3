// The verdict: thresholds evaluated on what was observed, and the scenario's outcome. Pure.
// Rules (docs/scenarios.md, "Outcomes"): an error beats everything; a system that was not in
// steady state before the fault makes the scenario inconclusive; a fault that did not take
// effect is an error; any violated threshold fails it; a threshold that could not be evaluated
// makes it inconclusive, and so does a scenario in which no threshold was judged at all.
//
// No pass without evidence: every evaluation states what it stood on (Evidence). One rule,
// in `judge`, turns a verdict into "inconclusive" when that evidence is empty or when the
// probe that fed it was blind for longer than PROBE_BLIND_TOLERANCE_MS over the window its
// claim covers. No threshold kind can skip it: Evidence is a required part of every verdict.
import { formatDuration } from '../config/duration';
import { pairedRegression } from './comparison';
import { compileLogPattern } from './log-pattern';
import {
  PROBE_BLIND_TOLERANCE_MS,
  type FiringSpan,
  type ObservedAlert,
  type ObservedSpan,
  type PhaseObservation,
  type ProbeCoverage,
  type ScenarioObservations,
} from './observations';
import type { Outcome, PhaseName, RunResult, ThresholdResult, TimelinePoint, WindowStats } from '../results';
import {
  compare,
  formatValue,
  traceKey,
  type AbortGuard,
  type AttributeValue,
  type Comparator,
  type GuardCondition,
  type LoadMetric,
  type MetricThreshold,
  type RegressionMetric,
  type Threshold,
  type TimelineMetric,
} from './thresholds';

/** Results whose detail starts with this were skipped on purpose (a regression without a baseline). */
export const SKIPPED = 'skipped:';

/** What a verdict stood on. */
interface Evidence {
  /** How many data points the value rests on (requests, seconds, samples, lines, events). 0 → inconclusive. */
  count: number;
  /** What was counted, as the reason names it when there is none ("requests sent in the fault phase"). */
  of: string;
  /** The probe that fed it, and the window its claim covers (scenario ms). */
  seen?: { probe: string; coverage: ProbeCoverage | null; fromMs: number; toMs: number };
}

type Verdict = Pick<ThresholdResult, 'passed' | 'actual' | 'limit' | 'value'> & {
  detail?: string;
  evidence: Evidence;
};

const NONE: Evidence = { count: 0, of: 'data' };

const unknown = (limit: string, detail: string): Verdict => ({
  passed: null,
  actual: 'n/a',
  limit,
  value: null,
  detail,
  evidence: NONE,
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

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

/**
 * The longest stretch of [fromMs, toMs] the probe did not see: its blind stretches, and any
 * part of the window before it started or after it stopped. Infinity when it never ran.
 * `outages`: when the probe's own data source was a fault target; a blind stretch overlapping
 * one is the outage itself, not a gap in the evidence, provided the probe answered again
 * after it (a stretch that runs to the probe's end never closed and still counts).
 */
export function longestBlindMs(
  coverage: ProbeCoverage | null,
  fromMs: number,
  toMs: number,
  outages: readonly { fromMs: number; toMs: number }[] = [],
): number {
  if (coverage === null) return Infinity;
  if (toMs <= fromMs) return 0;
  const outage = (b: { fromMs: number; toMs: number }): boolean =>
    b.toMs < coverage.toMs && outages.some((o) => b.fromMs <= o.toMs && o.fromMs <= b.toMs);
  const stretches = [
    { fromMs, toMs: Math.min(toMs, coverage.fromMs) },
    { fromMs: Math.max(fromMs, coverage.toMs), toMs },
    ...coverage.blind
      .filter((b) => !outage(b))
      .map((b) => ({ fromMs: Math.max(fromMs, b.fromMs), toMs: Math.min(toMs, b.toMs) })),
  ];
  return Math.max(0, ...stretches.map((s) => s.toMs - s.fromMs));
}

/** The metrics role's outages, for the probes that read it (alerts, PromQL); [] for the others. */
function metricsOutagesFor(probe: string, obs: ScenarioObservations): { fromMs: number; toMs: number }[] {
  return probe === 'alert' || probe === 'PromQL' ? (obs.metricsOutages ?? []) : [];
}

/** Says, after a no-data reason, that the metrics role was down because it was a fault target. */
function outageNote(obs: ScenarioObservations): string {
  const outages = obs.metricsOutages ?? [];
  if (outages.length === 0) return '';
  const spans = outages.map((o) => `${seconds(o.fromMs)}–${seconds(o.toMs)}`).join(', ');
  return ` (the metrics role was a fault target, down ${spans})`;
}

/** The one rule: no evidence, or a blind probe over the claimed window, is never a pass or a fail. */
function judge(t: Threshold, obs: ScenarioObservations): Verdict {
  const verdict = evalOne(t, obs);
  if (verdict.passed === null) return verdict;
  const { evidence } = verdict;
  if (evidence.count === 0) return unknown(verdict.limit, `no evidence: no ${evidence.of}`);
  if (evidence.seen) {
    const { probe, coverage, fromMs, toMs } = evidence.seen;
    const blind = longestBlindMs(coverage, fromMs, toMs, metricsOutagesFor(probe, obs));
    if (blind > PROBE_BLIND_TOLERANCE_MS) {
      const why = coverage?.problems[0] ? ` (${coverage.problems[0]})` : '';
      const span = Number.isFinite(blind) ? `for ${seconds(blind)}` : 'throughout';
      return unknown(
        verdict.limit,
        `the ${probe} probe was blind ${span} between ${seconds(fromMs)} and ${seconds(toMs)}${why}` +
          (metricsOutagesFor(probe, obs).length ? outageNote(obs) : ''),
      );
    }
  }
  return verdict;
}

/** The quantile a latency metric states (max: all of them), or null for non-latency metrics. */
const QUANTILES: Partial<Record<LoadMetric, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, max: 1 };

function windowMetric(w: WindowStats, metric: LoadMetric): number | null | string {
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
 * Why a latency figure of this window cannot describe the requests sent, or null when it can:
 * a pQ speaks for Q of the requests only when at least Q of them have a latency.
 */
function latencyCoverageGap(w: WindowStats, metric: LoadMetric): string | null {
  const q = QUANTILES[metric] ?? (metric === 'avg' ? 1 : undefined);
  if (q === undefined || w.scheduled === 0) return null;
  // Results written before `timed` existed (an older baseline file) lack it: there every
  // completed request was timed.
  const timed = (w.timed as number | undefined) ?? w.completed;
  const untimed = w.scheduled - timed;
  if (untimed <= 0 || untimed / w.scheduled <= 1 - q + 1e-9) return null;
  return `${metric} of ${timed} answered of ${w.scheduled} sent: ${untimed} got no response (refused or reset), so it cannot speak for ${formatValue(q, 'ratio')} of the requests`;
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
  hit: (v: number | null) => boolean,
): { seconds: number; worst: number | null } {
  let best = 0;
  let run = 0;
  let prev: number | null = null;
  let worst: number | null = null;
  for (const p of points) {
    const v = timelineValue(p, metric);
    const consecutive = prev !== null && p.second === prev + 1;
    if (hit(v)) {
      run = consecutive || run === 0 ? run + 1 : 1;
      if (v !== null) worst = worst === null ? v : metric === 'rps' ? Math.min(worst, v) : Math.max(worst, v);
    } else run = 0;
    prev = p.second;
    best = Math.max(best, run);
  }
  return { seconds: best, worst };
}

function phaseWindow(obs: ScenarioObservations, phase: PhaseName | null): PhaseObservation | undefined {
  return phase === null ? undefined : obs.phases[phase];
}

function evalSustained(t: MetricThreshold, obs: ScenarioObservations, limit: string): Verdict {
  const points = obs.timeline.filter((p) => t.phase === null || p.phase === t.phase);
  const metric = t.metric as TimelineMetric;
  const breached = (v: number | null): boolean => v !== null && !compare(v, t.op, t.value);
  const { seconds: run, worst } = longestRun(points, metric, breached);
  const needed = Math.ceil((t.sustainedMs as number) / 1000);
  const evaluable = points.filter((p) => timelineValue(p, metric) !== null).length;
  const evidence = {
    count: evaluable,
    of: `second with a ${metric} value in the ${t.phase ?? 'whole'} phase`,
  };
  if (run >= needed) {
    return {
      passed: false,
      actual: `breached ${run}s in a row (worst ${fmt(worst ?? 0, t.unit)})`,
      limit,
      value: run,
      evidence,
    };
  }
  // A second with no value could hide a breach: "never breached long enough" holds only if
  // no run of breached-or-unknown seconds reaches the length either.
  const { seconds: couldBe } = longestRun(points, metric, (v) => v === null || breached(v));
  if (couldBe >= needed) {
    const blank = points.length - evaluable;
    return unknown(
      limit,
      `${blank} second${blank === 1 ? '' : 's'} of the ${t.phase ?? 'whole'} phase had no ${metric} value, enough to hide a ${needed}s breach`,
    );
  }
  return {
    passed: true,
    actual: run === 0 ? 'never breached' : `breached at most ${run}s in a row`,
    limit,
    value: run,
    evidence,
  };
}

function evalMetric(t: MetricThreshold, obs: ScenarioObservations): Verdict {
  const limit =
    `${t.op} ${fmt(t.value, t.unit)}` +
    (t.sustainedMs !== null ? ` unless breached < ${t.sustainedMs / 1000}s` : '');
  if (t.sustainedMs !== null) return evalSustained(t, obs, limit);
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
  return {
    passed: compare(value, t.op, t.value),
    actual: fmt(value, t.unit),
    limit,
    value,
    evidence,
    ...covers,
  };
}

function regressionValue(w: PhaseObservation, metric: RegressionMetric): number | null {
  if (latencyCoverageGap(w, metric)) return null;
  const v = windowMetric(w, metric);
  return typeof v === 'number' ? v : null;
}

function alertsNamed(alerts: readonly ObservedAlert[], name: string): ObservedAlert[] {
  return alerts.filter((a) => a.name === name);
}

function spans(alerts: readonly ObservedAlert[]): FiringSpan[] {
  return alerts.flatMap((a) => a.firing).sort((a, b) => a.fromMs - b.fromMs);
}

/** True when any span covers the instant (it was firing then). */
function firingAt(all: readonly FiringSpan[], atMs: number): boolean {
  return all.some((s) => s.fromMs <= atMs && (s.toMs === null || s.toMs > atMs));
}

/** The first moment at or after `fromMs` that the alert went from not firing to firing. */
function firstTransitionAfter(all: readonly FiringSpan[], fromMs: number): number | null {
  const span = all.find((s) => s.fromMs >= fromMs);
  return span ? span.fromMs : null;
}

const alertSeen = (obs: ScenarioObservations, fromMs: number, toMs: number): Evidence['seen'] => ({
  probe: 'alert',
  coverage: obs.alertCoverage,
  fromMs,
  toMs,
});

function evalOne(t: Threshold, obs: ScenarioObservations): Verdict {
  switch (t.kind) {
    case 'metric':
      return evalMetric(t, obs);
    case 'recovery_time': {
      const limit = `${t.op} ${fmt(t.valueMs, 'duration')}`;
      const evidence = { count: obs.faultEndMs === null ? 0 : 1, of: 'reverted fault to recover from' };
      if (obs.recoveryTimeMs === null)
        return { passed: false, actual: 'never recovered', limit, value: null, evidence };
      return {
        passed: compare(obs.recoveryTimeMs, t.op, t.valueMs),
        actual: formatDuration(obs.recoveryTimeMs),
        limit,
        value: obs.recoveryTimeMs,
        evidence,
      };
    }
    case 'mttr': {
      const limit = `${t.op} ${fmt(t.valueMs, 'duration')}`;
      const evidence = { count: obs.faultEndMs === null ? 0 : 1, of: 'reverted fault to recover from' };
      if (obs.faultStartMs === null || obs.faultEndMs === null || obs.mttrMs === undefined)
        return { passed: null, actual: 'no fault', limit, value: null, evidence };
      if (obs.mttrMs === null)
        return { passed: false, actual: 'never recovered', limit, value: null, evidence };
      return {
        passed: compare(obs.mttrMs, t.op, t.valueMs),
        actual: formatDuration(obs.mttrMs),
        limit,
        value: obs.mttrMs,
        evidence,
      };
    }
    case 'regression': {
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
      if (b === null)
        return unknown(limit, `the baseline results have no ${t.metric} for the ${t.phase} phase`);
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
    case 'alert_fires': {
      const limit = t.withinMs === null ? 'fires' : `fires within ${fmt(t.withinMs, 'duration')}`;
      if (obs.alerts === null) return unknown(limit, `alerts were not observed${outageNote(obs)}`);
      if (obs.faultStartMs === null) return unknown(limit, 'there was no fault to measure from');
      const fault = obs.faultStartMs;
      const all = spans(alertsNamed(obs.alerts, t.alert));
      // The state at the injection must have been seen, and it must be "not firing".
      const before = longestBlindMs(
        obs.alertCoverage,
        fault - PROBE_BLIND_TOLERANCE_MS,
        fault,
        metricsOutagesFor('alert', obs),
      );
      if (before >= PROBE_BLIND_TOLERANCE_MS)
        return unknown(
          limit,
          `the alert probe did not answer in the ${seconds(PROBE_BLIND_TOLERANCE_MS)} before the fault`,
        );
      if (firingAt(all, fault))
        return unknown(
          limit,
          `${t.alert} was already firing when the fault started: it cannot show the fault's effect`,
        );
      const deadline = t.withinMs === null ? obs.endMs : Math.min(obs.endMs, fault + t.withinMs);
      const first = firstTransitionAfter(all, fault);
      if (first === null || first > deadline) {
        return {
          passed: false,
          actual: first === null ? 'not fired' : `fired after ${formatDuration(first - fault)}`,
          limit,
          value: first === null ? null : first - fault,
          evidence: { count: 1, of: 'alert state', seen: alertSeen(obs, fault, deadline) },
        };
      }
      return {
        passed: true,
        actual: `fired after ${formatDuration(first - fault)}`,
        limit,
        value: first - fault,
        evidence: { count: 1, of: 'alert state', seen: alertSeen(obs, fault, first) },
      };
    }
    case 'alert_before_oom': {
      const limit = 'fires before the OOM kill';
      if (obs.alerts === null) return unknown(limit, `alerts were not observed${outageNote(obs)}`);
      const facts = lookup(obs.containers, obs, t.service);
      if (!facts) return unknown(limit, `container facts for ${t.service} were not collected`);
      if (!facts.oomKilled)
        return unknown(limit, `${t.service} was not OOM-killed: there is nothing to be before`);
      if (facts.oomKilledAtMs === null)
        return unknown(limit, `inspect says ${t.service} was OOM-killed, but no oom event gave the moment`);
      const from = obs.faultStartMs ?? 0;
      const all = spans(alertsNamed(obs.alerts, t.alert));
      if (obs.faultStartMs !== null && firingAt(all, from))
        return unknown(limit, `${t.alert} was already firing when the fault started`);
      const oom = facts.oomKilledAtMs;
      const first = firstTransitionAfter(all, from);
      const lead = first === null ? null : oom - first;
      return {
        passed: lead !== null && lead > 0,
        actual:
          lead === null
            ? 'not fired'
            : lead > 0
              ? `${formatDuration(lead)} before`
              : `${formatDuration(-lead)} after`,
        limit,
        value: lead,
        evidence: {
          count: 1,
          of: 'alert state',
          seen: alertSeen(obs, from, lead !== null && lead > 0 ? (first as number) : oom),
        },
      };
    }
    case 'alert_not_fires': {
      const limit = 'does not fire';
      if (obs.alerts === null) return unknown(limit, `alerts were not observed${outageNote(obs)}`);
      const all = spans(alertsNamed(obs.alerts, t.alert));
      const seen = alertSeen(obs, 0, obs.endMs);
      if (all.length === 0)
        return {
          passed: true,
          actual: 'not fired',
          limit,
          value: null,
          evidence: { count: 1, of: 'alert state', seen },
        };
      const at = all[0].fromMs - (obs.faultStartMs ?? 0);
      return {
        passed: false,
        actual: at < 0 ? 'firing before the fault' : `fired after ${formatDuration(at)}`,
        limit,
        value: all[0].fromMs,
        evidence: { count: 1, of: 'alert state' },
      };
    }
    case 'alert_severity': {
      const limit = `severity ${t.op} ${t.severity}`;
      if (obs.alerts === null) return unknown(limit, `alerts were not observed${outageNote(obs)}`);
      const fired = alertsNamed(obs.alerts, t.alert).filter((a) => a.firing.length > 0);
      const severities = [...new Set(fired.map((a) => a.severity ?? '(none)'))].sort();
      const actual = fired.length ? `fired as ${severities.join(', ')}` : 'not fired';
      const passed =
        t.op === '=='
          ? fired.length > 0 && fired.every((a) => a.severity === t.severity)
          : fired.every((a) => a.severity !== t.severity);
      return {
        passed,
        actual,
        limit,
        value: fired.length,
        evidence: { count: 1, of: 'alert state', seen: alertSeen(obs, 0, obs.endMs) },
      };
    }
    case 'no_alerts': {
      const limit = t.severity === null ? 'no alert fires' : `no ${t.severity} alert fires`;
      if (obs.alerts === null) return unknown(limit, `alerts were not observed${outageNote(obs)}`);
      const fired = obs.alerts.filter(
        (a) => a.firing.length > 0 && (t.severity === null || a.severity === t.severity),
      );
      const names = [...new Set(fired.map((a) => a.name))].sort();
      return {
        passed: fired.length === 0,
        actual: fired.length ? `fired: ${names.join(', ')}` : 'none fired',
        limit,
        value: names.length,
        evidence: {
          count: 1,
          of: 'alert state',
          ...(fired.length === 0 ? { seen: alertSeen(obs, 0, obs.endMs) } : {}),
        },
      };
    }
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
      const inspected = { count: 1, of: 'container inspection' };
      if (t.kind === 'container_restarts') {
        const restarts = facts.restartsAfter - facts.restartsBefore;
        return {
          passed: compare(restarts, t.op, t.value),
          actual: `${restarts} restarts`,
          limit,
          value: restarts,
          evidence: inspected,
        };
      }
      const events: Evidence['seen'] = {
        probe: 'container event',
        coverage: obs.eventCoverage,
        fromMs: 0,
        toMs: obs.endMs,
      };
      if (t.kind === 'container_oom') {
        return {
          passed: facts.oomKilled !== t.negate,
          actual: facts.oomKilled ? 'OOM-killed' : 'not OOM-killed',
          limit,
          value: facts.oomKilled ? 1 : 0,
          // An OOM kill seen is proof; "not OOM-killed" needs the event stream to have watched.
          evidence: facts.oomKilled ? inspected : { ...inspected, seen: events },
        };
      }
      const since = { ...events, fromMs: obs.faultStartMs ?? 0 };
      if (facts.timeToHealthyMs === null)
        return {
          passed: false,
          actual: 'never healthy again',
          limit,
          value: null,
          evidence: { ...inspected, seen: since },
        };
      return {
        passed: facts.timeToHealthyMs <= t.withinMs,
        actual: `healthy after ${formatDuration(facts.timeToHealthyMs)}`,
        limit,
        value: facts.timeToHealthyMs,
        evidence: { ...inspected, seen: since },
      };
    }
    case 'promql': {
      const limit = `${t.agg === 'last' ? '' : `${t.agg} `}${t.op} ${formatValue(t.value, 'number')}`;
      const samples = obs.promql[t.query];
      if (!samples) return unknown(limit, 'the query was not sampled');
      const inPhase = samples.filter((s) => t.phase === null || s.phase === t.phase);
      const values = inPhase.map((s) => s.value).filter((v): v is number => v !== null && Number.isFinite(v));
      if (values.length === 0)
        return unknown(limit, `no samples with a value in the ${t.phase ?? 'whole'} phase${outageNote(obs)}`);
      const value =
        t.agg === 'last'
          ? values[values.length - 1]
          : t.agg === 'max'
            ? Math.max(...values)
            : t.agg === 'min'
              ? Math.min(...values)
              : values.reduce((a, b) => a + b, 0) / values.length;
      const window = phaseWindow(obs, t.phase);
      return {
        passed: compare(value, t.op, t.value),
        actual: formatValue(value, 'number'),
        limit,
        value,
        evidence: {
          count: values.length,
          of: 'sample with a value',
          seen: {
            probe: 'PromQL',
            coverage: obs.promqlCoverage[t.query] ?? null,
            fromMs: window?.startMs ?? 0,
            toMs: window?.endMs ?? obs.endMs,
          },
        },
      };
    }
    case 'connections': {
      const limit = `${t.op} ${formatValue(t.value, 'number')}/s`;
      const samples = lookup(obs.connections, obs, t.service);
      if (!samples)
        return unknown(limit, `connections to ${t.service} were not counted (no proxy in front of it)`);
      const inPhase = samples.filter((s) => t.phase === null || s.phase === t.phase);
      if (inPhase.length === 0) return unknown(limit, `no connection samples in the ${t.phase} phase`);
      const peak = Math.max(...inPhase.map((s) => s.attempts));
      return {
        passed: compare(peak, t.op, t.value),
        actual: `${peak}/s at peak`,
        limit,
        value: peak,
        evidence: { count: inPhase.length, of: 'second of connection counts' },
      };
    }
  }
}

type TraceThreshold = Extract<Threshold, { kind: 'trace_attribute' | 'trace_count' }>;
type SpanAttribute = ObservedSpan['attributes'][string];

/** Whether a span's attribute satisfies `op value`; a span without it satisfies nothing. */
export function attributeHolds(
  actual: SpanAttribute | undefined,
  op: Comparator,
  expected: AttributeValue,
): boolean {
  if (actual === undefined) return false;
  if (typeof expected === 'number') {
    const n =
      typeof actual === 'number'
        ? actual
        : typeof actual === 'string' && actual.trim()
          ? Number(actual)
          : NaN;
    return Number.isFinite(n) && compare(n, op, expected);
  }
  // A store may type a tag differently from the literal (a "false" string): compare the text.
  const same = typeof actual === typeof expected ? actual === expected : String(actual) === String(expected);
  return op === '==' ? same : op === '!=' ? !same : false;
}

const literal = (v: AttributeValue): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** The values an attribute took over the spans, most frequent first: `false ×120, true ×3`. */
function attributeValues(spans: readonly ObservedSpan[], key: string): string {
  const counts = new Map<string, number>();
  for (const span of spans) {
    const v = span.attributes[key];
    const text = v === undefined ? '(absent)' : literal(v);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([v, n]) => `${v} ×${n}`)
    .join(', ');
}

/**
 * Trace checks read the spans that started in the phase's window. No span there is no
 * evidence (inconclusive, never a pass); a store that cut its answer at its limit leaves
 * standing only what the spans seen already decide.
 */
function evalTrace(t: TraceThreshold, obs: ScenarioObservations): Verdict {
  const limit =
    t.kind === 'trace_count'
      ? `count ${t.op} ${t.value}`
      : `${t.quantifier} ${t.attribute} ${t.op} ${literal(t.value)}`;
  if (!obs.traces) return unknown(limit, `${SKIPPED} the stack has no tracing role (no trace store to read)`);
  const read = obs.traces[traceKey(t.service, t.operation)];
  if (!read) return unknown(limit, `spans ${t.operation} of ${t.service} were not read`);
  if (read.error) return unknown(limit, `the trace store could not be read: ${read.error}`);
  const window = phaseWindow(obs, t.phase);
  if (t.phase !== null && !window) return unknown(limit, `the ${t.phase} phase was not observed`);
  const fromMs = window?.startMs ?? 0;
  const toMs = window?.endMs ?? obs.endMs;
  const where = t.phase === null ? 'the scenario' : `the ${t.phase} phase`;
  const spans = read.spans.filter((s) => s.startMs >= fromMs && s.startMs < toMs);
  const evidence: Evidence = {
    count: spans.length,
    of: `${t.operation} span of ${t.service} started in ${where}`,
  };
  const cut = 'the trace store cut its answer at its limit, so spans are missing';
  if (t.kind === 'trace_count') {
    const passed = compare(spans.length, t.op, t.value);
    // A lower bound decides only `>`/`>=` passes and `<`/`<=`/`==` failures beyond the limit.
    if (read.truncated && !(passed ? t.op === '>' || t.op === '>=' : ['<', '<=', '=='].includes(t.op)))
      return unknown(limit, `${cut}: ${spans.length} counted`);
    return { passed, actual: `${spans.length} spans`, limit, value: spans.length, evidence };
  }
  const holding = spans.filter((s) => attributeHolds(s.attributes[t.attribute], t.op, t.value)).length;
  const passed = t.quantifier === 'all' ? holding === spans.length : holding > 0;
  // `all` passing and `any` failing are claims about every span: a cut answer cannot make them.
  if (read.truncated && passed === (t.quantifier === 'all'))
    return unknown(limit, `${cut}: ${holding} of ${spans.length} seen hold`);
  return {
    passed,
    actual: `${holding} of ${spans.length} spans`,
    limit,
    value: holding,
    detail: `${t.attribute}: ${attributeValues(spans, t.attribute)}`,
    evidence,
  };
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
  const read = lookup(obs.logCoverage, obs, t.service);
  if (!all || !read) return unknown(limit, `logs of ${t.service} were not collected`);
  const window = phaseWindow(obs, t.phase);
  if (t.phase !== null && !window) return unknown(limit, `the ${t.phase} phase was not observed`);
  const fromMs = window?.startMs ?? 0;
  const toMs = window?.endMs ?? obs.endMs;
  const lines = window
    ? all.filter((l) => l.atMs === null || (l.atMs >= window.startMs && l.atMs < window.endMs))
    : all;
  const re =
    t.kind === 'log_contains' || (t.kind === 'log_count' && t.text !== null)
      ? null
      : compileLogPattern((t as { pattern: string }).pattern, (t as { flags: string }).flags);
  const text = t.kind === 'log_contains' ? t.text : t.kind === 'log_count' ? t.text : null;
  const hits = lines.filter((l) => (re ? re.test(l.line) : l.line.includes(text ?? '')));
  const example = hits[0] ? { detail: hits[0].line.slice(0, 300) } : {};
  const where = t.phase === null ? 'the scenario' : `the ${t.phase} phase`;
  // A check that would pass on silence ("not contains", "count < N") stands only on lines read:
  // with none, the service may have logged elsewhere or not at all. A check that looks for a
  // line fails on silence, which is a finding as long as the reader covered the window.
  const passesOnSilence =
    t.kind === 'log_contains' || t.kind === 'log_matches'
      ? t.negate
      : t.kind === 'log_count'
        ? compare(0, t.op, t.value)
        : false;
  // The reader's view: lines dropped to the line limit make the start of its window blind.
  const evidence: Evidence = {
    count: passesOnSilence ? lines.length : 1,
    of: `log line of ${t.service} in ${where}`,
    seen: {
      probe: 'log',
      coverage: {
        fromMs: read.truncatedBeforeMs ?? read.fromMs,
        toMs: read.toMs,
        blind: [],
        problems: read.truncatedBeforeMs === null ? [] : ['older lines were dropped at the line limit'],
      },
      fromMs,
      toMs,
    },
  };
  switch (t.kind) {
    case 'log_contains':
    case 'log_matches': {
      const found = hits.length > 0;
      return {
        passed: found !== t.negate,
        actual: found ? `${hits.length} matching line${hits.length === 1 ? '' : 's'}` : 'no matching line',
        limit,
        value: hits.length,
        evidence,
        ...example,
      };
    }
    case 'log_count':
      return {
        passed: compare(hits.length, t.op, t.value),
        actual: String(hits.length),
        limit,
        value: hits.length,
        evidence,
      };
    case 'log_backoff': {
      const delays = hits.map((l) => Number(re?.exec(l.line)?.[1])).filter((n) => Number.isFinite(n));
      if (delays.length < 2) {
        return {
          passed: false,
          actual: `${delays.length} retry line${delays.length === 1 ? '' : 's'}`,
          limit,
          value: 0,
          evidence,
        };
      }
      const growing = delays.slice(1).filter((d, i) => d > delays[i]).length;
      const shown = delays.slice(0, 8).join(' → ') + (delays.length > 8 ? ' …' : '');
      return { passed: growing > 0, actual: `delays ${shown}`, limit, value: growing, evidence, ...example };
    }
  }
}

function metricLabel(t: Threshold): string {
  switch (t.kind) {
    case 'metric':
      return t.stage !== null ? `${t.metric} (stage ${t.stage})` : t.metric;
    case 'recovery_time':
      return 'recovery_time';
    case 'mttr':
      return 'mttr';
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
    if (t.gateSeverity === 'warning') result.severity = 'warning';
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

/** The first guard condition that holds on the timeline, or null. */
export function abortCondition(
  guard: AbortGuard | null,
  timeline: readonly TimelinePoint[],
): GuardCondition | null {
  if (!guard) return null;
  for (const c of guard.conditions) {
    const points = timeline.filter((p) => c.phase === null || p.phase === c.phase);
    const { seconds } = longestRun(
      points,
      c.metric,
      (v) => v !== null && compare(v, c.op as Comparator, c.value),
    );
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
