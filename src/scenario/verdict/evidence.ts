// What every verdict stands on, and the one rule that applies to all of them: no pass or fail
// without evidence. Each check kind (the other files of this folder) states its Evidence beside
// its evaluation; `applyEvidenceRule` turns a verdict into "inconclusive" when that evidence is
// empty or when the probe that fed it was blind for longer than PROBE_BLIND_TOLERANCE_MS over
// the window its claim covers. No kind can skip it: Evidence is a required part of a Verdict.
import { formatDuration } from '../../config/duration';
import type { PhaseName, ThresholdResult } from '../../results';
import {
  PROBE_BLIND_TOLERANCE_MS,
  type PhaseObservation,
  type ProbeCoverage,
  type ScenarioObservations,
} from '../observations';
import { formatValue, type MetricThreshold } from '../thresholds';

/** Results whose detail starts with this were skipped on purpose (a regression without a baseline). */
export const SKIPPED = 'skipped:';

/** A stretch of the scenario clock (ms from t0). */
export interface Stretch {
  fromMs: number;
  toMs: number;
}

/** What a verdict stood on. */
export interface Evidence {
  /** How many data points the value rests on (requests, seconds, samples, lines, events). 0 → inconclusive. */
  count: number;
  /** What was counted, as the reason names it when there is none ("requests sent in the fault phase"). */
  of: string;
  /**
   * The probe that fed it, and the window its claim covers (scenario ms). `outages`: stretches
   * in which the probe's own data source was a fault target and that may be excused (see
   * longestBlind); a claim that rests on silence passes none.
   */
  seen?: {
    probe: string;
    coverage: ProbeCoverage | null;
    fromMs: number;
    toMs: number;
    outages?: readonly Stretch[];
    /** Said after the blind stretch when it makes the verdict inconclusive. */
    note?: string;
  };
}

export type Verdict = Pick<ThresholdResult, 'passed' | 'actual' | 'limit' | 'value'> & {
  detail?: string;
  evidence: Evidence;
  /**
   * 'warning': this verdict is reported but decides nothing, whatever the threshold's own
   * severity (a paired regression that only a longer phase could decide, paired-inconclusive: warn).
   */
  severity?: 'warning';
};

export const NONE: Evidence = { count: 0, of: 'data' };

/** A verdict that could not be reached: inconclusive, with why. */
export const unknown = (limit: string, detail: string): Verdict => ({
  passed: null,
  actual: 'n/a',
  limit,
  value: null,
  detail,
  evidence: NONE,
});

export function resolveName(obs: ScenarioObservations, name: string): string {
  return obs.services[name] ?? name;
}

/** A per-service observation under the name a threshold uses (a role or a service). */
export function lookup<T>(map: Record<string, T>, obs: ScenarioObservations, name: string): T | undefined {
  return map[resolveName(obs, name)] ?? map[name];
}

export function fmt(value: number, unit: MetricThreshold['unit'] | 'duration' | 'number'): string {
  return unit === 'ms' || unit === 'duration' ? formatDuration(value) : formatValue(value, unit);
}

export const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

export function phaseWindow(
  obs: ScenarioObservations,
  phase: PhaseName | null,
): PhaseObservation | undefined {
  return phase === null ? undefined : obs.phases[phase];
}

/**
 * The longest stretch of [fromMs, toMs] the probe did not see: its blind stretches, and any
 * part of the window before it started or after it stopped; null when it saw all of it, and
 * the whole window when it never ran. `outages`: when the probe's own data source was a fault
 * target; a blind stretch overlapping one is the outage itself, not a gap in the evidence,
 * provided the probe answered again after it (a stretch that runs to the probe's end never
 * closed and still counts).
 */
export function longestBlind(
  coverage: ProbeCoverage | null,
  fromMs: number,
  toMs: number,
  outages: readonly Stretch[] = [],
): (Stretch & { ms: number }) | null {
  if (toMs <= fromMs) return null;
  if (coverage === null) return { fromMs, toMs, ms: Infinity };
  const outage = (b: Stretch): boolean =>
    b.toMs < coverage.toMs && outages.some((o) => b.fromMs <= o.toMs && o.fromMs <= b.toMs);
  const stretches = [
    { fromMs, toMs: Math.min(toMs, coverage.fromMs) },
    { fromMs: Math.max(fromMs, coverage.toMs), toMs },
    ...coverage.blind
      .filter((b) => !outage(b))
      .map((b) => ({ fromMs: Math.max(fromMs, b.fromMs), toMs: Math.min(toMs, b.toMs) })),
  ].filter((s) => s.toMs > s.fromMs);
  if (stretches.length === 0) return null;
  const worst = stretches.reduce((a, b) => (b.toMs - b.fromMs > a.toMs - a.fromMs ? b : a));
  return { ...worst, ms: worst.toMs - worst.fromMs };
}

/** The length of longestBlind's stretch: 0 when the probe saw the whole window, Infinity when it never ran. */
export function longestBlindMs(
  coverage: ProbeCoverage | null,
  fromMs: number,
  toMs: number,
  outages: readonly Stretch[] = [],
): number {
  return longestBlind(coverage, fromMs, toMs, outages)?.ms ?? 0;
}

/** Says, after a no-data reason, that the metrics role was down because it was a fault target. */
export function outageNote(obs: ScenarioObservations): string {
  const outages = obs.metricsOutages ?? [];
  if (outages.length === 0) return '';
  const spans = outages.map((o) => `${seconds(o.fromMs)}–${seconds(o.toMs)}`).join(', ');
  return ` (the metrics role was a fault target, down ${spans})`;
}

/** The one rule: no evidence, or a blind probe over the claimed window, is never a pass or a fail. */
export function applyEvidenceRule(verdict: Verdict, obs: ScenarioObservations): Verdict {
  if (verdict.passed === null) return verdict;
  const { evidence } = verdict;
  if (evidence.count === 0) return unknown(verdict.limit, `no evidence: no ${evidence.of}`);
  if (evidence.seen) {
    const { probe, coverage, fromMs, toMs, outages = [], note = '' } = evidence.seen;
    const blind = longestBlind(coverage, fromMs, toMs, outages);
    if (blind && blind.ms > PROBE_BLIND_TOLERANCE_MS) {
      const why = coverage?.problems[0] ? ` (${coverage.problems[0]})` : '';
      const span = Number.isFinite(blind.ms)
        ? `for ${seconds(blind.ms)} (${seconds(blind.fromMs)}–${seconds(blind.toMs)})`
        : 'throughout';
      const excused = outages.length > 0 ? outageNote(obs) : '';
      return unknown(
        verdict.limit,
        `the ${probe} probe was blind ${span} between ${seconds(fromMs)} and ${seconds(toMs)}${why}${excused}${note}`,
      );
    }
  }
  return verdict;
}
