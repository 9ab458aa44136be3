// `chaos-action judge`: a scenario rendered for Kubernetes, judged after it ran there, with the
// verdict code the compose path uses (src/scenario/verdict.ts). The phases come from the
// Workflow's nodes; the load figures from every k6 runner pod's samples in Prometheus (by
// testid); alerts and PromQL checks from the same Prometheus. What the cluster cannot give
// (container facts, logs, proxy connection counts, traces) leaves those checks inconclusive,
// never passed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinScenariosDir, loadCatalog, selectScenarios } from '../config/load-scenarios';
import type { Scenario } from '../config/scenario-schema';
import { PrometheusError, queryRange } from '../probes/prometheus';
import type { PhaseName, PhaseStats, RunResult, ScenarioMs, ScenarioResult, TimelinePoint } from '../results';
import { combineOutcomes, isViolatedWarning, isViolation, PHASE_ORDER } from '../results';
import {
  emptyObservations,
  type ObservedAlert,
  type PromSample,
  type ScenarioObservations,
} from '../scenario/observations';
import { TOOL_VERSION } from '../scenario/engine';
import { emptyScenarioResult } from '../scenario/runner';
import { decideOutcome, evaluateThresholds } from '../scenario/verdict';
import { scenarioMs } from '../util/clock';
import { bucketDelta, latencyFigures, K6_BUCKETS, K6_REQS, type BucketCounts } from './k6-metrics';
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
}

export function prometheusSource(url: string): MetricsSource {
  return { range: (query, from, to, step) => queryRange(url, query, from, to, step, 15_000) };
}

const selector = (testId: string, extra = ''): string => `{testid=${JSON.stringify(testId)}${extra}}`;

/** Sum of each group's cumulative counters at an instant (a range query of one point). */
async function countersAt(
  source: MetricsSource,
  query: string,
  label: string,
  atEpochMs: number,
): Promise<Map<string, number>> {
  const series = await source.range(query, atEpochMs, atEpochMs, 1);
  const out = new Map<string, number>();
  for (const s of series) {
    const point = s.points.find(([t]) => t === atEpochMs) ?? s.points[s.points.length - 1];
    if (point) out.set(s.labels[label] ?? '', point[1]);
  }
  return out;
}

function toBuckets(counts: Map<string, number>): BucketCounts {
  return new Map([...counts].map(([k, v]) => [Number(k), v]));
}

interface WindowCounts {
  buckets: BucketCounts;
  requests: number;
  errors: number;
  errorsByStatus: Record<string, number>;
}

async function windowCounts(
  source: MetricsSource,
  testId: string,
  from: number,
  to: number,
): Promise<WindowCounts> {
  const bucketQuery = `sum by (bucket) (${K6_BUCKETS}${selector(testId)})`;
  const reqQuery = `sum by (expected_response, status) (${K6_REQS}${selector(testId)})`;
  const [bucketsEnd, bucketsStart] = await Promise.all([
    countersAt(source, bucketQuery, 'bucket', to),
    countersAt(source, bucketQuery, 'bucket', from),
  ]);
  const [reqEnd, reqStart] = await Promise.all([
    source.range(reqQuery, to, to, 1),
    source.range(reqQuery, from, from, 1),
  ]);
  const key = (l: Record<string, string>): string => `${l.expected_response ?? ''}|${l.status ?? ''}`;
  const start = new Map(reqStart.map((s) => [key(s.labels), s.points[s.points.length - 1]?.[1] ?? 0]));
  let requests = 0;
  let errors = 0;
  const errorsByStatus: Record<string, number> = {};
  for (const s of reqEnd) {
    const d = (s.points[s.points.length - 1]?.[1] ?? 0) - (start.get(key(s.labels)) ?? 0);
    if (d <= 0) continue;
    requests += d;
    if (s.labels.expected_response === 'false') {
      errors += d;
      // k6 reports a request that got no answer (timeout, refused, reset) with status 0.
      const kind = s.labels.status === '0' ? 'other' : 'unexpected_status';
      errorsByStatus[kind] = (errorsByStatus[kind] ?? 0) + d;
    }
  }
  return {
    buckets: bucketDelta(toBuckets(bucketsEnd), toBuckets(bucketsStart)),
    requests,
    errors,
    errorsByStatus,
  };
}

function phaseStats(phase: PhaseName, counts: WindowCounts, startMs: number, endMs: number): PhaseStats {
  const figures = latencyFigures(counts.buckets);
  const seconds = Math.max(0.001, (endMs - startMs) / 1000);
  return {
    phase,
    startMs,
    endMs,
    scheduled: counts.requests,
    timed: figures.count,
    completed: counts.requests,
    targetRate: null,
    achievedRate: counts.requests / seconds,
    errorRate: counts.requests ? counts.errors / counts.requests : 0,
    errors: counts.errorsByStatus,
    late: 0,
    meanMs: figures.meanMs,
    p50Ms: figures.p50Ms,
    p90Ms: figures.p90Ms,
    p95Ms: figures.p95Ms,
    p99Ms: figures.p99Ms,
    maxMs: figures.maxMs,
  };
}

