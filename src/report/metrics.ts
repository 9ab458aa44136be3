// Prometheus metrics of a run, in a dedicated prom-client Registry (never the global
// one: the engine or the user's code may have their own). Pushed to a Pushgateway
// (job "chaos-action", one group per repository, ref and run: pushGrouping) or written as a
// text exposition file (node_exporter's textfile collector, or an artifact). Series (all gauges):
//   chaos_run_outcome{suite,outcome}                       1 for the run's outcome, 0 for the others
//   chaos_run_violations{suite}                            violated thresholds
//   chaos_run_duration_seconds{suite}
//   chaos_run_timestamp_seconds{suite}                     when the run finished (unix seconds)
//   chaos_scenario_outcome{scenario,outcome}               1 for the scenario's outcome, 0 for the others
//   chaos_scenario_duration_seconds{scenario}
//   chaos_threshold_passed{scenario,threshold}             1 passed, 0 violated; absent when not evaluated
//   chaos_threshold_evaluated{scenario,threshold}          1 evaluated, 0 not (inconclusive)
//   chaos_phase_latency_p95_seconds{scenario,phase}        absent when no request completed
//   chaos_phase_latency_p99_seconds{scenario,phase}
//   chaos_phase_error_ratio{scenario,phase}                0..1
//   chaos_phase_achieved_rate{scenario,phase}              requests per second
//   chaos_recovery_time_seconds{scenario}                  absent when not measured
//   chaos_mttr_seconds{scenario}                           time to restore: first injection until steady state held again; absent when not measured
//   chaos_comparison_verdict{scenario,phase,verdict}       paired runs: 1 for the phase's verdict word, 0 for the others
//   chaos_comparison_p95_change{scenario,phase,bound}      paired runs: PR p95 / base p95 − 1 (bound estimate, low, high); absent where unbounded
//   chaos_scenario_generator_limited{scenario}             1 when the load generator was the bottleneck
import { writeFile } from 'node:fs/promises';
import { Gauge, Pushgateway, Registry } from 'prom-client';
import type { Outcome, PhaseComparison, RunResult } from '../results';

export const METRICS_JOB = 'chaos-action';
const OUTCOMES: Outcome[] = ['pass', 'fail', 'inconclusive', 'error', 'skipped'];
const VERDICT_WORDS: PhaseComparison['verdict'][] = ['regressed', 'within', 'inconclusive'];

/** A new Registry holding the run's metrics. */
export function buildMetricsRegistry(result: RunResult): Registry {
  const registry = new Registry();
  const g = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });

  const runOutcome = g('chaos_run_outcome', 'The run outcome: 1 for the outcome it had, 0 for the others.', [
    'suite',
    'outcome',
  ]);
  const violations = g('chaos_run_violations', 'Thresholds violated across all scenarios of the run.', [
    'suite',
  ]);
  const runDuration = g('chaos_run_duration_seconds', 'Wall-clock duration of the run.', ['suite']);
  const runTs = g('chaos_run_timestamp_seconds', 'When the run finished, in unix seconds.', ['suite']);
  const outcome = g(
    'chaos_scenario_outcome',
    'The scenario outcome: 1 for the outcome it had, 0 for the others.',
    ['scenario', 'outcome'],
  );
  const scDuration = g('chaos_scenario_duration_seconds', 'Duration of the scenario, all phases.', [
    'scenario',
  ]);
  const passed = g(
    'chaos_threshold_passed',
    'Threshold result: 1 passed, 0 violated (absent when not evaluated).',
    ['scenario', 'threshold'],
  );
  const evaluated = g(
    'chaos_threshold_evaluated',
    'Whether the threshold could be evaluated (0 = inconclusive).',
    ['scenario', 'threshold'],
  );
  const p95 = g('chaos_phase_latency_p95_seconds', '95th percentile request latency in the phase.', [
    'scenario',
    'phase',
  ]);
  const p99 = g('chaos_phase_latency_p99_seconds', '99th percentile request latency in the phase.', [
    'scenario',
    'phase',
  ]);
  const errRatio = g('chaos_phase_error_ratio', 'Errors over scheduled requests in the phase (0..1).', [
    'scenario',
    'phase',
  ]);
  const rate = g('chaos_phase_achieved_rate', 'Achieved request rate in the phase, requests per second.', [
    'scenario',
    'phase',
  ]);
  const recovery = g(
    'chaos_recovery_time_seconds',
    'Time from the fault being reverted to steady state again.',
    ['scenario'],
  );
  const mttr = g(
    'chaos_mttr_seconds',
    'Time to restore: from the first injection until steady state held again.',
    ['scenario'],
  );
  const verdict = g(
    'chaos_comparison_verdict',
    'Paired run against the base: 1 for the phase’s verdict word (regressed, within, inconclusive), 0 for the others.',
    ['scenario', 'phase', 'verdict'],
  );
  const p95Change = g(
    'chaos_comparison_p95_change',
    'Paired run against the base: PR p95 / base p95 − 1 in the phase, with its 95 % interval ends.',
    ['scenario', 'phase', 'bound'],
  );
  const limited = g(
    'chaos_scenario_generator_limited',
    '1 when the load generator itself was the bottleneck.',
    ['scenario'],
  );

  const suite = result.suite;
  for (const o of OUTCOMES) runOutcome.set({ suite, outcome: o }, result.outcome === o ? 1 : 0);
  violations.set({ suite }, result.violations);
  runDuration.set({ suite }, result.durationMs / 1000);
  const finished = Date.parse(result.finishedAt);
  if (Number.isFinite(finished)) runTs.set({ suite }, finished / 1000);

  for (const s of result.scenarios) {
    const scenario = s.name;
    for (const o of OUTCOMES) outcome.set({ scenario, outcome: o }, s.outcome === o ? 1 : 0);
    scDuration.set({ scenario }, s.durationMs / 1000);
    limited.set({ scenario }, s.generatorLimited ? 1 : 0);
    if (s.recoveryTimeMs !== null) recovery.set({ scenario }, s.recoveryTimeMs / 1000);
    if (s.mttrMs != null) mttr.set({ scenario }, s.mttrMs / 1000);
    for (const c of s.comparison?.phases ?? []) {
      const labels = { scenario, phase: c.phase };
      for (const word of VERDICT_WORDS) verdict.set({ ...labels, verdict: word }, c.verdict === word ? 1 : 0);
      const ends = { estimate: c.p95.change, low: c.p95.low, high: c.p95.high };
      for (const [bound, value] of Object.entries(ends))
        if (value !== null) p95Change.set({ ...labels, bound }, value);
    }
    for (const t of s.thresholds) {
      evaluated.set({ scenario, threshold: t.source }, t.passed === null ? 0 : 1);
      if (t.passed !== null) passed.set({ scenario, threshold: t.source }, t.passed ? 1 : 0);
    }
    for (const p of s.phases) {
      const labels = { scenario, phase: p.phase };
      if (p.p95Ms !== null) p95.set(labels, p.p95Ms / 1000);
      if (p.p99Ms !== null) p99.set(labels, p.p99Ms / 1000);
      errRatio.set(labels, p.errorRate);
      rate.set(labels, p.achievedRate);
    }
  }
  return registry;
}

