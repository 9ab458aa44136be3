// The k6 runner pods' samples turned back into requests, filed by when they were SENT, as the
// compose path files them. Pure.
//
// Each pod pushes its cumulative counter `chaos_req_duration_bucket` (one series per latency
// bucket and outcome) about once a second. A series' increase between two pushes counts the
// requests that completed in that second, each with a latency within its bucket: it was sent
// that latency earlier. So a request that hung ten seconds in the fault phase is filed in the
// fault phase, not in the phase in which its timeout came. Increases are taken series by series
// with reset handling (a runner that restarts starts its counters from 0), then summed: summing
// first and differencing second turns a reset into a negative difference, which hides requests.
import type { WindowStats } from '../results';
import type { ObservedSecond } from '../scenario/observations';
import { bucketUpperMs, GROWTH, latencyFigures, type BucketCounts } from './k6-metrics';

/** A bucket's middle (geometric): the latency a request of that bucket most likely had. */
const bucketMidMs = (index: number): number => (index === 0 ? 0 : bucketUpperMs(index) / Math.sqrt(GROWTH));

/** How a request ended, as the generated script tags it (`outcome`). */
export type SampleOutcome = 'ok' | 'status' | 'none';
const OUTCOMES: readonly string[] = ['ok', 'status', 'none'];

export interface CounterSeries {
  labels: Record<string, string>;
  /** [epochMs, cumulative value], ascending. */
  points: [number, number][];
}

/**
 * One series' increase at each of its points, as Prometheus' increase() reads a counter: a
 * value lower than the one before is a reset (the counter began again at 0), so the increase
 * is the new value itself. A series whose first point lies after `rangeStartEpochMs` was born
 * inside the range: its first value counts from 0. One that was there at the range's start
 * gives its first value as the base.
 */
export function increases(
  points: readonly [number, number][],
  rangeStartEpochMs: number,
): { atEpochMs: number; increase: number }[] {
  const out: { atEpochMs: number; increase: number }[] = [];
  let previous: number | null = null;
  for (const [at, value] of points) {
    if (previous === null) {
      if (at > rangeStartEpochMs && value > 0) out.push({ atEpochMs: at, increase: value });
    } else if (value >= previous) {
      if (value > previous) out.push({ atEpochMs: at, increase: value - previous });
    } else if (value > 0) out.push({ atEpochMs: at, increase: value });
    previous = value;
  }
  return out;
}

/** Requests of one latency bucket and outcome, sent at (about) one moment. */
export interface SentGroup {
  sentEpochMs: number;
  bucket: number;
  outcome: SampleOutcome;
  count: number;
  /** The request of a mix it was (the script's `request` tag); absent for a single request. */
  request?: string;
}

export class SampleError extends Error {}

/**
 * Every request the pods reported, filed by its send time: a push at t counts the requests that
 * completed in the push interval before it (at t − interval/2 on average), each sent its
 * latency (its bucket's middle) before that. A send time is read back within about half a push
 * interval (and 1 % of the latency): only requests that close to a phase's edge can be misfiled.
 */
export function sentGroups(
  series: readonly CounterSeries[],
  rangeStartEpochMs: number,
  pushIntervalMs = 1000,
): SentGroup[] {
  const groups: SentGroup[] = [];
  for (const s of series) {
    const outcome = s.labels.outcome;
    if (!OUTCOMES.includes(outcome))
      throw new SampleError(
        `the load's samples carry no outcome tag (rendered before send-time judging?): render the run again with this version`,
      );
    const bucket = Number(s.labels.bucket);
    if (!Number.isInteger(bucket) || bucket < 0) continue;
    for (const { atEpochMs, increase } of increases(s.points, rangeStartEpochMs)) {
      groups.push({
        sentEpochMs: atEpochMs - pushIntervalMs / 2 - bucketMidMs(bucket),
        bucket,
        outcome: outcome as SampleOutcome,
        count: increase,
        ...(s.labels.request !== undefined ? { request: s.labels.request } : {}),
      });
    }
  }
  return groups.sort((a, b) => a.sentEpochMs - b.sentEpochMs);
}

function firstAtOrAfter(groups: readonly SentGroup[], epochMs: number): number {
  let lo = 0;
  let hi = groups.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (groups[mid].sentEpochMs < epochMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The requests sent in a window (groups sorted by send time), as the compose path's load figures: a request with no
 * response (k6 status 0) that took the whole timeout timed out (it has a latency); one that
 * failed faster was refused or reset (it has none); an unexpected status was answered.
 */
export function windowOf(
  groups: readonly SentGroup[],
  fromEpochMs: number,
  toEpochMs: number,
  timeoutMs: number,
): WindowStats {
  const timedBuckets: BucketCounts = new Map();
  let scheduled = 0;
  const errors: Record<string, number> = {};
  // Groups are sorted by send time (sentGroups): start at the first one in the window.
  for (let i = firstAtOrAfter(groups, fromEpochMs); i < groups.length; i++) {
    const g = groups[i];
    if (g.sentEpochMs >= toEpochMs) break;
    scheduled += g.count;
    const latency = bucketUpperMs(g.bucket);
    const timedOut = g.outcome === 'none' && latency >= timeoutMs * 0.95;
    if (g.outcome === 'status') errors.unexpected_status = (errors.unexpected_status ?? 0) + g.count;
    else if (timedOut) errors.timeout = (errors.timeout ?? 0) + g.count;
    else if (g.outcome === 'none') errors.other = (errors.other ?? 0) + g.count;
    if (g.outcome !== 'none' || timedOut)
      timedBuckets.set(g.bucket, (timedBuckets.get(g.bucket) ?? 0) + g.count);
  }
  const figures = latencyFigures(timedBuckets);
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  const seconds = Math.max(0.001, (toEpochMs - fromEpochMs) / 1000);
  return {
    scheduled,
    timed: figures.count,
    // Judged after the run: every request reported has completed.
    completed: scheduled,
    targetRate: null,
    achievedRate: scheduled / seconds,
    errorRate: scheduled ? failed / scheduled : 0,
    errors,
    late: 0,
    meanMs: figures.meanMs,
    p50Ms: figures.p50Ms,
    p90Ms: figures.p90Ms,
    p95Ms: figures.p95Ms,
    p99Ms: figures.p99Ms,
    maxMs: figures.maxMs,
  };
}

/** One point per second of send time from t0 to `endEpochMs`, each second's requests as windowOf files them. */
export function sentTimeline(
  groups: readonly SentGroup[],
  t0EpochMs: number,
  endEpochMs: number,
  timeoutMs: number,
  phaseAt: (scenarioMs: number) => ObservedSecond['phase'],
): ObservedSecond[] {
  const points: ObservedSecond[] = [];
  for (let second = 0; t0EpochMs + (second + 1) * 1000 <= endEpochMs; second++) {
    const from = t0EpochMs + second * 1000;
    const w = windowOf(groups, from, from + 1000, timeoutMs);
    points.push({
      second,
      phase: phaseAt(second * 1000),
      scheduled: w.scheduled,
      completed: w.completed,
      timed: w.timed,
      p95Ms: w.p95Ms,
      errorRate: w.errorRate,
      errors: w.errors,
    });
  }
  return points;
}
