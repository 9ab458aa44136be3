// When Prometheus evaluated the alerting rules over a run, from its own metrics: coverage for
// the alert checks of `chaos-action judge` that comes from what Prometheus answered, never
// assumed. Pure.
//
// Prometheus scrapes itself (kube-prometheus-stack does by default) and reports, per rule group,
// the time of its last evaluation and a counter of its evaluations. A scrape only samples them,
// every 15 or 30 s; between two scrapes the group evaluated without a gap when its counter
// advanced by as many evaluations as its interval fits into the time between the two last
// evaluations seen (none missed, no restart: a restart resets the counter). Any other stretch
// is blind, as is all of the run when these series are missing.
import type { ProbeCoverage } from '../scenario/observations';
import type { ScenarioMs } from '../results';

export interface RuleGroupSeries {
  /** `FILE;NAME`, as the rule_group label writes it. */
  group: string;
  /** prometheus_rule_group_last_evaluation_timestamp_seconds: [sample epoch ms, evaluation epoch s]. */
  lastEvaluation: readonly [number, number][];
  /** prometheus_rule_group_iterations_total: [sample epoch ms, evaluations so far]. */
  iterations: readonly [number, number][];
  /** prometheus_rule_group_interval_seconds, or null when not reported. */
  intervalS: number | null;
}

/** Slack on the spacing of evaluations: a loaded Prometheus evaluates a little late. */
const SLACK = 1.5;

/** One group's coverage of [t0, end] (scenario ms from t0); null when it was never seen evaluating. */
export function ruleGroupCoverage(series: RuleGroupSeries, t0EpochMs: number): ProbeCoverage | null {
  const iterationsAt = new Map(series.iterations.map(([t, n]) => [t, n]));
  // Distinct evaluations seen, each with the counter at the scrape that saw it.
  const seen: { atMs: number; count: number | null }[] = [];
  for (const [t, evaluatedS] of series.lastEvaluation) {
    const atMs = evaluatedS * 1000;
    if (!(atMs > 0) || seen.some((e) => e.atMs === atMs)) continue;
    seen.push({ atMs, count: iterationsAt.get(t) ?? null });
  }
  if (seen.length === 0) return null;
  seen.sort((a, b) => a.atMs - b.atMs);
  const rel = (epochMs: number): ScenarioMs => (epochMs - t0EpochMs) as ScenarioMs;
  const blind: ProbeCoverage['blind'] = [];
  const problems = new Set<string>();
  for (let i = 1; i < seen.length; i++) {
    const [a, b] = [seen[i - 1], seen[i]];
    const evaluations = a.count !== null && b.count !== null ? b.count - a.count : null;
    const continuous =
      series.intervalS !== null &&
      evaluations !== null &&
      evaluations > 0 &&
      b.atMs - a.atMs <= evaluations * series.intervalS * 1000 * SLACK + 1000;
    if (continuous) continue;
    blind.push({ fromMs: rel(a.atMs), toMs: rel(b.atMs) });
    problems.add(
      evaluations !== null && evaluations <= 0
        ? `rule group ${series.group}: its evaluation counter went back (Prometheus restarted)`
        : `rule group ${series.group}: evaluations were missed`,
    );
  }
  return { fromMs: rel(seen[0].atMs), toMs: rel(seen[seen.length - 1].atMs), blind, problems: [...problems] };
}

/** Several groups' coverage together: seen only where every one was seen. */
export function intersectCoverage(coverages: readonly (ProbeCoverage | null)[]): ProbeCoverage | null {
  if (coverages.length === 0 || coverages.some((c) => c === null)) return null;
  const all = coverages as ProbeCoverage[];
  return {
    fromMs: Math.max(...all.map((c) => c.fromMs)) as ScenarioMs,
    toMs: Math.min(...all.map((c) => c.toMs)) as ScenarioMs,
    blind: all.flatMap((c) => c.blind).sort((a, b) => a.fromMs - b.fromMs),
    problems: [...new Set(all.flatMap((c) => c.problems))],
  };
}
