// Recovery: when the system was well again after the fault, and the recovery_time and mttr
// checks that read it.
//
// The rule (used live by the runner, and again on the complete data once the load has stopped):
// the system has recovered at second s, after the revert, when the requests SENT in the
// sustained window [s, s + RECOVERY_SUSTAIN_S) were all answered, their error rate and p95 back
// near the baseline's, and the steady-state checks held. The window never includes the revert's
// own second (requests answered just before the revert say nothing about after it). Judged on
// requests sent, never on requests that happened to finish: a request still in flight leaves its
// window undecided, and a window in which nothing was sent is no evidence.
//
// Evidence for the checks: a reverted fault. A service still failing when the data ends has not
// recovered: `recovery_time < 10s` is violated with `> 40s (not recovered by the end of the run)`
// whenever the time watched already exceeds the limit, and inconclusive only when it does not.
import { formatDuration } from '../../config/duration';
import type { WindowStats } from '../../results';
import type { ScenarioObservations } from '../observations';
import { compare, type Comparator, type MttrThreshold, type RecoveryTimeThreshold } from '../thresholds';
import { fmt, unknown, type Verdict } from './evidence';
import { latencyCovers } from './load';

/** How many whole seconds of requests must go well, in a row, for the system to count as recovered. */
export const RECOVERY_SUSTAIN_S = 3;
/** p95 within this factor of the baseline's, or within the baseline's plus the floor, whichever is larger. */
export const RECOVERY_P95_FACTOR = 1.5;
export const RECOVERY_P95_FLOOR_MS = 50;
/** Error rate within twice the baseline's, and never asked below this. */
export const RECOVERY_ERROR_FLOOR = 0.01;

export interface RecoveryCriteria {
  p95LimitMs: number;
  errorRateLimit: number;
}

/** What "near the baseline" means for the baseline the load measured before the fault. */
export function recoveryCriteria(baseline: Pick<WindowStats, 'p95Ms' | 'errorRate'>): RecoveryCriteria {
  const p95 = baseline.p95Ms ?? 0;
  return {
    p95LimitMs: Math.max(p95 * RECOVERY_P95_FACTOR, p95 + RECOVERY_P95_FLOOR_MS),
    errorRateLimit: Math.max(baseline.errorRate * 2, RECOVERY_ERROR_FLOOR),
  };
}

/** good: every request sent was answered within the criteria; pending: some are still in flight. */
export type WindowState = 'good' | 'bad' | 'pending' | 'empty';

/** One window of requests, judged by when they were sent. */
export function recoveryWindowState(w: WindowStats, criteria: RecoveryCriteria): WindowState {
  if (w.scheduled === 0) return 'empty';
  const errors = Object.values(w.errors).reduce((a, b) => a + b, 0);
  // Failures already seen decide the window whatever is still in flight.
  if (errors / w.scheduled > criteria.errorRateLimit) return 'bad';
  const outstanding = w.scheduled - w.completed - (w.errors.dropped ?? 0);
  if (outstanding > 0) return 'pending';
  if (!latencyCovers('p95', w.timed ?? w.completed, w.scheduled) || w.p95Ms === null) return 'bad';
  return w.p95Ms <= criteria.p95LimitMs ? 'good' : 'bad';
}

/**
 * The first second s ≥ fromSecond whose window [s, s + RECOVERY_SUSTAIN_S) is good, among the
 * windows that end by `endSecond` (exclusive: seconds before it are over). Windows are taken in
 * order and a pending one is waited for (`pending`: its requests may yet be answered well, and
 * it is earlier than any window after it). `read(a, b)` gives the load figures of the requests
 * sent in seconds [a, b).
 */
export function findRecovery(
  read: (fromSecond: number, toSecond: number) => WindowStats,
  fromSecond: number,
  endSecond: number,
  criteria: RecoveryCriteria,
): { second: number | null; pending: boolean; next: number } {
  let s = fromSecond;
  for (; s + RECOVERY_SUSTAIN_S <= endSecond; s++) {
    const state = recoveryWindowState(read(s, s + RECOVERY_SUSTAIN_S), criteria);
    if (state === 'good') return { second: s, pending: false, next: s };
    if (state === 'pending') return { second: null, pending: true, next: s };
  }
  // `next`: where to look again later. A window judged bad or empty once it is over stays so
  // (its requests are all counted, and failures seen are never taken back).
  return { second: null, pending: false, next: s };
}

/**
 * The verdict on a duration that is only known to exceed `watchedMs` (the system was still
 * failing when the data ended): decided where the bound decides it, inconclusive otherwise.
 */
function notRecovered(op: Comparator, limitMs: number, watchedMs: number, limit: string): Verdict {
  const actual = `> ${formatDuration(watchedMs)} (not recovered by the end of the run)`;
  const evidence = { count: 1, of: 'reverted fault to recover from' };
  const upper = op === '<' || op === '<=' || op === '==';
  const lower = op === '>' || op === '>=';
  if (upper && limitMs <= watchedMs) return { passed: false, actual, limit, value: null, evidence };
  if (lower && limitMs <= watchedMs) return { passed: true, actual, limit, value: null, evidence };
  return unknown(
    limit,
    `not recovered in the ${formatDuration(watchedMs)} watched after the revert, which does not reach the limit`,
  );
}

function evalRecoveryDuration(
  op: Comparator,
  limitMs: number,
  valueMs: number | null,
  watchedMs: number | undefined,
  obs: ScenarioObservations,
): Verdict {
  const limit = `${op} ${fmt(limitMs, 'duration')}`;
  const evidence = { count: obs.faultEndMs === null ? 0 : 1, of: 'reverted fault to recover from' };
  if (valueMs === null) {
    if (watchedMs !== undefined && obs.faultEndMs !== null)
      return notRecovered(op, limitMs, watchedMs, limit);
    return { passed: false, actual: 'never recovered', limit, value: null, evidence };
  }
  return {
    passed: compare(valueMs, op, limitMs),
    actual: formatDuration(valueMs),
    limit,
    value: valueMs,
    evidence,
  };
}

export function evalRecoveryTime(t: RecoveryTimeThreshold, obs: ScenarioObservations): Verdict {
  return evalRecoveryDuration(t.op, t.valueMs, obs.recoveryTimeMs, obs.recoveryWatchedMs, obs);
}

export function evalMttr(t: MttrThreshold, obs: ScenarioObservations): Verdict {
  if (obs.faultStartMs === null || obs.faultEndMs === null || obs.mttrMs === undefined)
    return {
      passed: null,
      actual: 'no fault',
      limit: `${t.op} ${fmt(t.valueMs, 'duration')}`,
      value: null,
      evidence: { count: 0, of: 'reverted fault to recover from' },
    };
  // MTTR counts from the first injection: the time watched after the revert plus the fault phase.
  const watched =
    obs.recoveryWatchedMs === undefined
      ? undefined
      : obs.recoveryWatchedMs + (obs.faultEndMs - obs.faultStartMs);
  return evalRecoveryDuration(t.op, t.valueMs, obs.mttrMs, watched, obs);
}
