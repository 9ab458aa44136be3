// `chaos-action judge`: a scenario rendered for Kubernetes, judged after it ran there, with the
// verdict code the compose path uses (src/scenario/verdict/). The phases come from the
// Workflow's nodes; the load figures from every k6 runner pod's samples in Prometheus (by
// testid), each request filed by when it was sent (k6-samples.ts); alerts and PromQL checks
// from the same Prometheus, with coverage from what it answered (rule-coverage.ts). What the
// cluster cannot give (container facts, logs, proxy connection counts, traces) leaves those
// checks inconclusive, never passed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinScenariosDir, loadCatalog, selectScenarios } from '../config/load-scenarios';
import type { Scenario } from '../config/scenario-schema';
import { PrometheusError, prometheusRuleGroups, queryRange, type RuleGroup } from '../probes/prometheus';
import type { PhaseName, PhaseStats, RunResult, ScenarioMs, ScenarioResult } from '../results';
import { combineOutcomes, isViolatedWarning, isViolation, PHASE_ORDER } from '../results';
import { CoverageRecorder } from '../scenario/collectors';
import {
  emptyObservations,
  seriesName,
  type ObservedAlert,
  type ProbeCoverage,
  type PromSample,
  type ScenarioObservations,
} from '../scenario/observations';
import { TOOL_VERSION } from '../scenario/engine';
import { emptyScenarioResult } from '../scenario/runner';
import { decideOutcome, evaluateThresholds } from '../scenario/verdict';
import { findRecovery, recoveryCriteria } from '../scenario/verdict/recovery';
import { scenarioMs } from '../util/clock';
import { K6_BUCKETS } from './k6-metrics';
import { sentAsMix } from '../scenario/load-plan';
import { SampleError, sentGroups, sentTimeline, windowOf, type SentGroup } from './k6-samples';
import { intersectCoverage, ruleGroupCoverage } from './rule-coverage';
import { RENDER_FILE, type RenderedRun, type RenderedScenario } from './render';
import { NodesError, phaseWindows, type WorkflowNode } from './workflow-nodes';

export class JudgeError extends Error {}

export function readRenderedRun(dir: string): RenderedRun {
  const file = path.join(dir, RENDER_FILE);
  let run: RenderedRun;
  try {
    run = JSON.parse(fs.readFileSync(file, 'utf8')) as RenderedRun;
  } catch (error) {
    throw new JudgeError(
      `${file}: cannot read the rendered run (${(error as Error).message}); render it with chaos-action render k8s`,
    );
  }
  if (run?.schemaVersion !== 1 || !Array.isArray(run.scenarios))
    throw new JudgeError(`${file}: not a render.json of schemaVersion 1`);
  return run;
}

/** The scenario exactly as it was rendered: same files, same parameters, same thresholds. */
export function renderedScenario(
  run: RenderedRun,
  name: string,
): { scenario: Scenario; rendered: RenderedScenario } {
  const rendered = run.scenarios.find((s) => s.name === name);
  if (!rendered) {
    throw new JudgeError(
      `scenario "${name}" was not rendered in run ${run.runId} (rendered: ${run.scenarios.map((s) => s.name).join(', ') || 'none'})`,
    );
  }
  const catalog = loadCatalog(
    { builtinDir: run.load.builtin ? builtinScenariosDir() : null, userDirs: run.load.scenariosDirs },
    run.load.options,
  );
  const [scenario] = selectScenarios(catalog, { names: [name] });
  return { scenario, rendered };
}

/** Reads Prometheus; a seam for tests and for other stores that speak its HTTP API. */
export interface MetricsSource {
  /** Per series, the [epochMs, value] points of a range query (step in seconds). */
  range(
    query: string,
    fromEpochMs: number,
    toEpochMs: number,
    stepS: number,
  ): Promise<{ labels: Record<string, string>; points: [number, number][] }[]>;
  /** The rule groups Prometheus evaluates, with their alerting rules; absent: none can be read. */
  rules?(): Promise<RuleGroup[]>;
}

export function prometheusSource(url: string): MetricsSource {
  return {
    range: (query, from, to, step) => queryRange(url, query, from, to, step, 15_000),
    rules: () => prometheusRuleGroups(url),
  };
}

const selector = (testId: string, extra = ''): string => `{testid=${JSON.stringify(testId)}${extra}}`;

/** How far before t0 the load's counters are read: a series already there gives its base. */
const LEAD_MS = 60_000;