/** The run's metrics in the Prometheus text exposition format. */
export async function renderMetrics(result: RunResult): Promise<string> {
  return buildMetricsRegistry(result).metrics();
}

/** Writes the text exposition to `path` (e.g. for node_exporter's textfile collector). */
export async function writeMetricsFile(result: RunResult, path: string): Promise<void> {
  await writeFile(path, await renderMetrics(result), 'utf8');
}

/**
 * The Pushgateway group a run's metrics go to, besides job="chaos-action": the repository, the
 * ref (a pull request as pr-N, else the branch or tag) and the run. Each run its own group, so
 * two runs, a pull request's and the nightly's, or two repositories', never replace each other's
 * metrics. On GitHub Actions from its variables; elsewhere "local" and the run's start time.
 */
export function pushGrouping(
  result: Pick<RunResult, 'startedAt'>,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const pr = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '');
  const ref = pr
    ? `pr-${pr[1]}`
    : env.GITHUB_REF_NAME || env.GITHUB_REF?.replace(/^refs\/(heads|tags)\//, '');
  const attempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1');
  return {
    repository: env.GITHUB_REPOSITORY || 'local',
    ref: ref || 'local',
    run_id: env.GITHUB_RUN_ID ? `${env.GITHUB_RUN_ID}${attempt > 1 ? `.${attempt}` : ''}` : result.startedAt,
  };
}

/**
 * A grouping as the Pushgateway reads it from the URL path: a value with a slash (org/repo) or
 * an empty one cannot stand in a path segment, so it goes as `name@base64/<base64url>`.
 */
export function pushgatewayPathLabels(grouping: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(grouping).map(([name, value]) =>
      value.includes('/') || value === ''
        ? [`${name}@base64`, Buffer.from(value).toString('base64url') || '=']
        : [name, value],
    ),
  );
}

export interface PushOptions {
  /** Grouping labels after /job/chaos-action; default pushGrouping(result, process.env). */
  groupings?: Record<string, string>;
  /** Request timeout in ms; default 10 000. */
  timeoutMs?: number;
}

/**
 * Pushes the run's metrics to a Pushgateway with PUT (replaces the group, which is the run's
 * own): `<pushgatewayUrl>/metrics/job/chaos-action/repository@base64/<org/repo>/ref/<ref>/run_id/<id>`.
 * Rejects on a non-2xx answer.
 */
export async function pushMetrics(
  result: RunResult,
  pushgatewayUrl: string,
  options: PushOptions = {},
): Promise<void> {
  const registry = buildMetricsRegistry(result);
  const gateway = new Pushgateway(pushgatewayUrl, { timeout: options.timeoutMs ?? 10_000 }, registry);
  const groupings = pushgatewayPathLabels(options.groupings ?? pushGrouping(result, process.env));
  await gateway.push({ jobName: METRICS_JOB, groupings });
}
