// Sustained breaches (`fault: p95 < 500ms for 5s`) and the abort guard: both read the
// per-second timeline of a phase.
//
// Evidence: the seconds of the phase with a value. A second without one (no request sent) could
// hide a breach: "never breached long enough" holds only if no run of breached-or-unknown
// seconds reaches the window either; otherwise the check is inconclusive.
import type { TimelinePoint } from '../../results';
import type { ObservedSecond, ScenarioObservations } from '../observations';
import {
  compare,
  type AbortGuard,
  type Comparator,
  type GuardCondition,
  type MetricThreshold,
  type TimelineMetric,
} from '../thresholds';
import { fmt, unknown, type Verdict } from './evidence';
import { latencyCovers } from './load';

/** Failures without a latency (they fail in microseconds): the load's refused, reset and other. */
const UNTIMED_ERRORS = ['refused', 'reset', 'other', 'dropped'];

/** How many of a second's requests have a latency (see ObservedSecond). */
export function timedOf(p: ObservedSecond): number {
  if (p.timed !== undefined) return p.timed;
  if (!p.errors) return p.completed;
  const untimed = UNTIMED_ERRORS.reduce((n, kind) => n + (p.errors?.[kind] ?? 0), 0);
  // `dropped` never completed, the others did.
  return Math.max(0, p.completed - untimed + (p.errors.dropped ?? 0));
}

/**
 * A second's value of a timeline metric, or null when it has none: no request sent, or (p95)
 * too few of those sent have a latency for a p95 to speak for them (the rule of load.ts, per second).
 */
export function timelineValue(p: ObservedSecond, metric: TimelineMetric): number | null {
  switch (metric) {
    case 'p95':
      return latencyCovers('p95', timedOf(p), p.scheduled) ? p.p95Ms : null;
    case 'error_rate':
      return p.scheduled > 0 ? p.errorRate : null;
    case 'rps':
      return p.completed;
  }
}

/** Longest run of consecutive seconds for which `hit` is true (null values break a run). */
export function longestRun(
  points: readonly TimelinePoint[],
  metric: TimelineMetric,
  hit: (v: number | null) => boolean,
  value: (p: TimelinePoint) => number | null = (p) => timelineValue(p, metric),
): { seconds: number; worst: number | null } {
  let best = 0;
  let run = 0;
  let prev: number | null = null;
  let worst: number | null = null;
  for (const p of points) {
    const v = value(p);
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

export function evalSustained(t: MetricThreshold, obs: ScenarioObservations): Verdict {
  const limit = `${t.op} ${fmt(t.value, t.unit)} unless breached < ${(t.sustainedMs as number) / 1000}s`;
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
  // A phase shorter than the window (a recovery that ended early, a fault cut short by the abort
  // guard or run its course) cannot hold a breach that long: the check could not have failed.
  if (points.length < needed && t.phase !== null) {
    return unknown(
      limit,
      `the ${t.phase} phase lasted ${points.length}s, shorter than the ${needed}s window: a breach that long could not happen in it`,
    );
  }
  // A second with no value could hide a breach: "never breached long enough" holds only if
  // no run of breached-or-unknown seconds reaches the length either.
  const { seconds: couldBe } = longestRun(points, metric, (v) => v === null || breached(v));
  if (couldBe >= needed) {
    const blank = points.length - evaluable;
    return unknown(
      limit,
      `${blank} second${blank === 1 ? '' : 's'} of the ${t.phase ?? 'whole'} phase had no ${metric} value` +
        (metric === 'p95'
          ? ' (nothing sent, or too few of the requests sent answered for a p95 to speak for them)'
          : '') +
        `, enough to hide a ${needed}s breach`,
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