/** One point per second from t0: per-second differences of the summed counters. */
async function timeline(
  source: MetricsSource,
  testId: string,
  t0: number,
  end: number,
  phaseAt: (ms: number) => PhaseName,
): Promise<TimelinePoint[]> {
  const buckets = await source.range(`sum by (bucket) (${K6_BUCKETS}${selector(testId)})`, t0, end, 1);
  const reqs = await source.range(`sum by (expected_response) (${K6_REQS}${selector(testId)})`, t0, end, 1);
  const valueAt = (points: [number, number][], at: number): number => {
    let v = 0;
    for (const [t, value] of points) if (t <= at) v = value;
    return v;
  };
  const points: TimelinePoint[] = [];
  for (let second = 0; t0 + (second + 1) * 1000 <= end; second++) {
    const from = t0 + second * 1000;
    const to = from + 1000;
    const perBucket: BucketCounts = new Map();
    for (const s of buckets) {
      const d = valueAt(s.points, to) - valueAt(s.points, from);
      if (d > 0) perBucket.set(Number(s.labels.bucket), d);
    }
    let completed = 0;
    let errors = 0;
    for (const s of reqs) {
      const d = Math.max(0, valueAt(s.points, to) - valueAt(s.points, from));
      completed += d;
      if (s.labels.expected_response === 'false') errors += d;
    }
    points.push({
      second,
      phase: phaseAt(second * 1000),
      scheduled: completed,
      completed,
      p95Ms: latencyFigures(perBucket).p95Ms,
      errorRate: completed ? errors / completed : 0,
    });
  }
  return points;
}

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

/** Simple recovery: the first second after the fault from which two seconds in a row are back near the baseline. */
function recoveryFromTimeline(
  points: readonly TimelinePoint[],
  baseline: PhaseStats | undefined,
  faultEndMs: number,
  limitMs: number,
): number | null {
  const p95Limit = Math.max((baseline?.p95Ms ?? 0) * 1.5, (baseline?.p95Ms ?? 0) + 50);
  const errorLimit = Math.max((baseline?.errorRate ?? 0) * 2, 0.01);
  const after = points.filter((p) => p.second * 1000 >= faultEndMs);
  for (let i = 0; i + 1 < after.length; i++) {
    const ok = (p: TimelinePoint): boolean =>
      p.completed > 0 && (p.p95Ms ?? 0) <= p95Limit && p.errorRate <= errorLimit;
    if (ok(after[i]) && ok(after[i + 1])) {
      const ms = Math.max(0, (after[i + 1].second + 1) * 1000 - faultEndMs);
      return ms <= limitMs ? ms : null;
    }
  }
  return null;
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
    `judged from Kubernetes: phases from workflow ${rendered.workflow}'s nodes, load from testid ${rendered.testId} in Prometheus`,
  ];
  const obs: ScenarioObservations = emptyObservations();
  const phases: PhaseStats[] = [];
  for (const phase of PHASE_ORDER) {
    const w = windows.windows[phase];
    if (!w || w.toEpochMs <= w.fromEpochMs) continue;
    const counts = await windowCounts(input.source, rendered.testId, w.fromEpochMs, w.toEpochMs);
    const stats = phaseStats(phase, counts, rel(w.fromEpochMs), rel(w.toEpochMs));
    phases.push(stats);
    if (phase !== 'warmup') obs.phases[phase] = stats;
  }
  const endEpoch = Math.max(...Object.values(windows.windows).map((w) => w!.toEpochMs));
  const phaseAt = (ms: number): PhaseName =>
    (PHASE_ORDER.find((p) => {
      const w = windows.windows[p];
      return w && ms + t0 >= w.fromEpochMs && ms + t0 < w.toEpochMs;
    }) ?? 'after') as PhaseName;
  obs.timeline = await timeline(input.source, rendered.testId, t0, endEpoch, phaseAt);
  obs.endMs = rel(endEpoch);
  const faultWindow = windows.windows.fault;
  obs.faultStartMs = faultWindow && scenario.faults.length ? rel(faultWindow.fromEpochMs) : null;
  obs.faultEndMs =
    faultWindow && scenario.faults.length && windows.windows.recovery ? rel(faultWindow.toEpochMs) : null;
  if (obs.faultEndMs !== null) {
    obs.recoveryTimeMs = recoveryFromTimeline(
      obs.timeline,
      obs.phases.baseline,
      obs.faultEndMs,
      scenario.phases.recoveryMs,
    );
    obs.mttrMs =
      obs.recoveryTimeMs === null || obs.faultStartMs === null
        ? null
        : obs.recoveryTimeMs + (obs.faultEndMs - obs.faultStartMs);
    notes.push(
      'recovery time is read from the load alone (p95 and error rate back near the baseline): the cluster runs no steady-state probe after the fault',
    );
  }
  try {
    obs.alerts = await alertHistory(input.source, t0, endEpoch);
    obs.alertCoverage = { fromMs: scenarioMs(0), toMs: obs.endMs, blind: [], problems: [] };
  } catch (error) {
    notes.push(`alerts could not be read: ${(error as Error).message}`);
  }
  for (const t of scenario.thresholds) {
    if (t.kind !== 'promql' || obs.promql[t.query]) continue;
    const samples: PromSample[] = [];
    try {
      const series = await input.source.range(t.query, t0, endEpoch, 1);
      const first = series[0];
      for (const [at, value] of first?.points ?? [])
        samples.push({ atMs: rel(at), phase: phaseAt(at - t0), series: [{ series: '{}', value }], answered: true });
      obs.promqlCoverage[t.query] = {
        fromMs: scenarioMs(0),
        toMs: obs.endMs,
        blind: [],
        problems: first ? [] : ['the query returned no series'],
      };
    } catch (error) {
      obs.promqlCoverage[t.query] = {
        fromMs: scenarioMs(0),
        toMs: scenarioMs(0),
        blind: [],
        problems: [(error as Error).message],
      };
    }
    obs.promql[t.query] = samples;
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
    timeline: obs.timeline,
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
