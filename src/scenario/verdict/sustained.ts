// Sustained breaches (`fault: p95 < 500ms for 5s`) and the abort guard: both read the
// per-second timeline of a phase.
//
// Evidence: the seconds of the phase with a value. A second without one (no request sent) could
// hide a breach: "never breached long enough" holds only if no run of breached-or-unknown
// seconds reaches the window either; otherwise the check is inconclusive.
import type { TimelinePoint } from '../../results';
import type { ScenarioObservations } from '../observations';
import {
  compare,
  type AbortGuard,
  type Comparator,
  type GuardCondition,
  type MetricThreshold,
  type TimelineMetric,
} from '../thresholds';
import { fmt, unknown, type Verdict } from './evidence';

export function timelineValue(p: TimelinePoint, metric: TimelineMetric): number | null {
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
