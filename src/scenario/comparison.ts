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
  changeProblem,
  checkInterval,
  checkName,
  checkUnit,
  comparePhase,
  formatChange,
  formatLimit,
  judgeChange,
  type ChangeMetric,
  type PhaseSample,
  type RegressionCheck,
} from '../compare';
import {
  DEFAULT_ERROR_CHECK,
  checkFloor,
  chooseLatencyCheck,
  formatFloor,
  recommendedSeconds,
} from '../compare/default-check';
import type { PhaseName, ScenarioComparison } from '../results';
import { SKIPPED } from './verdict/evidence';
import type { PairedBaseObservation, ScenarioObservations } from './observations';
import { formatValue, type RegressionThreshold, type Threshold } from './thresholds';

/** The phases a comparison covers: every measured phase after the warm-up. */
const COMPARED: readonly PhaseName[] = ['baseline', 'fault', 'recovery', 'after'];

/** One side's samples of one phase as the statistics take them; null when the side has no such phase. */
export function sampleOf(
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

/** The phase a regression check is judged on when it names none, and the default checks' phase. */
const REGRESSION_PHASE: PhaseName = 'fault';

/** What a comparison's verdict words are judged on, and why (ScenarioComparison.judgedOn). */
export interface JudgedChecks {
  from: 'scenario' | 'default';
  checks: RegressionCheck[];
  why: string;
}

/** A regression threshold as the check it states (only `<` and `<=` limits judge a comparison). */
function checkOf(t: RegressionThreshold): RegressionCheck {
  return {
    metric: t.metric as ChangeMetric,
    op: t.op,
    limit: t.value,
    ...(t.shift ? { shift: t.shift } : {}),
  };
}

/**
 * The checks the verdict words use: the scenario's own regression thresholds (`<` or `<=`, the
 * tightest per metric and unit) where it has them; else the default ones: the latency check
 * that can decide in this run's fault phase (compare/default-check.ts) and the error rate.
 */
export function judgedChecks(thresholds: readonly Threshold[], obs: ScenarioObservations): JudgedChecks {
  const own = new Map<string, RegressionCheck>();
  for (const t of thresholds) {
    if (t.kind !== 'regression' || t.byDefault !== undefined || (t.op !== '<' && t.op !== '<=')) continue;
    const check = checkOf(t);
    const key = `${check.metric} ${check.shift ?? ''}`;
    const seen = own.get(key);
    if (!seen || check.limit < seen.limit) own.set(key, check);
  }
  if (own.size > 0)
    return {
      from: 'scenario',
      checks: [...own.values()],
      why: "the scenario's own regression thresholds",
    };
  const base = obs.pairedBase;
  const together = base?.mode === 'concurrent';
  const choice = chooseLatencyCheck(
    sampleOf(obs, REGRESSION_PHASE, together),
    base ? sampleOf(base, REGRESSION_PHASE, together) : null,
  );
  return {
    from: 'default',
    checks: [choice.check, DEFAULT_ERROR_CHECK],
    why: `default checks, latency on ${checkName(choice.check)}: ${choice.why}`,
  };
}

/** The source text of a check as a threshold: "fault: p50 shift < 0.5ms", "fault: p95 regression < 20%". */
function sourceOf(check: RegressionCheck, phase: PhaseName): string {
  const value =
    check.shift === 'ms'
      ? `${Number(check.limit.toFixed(3))}ms`
      : `${Number((check.limit * 100).toFixed(2))}%`;
  const metric = check.metric === 'avg' ? 'mean' : check.metric;
  return `${phase}: ${metric} ${check.shift ? 'shift' : 'regression'} ${check.op} ${value}`;
}

/**
 * A paired run's regression thresholds for a scenario that names none: the default checks on
 * the fault phase, so that a paired run gates on a regression as it reports one. [] without a
 * paired base, or when the scenario has regression thresholds of its own.
 */
export function defaultRegressionThresholds(
  scenario: { file: string; thresholds: readonly Threshold[] },
  obs: ScenarioObservations,
): RegressionThreshold[] {
  if (!obs.pairedBase || scenario.thresholds.some((t) => t.kind === 'regression')) return [];
  const judged = judgedChecks(scenario.thresholds, obs);
  return judged.checks.map((check) => ({
    kind: 'regression',
    metric: check.metric,
    op: check.op,
    value: check.limit,
    ...(check.shift ? { shift: check.shift } : {}),
    source: sourceOf(check, REGRESSION_PHASE),
    file: scenario.file,
    line: 0,
    phase: REGRESSION_PHASE,
    stage: null,
    byDefault: judged.why,
  }));
}

/** The comparison block of a paired run's PR side; undefined without a paired base. */
export function scenarioComparison(
  thresholds: readonly Threshold[],
  obs: ScenarioObservations,
): ScenarioComparison | undefined {
  const base = obs.pairedBase;
  if (!base) return undefined;
  const limits = comparisonLimits(thresholds);
  const judged = judgedChecks(thresholds, obs);
  const together = base.mode === 'concurrent';
  const phases = COMPARED.filter((p) => obs.phases[p] !== undefined || base.phases[p] !== undefined).map(
    (p) => comparePhase(p, sampleOf(obs, p, together), sampleOf(base, p, together), judged.checks),
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
    judgedOn: {
      from: judged.from,
      checks: judged.checks.map((c) => ({
        name: checkName(c),
        unit: checkUnit(c),
        op: c.op,
        limit: c.limit,
      })),
      why: judged.why,
    },
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
  /**
   * Inconclusive only because the run's floor is above the limit, under paired-inconclusive:
   * warn: reported as a warning, so it does not make the scenario inconclusive.
   */
  warning?: boolean;
}

/** A regression threshold on the paired base's same phase, as an interval. */
export function pairedRegression(t: RegressionThreshold, obs: ScenarioObservations): PairedRegression {
  const base = obs.pairedBase as PairedBaseObservation;
  const check = checkOf(t);
  const unit = checkUnit(check);
  const limit = `${t.op} ${unit === 'ms' ? `${Number(t.value.toFixed(3))}ms` : formatValue(t.value, 'ratio')}`;
  const phase = t.phase ?? REGRESSION_PHASE;
  const together = base.mode === 'concurrent';
  const pr = sampleOf(obs, phase, together);
  const other = sampleOf(base, phase, together);
  const metric = t.metric as ChangeMetric;
  const problem = base.problem ?? changeProblem(metric, pr, other);
  const count = Math.min(pr?.stats.scheduled ?? 0, other?.stats.scheduled ?? 0);
  const byDefault =
    t.byDefault !== undefined ? ` (default regression check of a paired run: ${t.byDefault})` : '';
  if (problem) {
    // A default check nobody asked for is skipped when the data is not there; one the
    // scenario names is inconclusive.
    const detail = `${t.byDefault !== undefined ? `${SKIPPED} ` : ''}paired base: ${problem}${byDefault}`;
    return { passed: null, actual: 'n/a', limit, value: null, detail, count };
  }
  const interval = checkInterval(check, pr, other);
  const passed = judgeChange(interval, t.op, t.value);
  const shown = `${phase} ${checkName(check)} ${formatChange(interval, unit)}`;
  const sides = sideValues(metric, pr as PhaseSample, other as PhaseSample);
  const level = `${Math.round(CONFIDENCE * 100)} % interval against the paired base`;
  let detail = `${level} (${sides})${byDefault}`;
  let warning = false;
  if (passed === null) {
    const floor = checkFloor(interval);
    const phaseSeconds = pr ? (pr.stats.endMs - pr.stats.startMs) / 1000 : 0;
    // Inconclusive because the run could not tell a change of the limit's size from noise:
    // its floor is at or above the limit. Only a longer phase (or a wider limit) helps.
    const floorAbove = (t.op === '<' || t.op === '<=') && t.value > 0 && (floor === null || floor >= t.value);
    const seconds = floor === null ? null : recommendedSeconds(floor, t.value, phaseSeconds);
    const longer =
      seconds === null
        ? 'its interval is unbounded at this length'
        : `this run's floor ${formatFloor(check, floor)} is above the limit ${formatLimit(check)}: run the ${phase} phase for about ${seconds}s (now ${Math.round(phaseSeconds)}s) or widen the limit`;
    warning = floorAbove && base.inconclusive !== 'fail';
    detail = floorAbove
      ? `inconclusive: ${shown} straddles the limit (${limit}); ${longer}` +
        (warning ? '; a warning, not a block (paired-inconclusive: warn)' : '') +
        ` (${sides})${byDefault}`
      : `inconclusive: ${shown} straddles the limit (${limit}); the ${level} is too wide to decide, a longer phase would narrow it (${sides})${byDefault}`;
  }
  return {
    passed,
    actual: formatChange(interval, unit),
    limit,
    value: interval.change,
    detail,
    count,
    ...(warning ? { warning: true } : {}),
  };
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