/** Every alert that was firing in the window, with its spans, from Prometheus's ALERTS series. */
async function alertHistory(source: MetricsSource, t0: number, end: number): Promise<ObservedAlert[]> {
  const series = await source.range('ALERTS{alertstate="firing"}', t0, end, 1);
  return series.map((s) => {
    const spans: { fromMs: ScenarioMs; toMs: ScenarioMs | null }[] = [];
    let open: number | null = null;
    let last: number | null = null;
    for (const [t] of s.points) {
      if (open === null) open = t;
      else if (last !== null && t - last > 1500) {
        spans.push({ fromMs: scenarioMs(open - t0), toMs: scenarioMs(last - t0) });
        open = t;
      }
      last = t;
    }
    if (open !== null)
      spans.push({
        fromMs: scenarioMs(open - t0),
        toMs: last !== null && end - last > 1500 ? scenarioMs(last - t0) : null,
      });
    const labels = { ...s.labels };
    return {
      name: labels.alertname ?? '',
      severity: labels.severity ?? null,
      state: spans.length && spans[spans.length - 1].toMs === null ? 'firing' : 'inactive',
      firing: spans,
      labels,
    };
  });
}

/**
 * When Prometheus evaluated the rules the scenario's alert checks depend on (rule-coverage.ts):
 * the groups holding the alerts they name (every group, for `no alerts`), from Prometheus's own
 * metrics of those groups. Null, with why, when that cannot be read: the checks are then inconclusive.
 */
async function alertCoverage(
  source: MetricsSource,
  scenario: Scenario,
  t0: number,
  end: number,
): Promise<{ coverage: ProbeCoverage | null; problem: string | null }> {
  if (!source.rules) return { coverage: null, problem: 'the store does not list its rule groups' };
  const groups = await source.rules();
  const named = new Set<string>();
  let everyGroup = false;
  for (const t of scenario.thresholds) {
    if (t.kind === 'no_alerts') everyGroup = true;
    if (
      t.kind === 'alert_fires' ||
      t.kind === 'alert_before_oom' ||
      t.kind === 'alert_not_fires' ||
      t.kind === 'alert_severity'
    )
      named.add(t.alert);
  }
  const unknownAlerts = [...named].filter((a) => !groups.some((g) => g.alerts.includes(a)));
  if (unknownAlerts.length)
    return {
      coverage: null,
      problem: `Prometheus has no alerting rule named ${unknownAlerts.join(', ')}: nothing could have fired`,
    };
  const relevant = groups.filter(
    (g) => g.alerts.length > 0 && (everyGroup || g.alerts.some((a) => named.has(a))),
  );
  if (relevant.length === 0) return { coverage: null, problem: 'Prometheus has no alerting rule' };
  const from = t0 - LEAD_MS;
  const to = end + LEAD_MS;
  const coverages: (ProbeCoverage | null)[] = [];
  for (const g of relevant) {
    const label = `{rule_group=${JSON.stringify(`${g.file};${g.name}`)}}`;
    const [evaluated, iterations, interval] = await Promise.all([
      source.range(`max(prometheus_rule_group_last_evaluation_timestamp_seconds${label})`, from, to, 1),
      source.range(`max(prometheus_rule_group_iterations_total${label})`, from, to, 1),
      source.range(`max(prometheus_rule_group_interval_seconds${label})`, from, to, 1),
    ]);
    coverages.push(
      ruleGroupCoverage(
        {
          group: `${g.file};${g.name}`,
          lastEvaluation: evaluated[0]?.points ?? [],
          iterations: iterations[0]?.points ?? [],
          intervalS: interval[0]?.points.at(-1)?.[1] ?? null,
        },
        t0,
      ),
    );
  }
  const coverage = intersectCoverage(coverages);
  return {
    coverage,
    problem:
      coverage === null
        ? "Prometheus's own metrics of its rule evaluations were not found (let it scrape itself: prometheus_rule_group_last_evaluation_timestamp_seconds)"
        : null,
  };
}

