// A paired run's comparison, from the observations of the PR's side and of the base's side:
// the `comparison` block of a scenario's result, and the judgement of regression thresholds
// on intervals. Pure; the statistics are compare/'s.
//
// A regression threshold (`p95 regression < 20%`) is violated only when the whole interval of
// the change lies beyond the limit, passes only when it lies within it, and is inconclusive
// otherwise, with the interval in its actual value: `+38 % [+22 %, +55 %]`.
import {
  CONFIDENCE,
  DEFAULT_LIMITS,
  changeOf,
  changeProblem,
  comparePhase,
  formatChange,
  judgeChange,
  type ChangeMetric,
  type PhaseSample,
} from '../compare';
import type { PhaseName, ScenarioComparison } from '../results';
import type { PairedBaseObservation, ScenarioObservations } from './observations';
import { formatValue, type RegressionThreshold, type Threshold } from './thresholds';

/** The phases a comparison covers: every measured phase after the warm-up. */
const COMPARED: readonly PhaseName[] = ['baseline', 'fault', 'recovery', 'after'];

function sampleOf(
  side: Pick<ScenarioObservations, 'phases' | 'latencyBins' | 'secondBins'> | PairedBaseObservation,
  phase: PhaseName,
  simultaneous: boolean,
): PhaseSample | null {
  const stats = side.phases[phase];
  if (!stats) return null;
  // The phase's seconds: those that start inside it (a second across a boundary goes with its start).
  const first = Math.ceil(stats.startMs / 1000);
  const seconds = (side.secondBins ?? []).filter((s) => s.second >= first && s.second * 1000 < stats.endMs);
  return {
    stats,
    bins: side.latencyBins?.[phase] ?? { values: [], counts: [] },
    ...(seconds.length ? { seconds } : {}),
    simultaneous,
  };
}

/**
 * The limits the comparison's verdict words use: the scenario's own regression thresholds
 * (`p95 regression < 20%`, the tightest per metric) where it has them, else DEFAULT_LIMITS.
 */
export function comparisonLimits(thresholds: readonly Threshold[]): ScenarioComparison['limits'] {
  const limits = { ...DEFAULT_LIMITS };
  const key = { p95: 'p95', p99: 'p99', error_rate: 'errorRate' } as const;
  const seen = new Set<string>();
  for (const t of thresholds) {
    if (t.kind !== 'regression' || (t.op !== '<' && t.op !== '<=')) continue;
    const name = key[t.metric as keyof typeof key] as keyof typeof limits | undefined;
    if (!name) continue;
    limits[name] = seen.has(name) ? Math.min(limits[name], t.value) : t.value;
    seen.add(name);
  }
  return limits;
}

/** The comparison block of a paired run's PR side; undefined without a paired base. */
export function scenarioComparison(
  thresholds: readonly Threshold[],
  obs: ScenarioObservations,
): ScenarioComparison | undefined {
  const base = obs.pairedBase;
  if (!base) return undefined;
  const limits = comparisonLimits(thresholds);
  const together = base.mode === 'concurrent';
  const phases = COMPARED.filter((p) => obs.phases[p] !== undefined || base.phases[p] !== undefined).map(
    (p) => comparePhase(p, sampleOf(obs, p, together), sampleOf(base, p, together), limits),
  );
  return {
    base: {
      project: base.project,
      composeFiles: base.composeFiles,
      outcome: 'error',
      reason: base.problem ?? '',
    },
    mode: base.mode,
    confidence: CONFIDENCE,
    limits,
    phases,
    baseTimeline: base.timeline,
  };
}

/** What a regression threshold's verdict says, judged on the paired base (verdict.ts adds the evidence rule). */
export interface PairedRegression {
  passed: boolean | null;
  actual: string;
  limit: string;
  value: number | null;
  detail: string;
  /** Requests on the smaller side: 0 makes the check inconclusive. */
  count: number;
}

/** A regression threshold on the paired base's same phase, as an interval. */
export function pairedRegression(t: RegressionThreshold, obs: ScenarioObservations): PairedRegression {
  const base = obs.pairedBase as PairedBaseObservation;
  const limit = `${t.op} ${formatValue(t.value, 'ratio')}`;
  const phase = t.phase ?? 'fault';
  const together = base.mode === 'concurrent';
  const pr = sampleOf(obs, phase, together);
  const other = sampleOf(base, phase, together);
  const metric = t.metric as ChangeMetric;
  const unit = metric === 'error_rate' ? 'points' : 'relative';
  const problem = base.problem ?? changeProblem(metric, pr, other);
  const count = Math.min(pr?.stats.scheduled ?? 0, other?.stats.scheduled ?? 0);
  if (problem) {
    return { passed: null, actual: 'n/a', limit, value: null, detail: `paired base: ${problem}`, count };
  }
  const interval = changeOf(metric, pr, other);
  const passed = judgeChange(interval, t.op, t.value);
  const shown = `${phase} ${t.metric} ${formatChange(interval, unit)}`;
  const sides = sideValues(metric, pr as PhaseSample, other as PhaseSample);
  const level = `${Math.round(CONFIDENCE * 100)} % interval against the paired base`;
  const detail =
    passed === null
      ? `inconclusive: ${shown} straddles the limit (${limit}); the ${level} is too wide to decide, a longer phase would narrow it (${sides})`
      : `${level} (${sides})`;
  return { passed, actual: formatChange(interval, unit), limit, value: interval.change, detail, count };
}

function sideValues(metric: ChangeMetric, pr: PhaseSample, base: PhaseSample): string {
  const read = (s: PhaseSample): number | null => {
    const stats = s.stats;
    switch (metric) {
      case 'p50':
        return stats.p50Ms;
      case 'p90':
        return stats.p90Ms;
      case 'p95':
        return stats.p95Ms;
      case 'p99':
        return stats.p99Ms;
      case 'max':
        return stats.maxMs;
      case 'avg':
        return stats.meanMs;
      case 'error_rate':
        return stats.errorRate;
    }
  };
  const show = (v: number | null): string =>
    v === null ? 'n/a' : metric === 'error_rate' ? formatValue(v, 'ratio') : `${Math.round(v * 100) / 100}ms`;
  return `base ${show(read(base))} → PR ${show(read(pr))}`;
}