/** A PromQL query over the run: every series at every step, and the steps at which none answered as blind. */
async function promqlSamples(
  source: MetricsSource,
  query: string,
  t0: number,
  end: number,
  phaseAt: (ms: number) => PhaseName,
): Promise<{ samples: PromSample[]; coverage: ProbeCoverage }> {
  const series = await source.range(query, t0, end, 1);
  const byStep = new Map<number, PromSample['series']>();
  for (const s of series) {
    const name = seriesName(s.labels);
    for (const [at, value] of s.points) {
      if (!Number.isFinite(value)) continue;
      byStep.set(at, [...(byStep.get(at) ?? []), { series: name, value }]);
    }
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  const samples = steps.map((at) => ({
    atMs: scenarioMs(at - t0),
    phase: phaseAt(at - t0),
    series: byStep.get(at) ?? [],
    answered: true,
  }));
  // The query answered once for the whole range: a stretch of steps with no series at all is
  // one in which nothing could be seen (no data, or Prometheus had none), as the live sampler records it.
  const recorder = new CoverageRecorder(2000);
  recorder.attempt(scenarioMs(0));
  for (const at of steps) recorder.answer(scenarioMs(at - t0));
  recorder.attempt(scenarioMs(end - t0));
  if (steps.length === 0) recorder.fail('the query returned no series');
  return { samples, coverage: recorder.coverage(scenarioMs(end - t0)) as ProbeCoverage };
}

export interface JudgeInput {
  run: RenderedRun;
  scenario: string;
  nodes: WorkflowNode[];
  source: MetricsSource;
}

export async function judgeScenario(input: JudgeInput): Promise<ScenarioResult> {
  const { scenario, rendered } = renderedScenario(input.run, input.scenario);
  const windows = phaseWindows(input.nodes, rendered.workflow, scenario.phases);
  const t0 = windows.t0EpochMs;
  const rel = (epoch: number): ScenarioMs => scenarioMs(epoch - t0);
  const notes: string[] = [
    `judged from Kubernetes: phases from workflow ${rendered.workflow}'s nodes, load from testid ${rendered.testId} in Prometheus, each request filed by when it was sent`,
  ];
  const obs: ScenarioObservations = emptyObservations();
  const endEpoch = Math.max(...Object.values(windows.windows).map((w) => w!.toEpochMs));
  const timeoutMs = scenario.load.timeoutMs;
  // Requests sent before the end complete up to a timeout later: read until then (and a push).
  const loadSeries = await input.source.range(
    `${K6_BUCKETS}${selector(rendered.testId)}`,
    t0 - LEAD_MS,
    endEpoch + timeoutMs + 2000,
    1,
  );
  let groups: SentGroup[];
  try {
    groups = sentGroups(loadSeries, t0 - LEAD_MS);
  } catch (error) {
    if (error instanceof SampleError) throw new JudgeError(error.message);
    throw error;
  }
  const phases: PhaseStats[] = [];
  // As the render sent them (k6.ts, from the same load plan).
  const mixNames = sentAsMix(scenario.load) ? (scenario.load.requests ?? []).map((r) => r.name) : [];
  const groupsOf = new Map(mixNames.map((name) => [name, groups.filter((g) => g.request === name)]));
  for (const phase of PHASE_ORDER) {
    const w = windows.windows[phase];
    if (!w || w.toEpochMs <= w.fromEpochMs) continue;
    const stats: PhaseStats = {
      phase,
      startMs: rel(w.fromEpochMs),
      endMs: rel(w.toEpochMs),
      ...windowOf(groups, w.fromEpochMs, w.toEpochMs, timeoutMs),
      // A mix's requests, each from the samples the script tagged with its name, as the compose
      // path lists them (thresholds like p95{request:NAME} read these).
      ...(mixNames.length
        ? {
            requests: mixNames.map((name) => ({
              name,
              ...windowOf(groupsOf.get(name) ?? [], w.fromEpochMs, w.toEpochMs, timeoutMs),
            })),
          }
        : {}),
    };
    phases.push(stats);
    if (phase !== 'warmup') obs.phases[phase] = stats;
  }
  const phaseAt = (ms: number): PhaseName =>
    (PHASE_ORDER.find((p) => {
      const w = windows.windows[p];
      return w && ms + t0 >= w.fromEpochMs && ms + t0 < w.toEpochMs;
    }) ?? 'after') as PhaseName;
  obs.timeline = sentTimeline(groups, t0, endEpoch, timeoutMs, phaseAt);
  obs.endMs = rel(endEpoch);
  const faultWindow = windows.windows.fault;
  obs.faultStartMs = faultWindow && scenario.faults.length ? rel(faultWindow.fromEpochMs) : null;
  obs.faultEndMs =
    faultWindow && scenario.faults.length && windows.windows.recovery ? rel(faultWindow.toEpochMs) : null;
  if (obs.faultEndMs !== null && obs.faultStartMs !== null) {
    // The compose path's recovery rule (verdict/recovery.ts), on requests by send time; the
    // cluster runs no steady-state probe after the fault, so the load alone decides.
    const baseline = obs.phases.baseline;
    const criteria = recoveryCriteria(baseline ?? { p95Ms: null, errorRate: 0 });
    const read = (a: number, b: number) => windowOf(groups, t0 + a * 1000, t0 + b * 1000, timeoutMs);
    const found = findRecovery(
      read,
      Math.ceil(obs.faultEndMs / 1000),
      Math.floor(obs.endMs / 1000),
      criteria,
    );
    if (found.second !== null) {
      obs.recoveryTimeMs = Math.max(0, found.second * 1000 - obs.faultEndMs);
      obs.mttrMs = obs.recoveryTimeMs + (obs.faultEndMs - obs.faultStartMs);
    } else {
      obs.recoveryTimeMs = null;
      obs.mttrMs = null;
      obs.recoveryWatchedMs = Math.max(0, Math.floor(obs.endMs / 1000) * 1000 - obs.faultEndMs);
    }
    notes.push(
      'recovery is read from the load alone (requests sent after the revert, all answered near the baseline): the cluster runs no steady-state probe after the fault',
    );
  }
  try {
    obs.alerts = await alertHistory(input.source, t0, endEpoch);
    const { coverage, problem } = await alertCoverage(input.source, scenario, t0, endEpoch);
    obs.alertCoverage = coverage;
    if (problem) notes.push(`alerts: ${problem}; alert checks are inconclusive`);
  } catch (error) {
    obs.alerts = null;
    notes.push(`alerts could not be read: ${(error as Error).message}`);
  }
  for (const t of scenario.thresholds) {
    if (t.kind !== 'promql' || obs.promql[t.query]) continue;
    try {
      const read = await promqlSamples(input.source, t.query, t0, endEpoch, phaseAt);
      obs.promql[t.query] = read.samples;
      obs.promqlCoverage[t.query] = read.coverage;
    } catch (error) {
      obs.promql[t.query] = [];
      obs.promqlCoverage[t.query] = {
        fromMs: scenarioMs(0),
        toMs: scenarioMs(0),
        blind: [],
        problems: [(error as Error).message],
      };
    }
  }
  const thresholds = evaluateThresholds(scenario.thresholds, obs);
  const missingFaults = scenario.faults.length
    ? scenario.faults.filter(
        (_, i) => !windows.faults.some((f) => f.template.startsWith(`fault-${i + 1}`) && f.injected),
      )
    : [];
  const decided = decideOutcome(thresholds, {
    steadyStateBeforeOk: true,
    faultEffective: missingFaults.length === 0,
    aborted: null,
    error: null,
  });
  let { outcome, reason } = decided;
  if (windows.incomplete && outcome === 'pass') {
    outcome = 'inconclusive';
    reason = windows.incomplete;
  }
  if (missingFaults.length)
    reason = `no node says the fault was injected (${missingFaults.map((f) => f.spec.type).join(', ')}): ${reason}`;
  const base = emptyScenarioResult(scenario, new Date(t0), notes);
  return {
    ...base,
    outcome,
    reason,
    durationMs: endEpoch - t0,
    phases,
    timeline: obs.timeline.map(({ second, phase, scheduled, completed, p95Ms, errorRate }) => ({
      second,
      phase,
      scheduled,
      completed,
      p95Ms,
      errorRate,
    })),
    faultWindow:
      obs.faultStartMs !== null
        ? {
            startSecond: Math.floor(obs.faultStartMs / 1000),
            endSecond: Math.ceil((obs.faultEndMs ?? obs.faultStartMs) / 1000),
          }
        : null,
    thresholds,
    recoveryTimeMs: obs.recoveryTimeMs,
    mttrMs: obs.mttrMs ?? null,
  };
}

/** Every named scenario of a rendered run, judged, as one RunResult (the compose path's shape). */
export async function judgeRun(
  run: RenderedRun,
  names: readonly string[],
  nodes: WorkflowNode[],
  source: MetricsSource,
  context: { commit: string | null; runUrl: string | null } = { commit: null, runUrl: null },
): Promise<RunResult> {
  const started = Date.now();
  const scenarios: ScenarioResult[] = [];
  for (const name of names) {
    try {
      scenarios.push(await judgeScenario({ run, scenario: name, nodes, source }));
    } catch (error) {
      if (
        !(error instanceof JudgeError) &&
        !(error instanceof NodesError) &&
        !(error instanceof PrometheusError)
      )
        throw error;
      const { scenario } = renderedScenario(run, name);
      scenarios.push({ ...emptyScenarioResult(scenario), outcome: 'inconclusive', reason: error.message });
    }
  }
  const startedAt = scenarios.length ? Math.min(...scenarios.map((s) => Date.parse(s.startedAt))) : started;
  return {
    schemaVersion: 1,
    tool: { name: 'chaos-action', version: TOOL_VERSION },
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    suite: `k8s ${run.runId}`,
    composeFiles: [],
    project: `${run.namespace}/${run.runId}`,
    commit: context.commit,
    runUrl: context.runUrl,
    outcome: scenarios.length ? combineOutcomes(scenarios.map((s) => s.outcome)) : 'error',
    skipped: 0,
    violations: scenarios.reduce((n, s) => n + s.thresholds.filter(isViolation).length, 0),
    warnings: scenarios.reduce((n, s) => n + s.thresholds.filter(isViolatedWarning).length, 0),
    scenarios,
  };
}
