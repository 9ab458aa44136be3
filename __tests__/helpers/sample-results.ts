// Builders for realistic RunResult / ScenarioResult fixtures: phases, a per-second
// timeline consistent with them, thresholds as the threshold code writes them, a fault
// report with evidence. Deterministic (no Math.random, no clock). Every builder takes
// overrides, so a test states only what it is about.
import type {
  FaultReport,
  LogMatch,
  Outcome,
  PhaseName,
  PhaseStats,
  RunResult,
  ScenarioResult,
  ThresholdResult,
  TimelinePoint,
} from '../../src/results';
import { combineOutcomes } from '../../src/results';
import { scenarioMs } from '../../src/util/clock';

/** Seconds per phase of the default scenario shape. */
export const DEFAULT_PHASE_SECONDS: Record<PhaseName, number> = {
  warmup: 5,
  baseline: 20,
  fault: 30,
  recovery: 20,
  after: 10,
};

export interface PhaseFigures {
  p95Ms?: number | null;
  errorRate?: number;
  rate?: number;
  errors?: Record<string, number>;
}

/** One phase's statistics; p50/p90/p99/max derived from p95 in realistic proportions. */
export function buildPhase(
  phase: PhaseName,
  startMs: number,
  endMs: number,
  figures: PhaseFigures = {},
  overrides: Partial<PhaseStats> = {},
): PhaseStats {
  const rate = figures.rate ?? 50;
  const seconds = (endMs - startMs) / 1000;
  const scheduled = Math.round(rate * seconds);
  const errorRate = figures.errorRate ?? 0;
  const p95 = figures.p95Ms === undefined ? 42 : figures.p95Ms;
  const errorCount = Math.round(scheduled * errorRate);
  const errors =
    figures.errors ??
    (errorCount > 0 ? { timeout: Math.ceil(errorCount * 0.7), refused: Math.floor(errorCount * 0.3) } : {});
  return {
    phase,
    startMs,
    endMs,
    scheduled,
    timed: scheduled - (errors.refused ?? 0) - (errors.dropped ?? 0),
    completed: scheduled - (errors.dropped ?? 0),
    targetRate: rate,
    achievedRate: Math.round(rate * (1 - (errors.dropped ?? 0) / Math.max(1, scheduled)) * 10) / 10,
    errorRate,
    errors,
    late: 0,
    meanMs: p95 === null ? null : Math.round(p95 * 0.5 * 10) / 10,
    p50Ms: p95 === null ? null : Math.round(p95 * 0.45 * 10) / 10,
    p90Ms: p95 === null ? null : Math.round(p95 * 0.85 * 10) / 10,
    p95Ms: p95,
    p99Ms: p95 === null ? null : Math.round(p95 * 1.6 * 10) / 10,
    maxMs: p95 === null ? null : Math.round(p95 * 2.8 * 10) / 10,
    ...overrides,
  };
}

export function buildThreshold(overrides: Partial<ThresholdResult> = {}): ThresholdResult {
  return {
    source: 'fault: p95 < 500ms',
    file: 'scenarios/redis-failure.yml',
    line: 14,
    phase: 'fault',
    metric: 'p95',
    passed: true,
    actual: '120ms',
    limit: '< 500ms',
    value: 120,
    ...overrides,
  };
}

export function buildFault(overrides: Partial<FaultReport> = {}): FaultReport {
  return {
    kind: 'stop',
    targets: ['redis', '3f2a9c1b7d4e'],
    injectedAtMs: scenarioMs(25_000),
    revertedAtMs: scenarioMs(55_000),
    evidence: ['redis state=exited (checked 25.2s)', 'redis state=running healthy (checked 56.1s)'],
    injectMs: 312,
    revertMs: 1180,
    ...overrides,
  };
}

export interface ScenarioShape {
  name?: string;
  outcome?: Outcome;
  /** p95 per phase (ms); default baseline 40, fault 120, recovery 60, after 42. */
  p95?: Partial<Record<PhaseName, number | null>>;
  /** error rate per phase (0..1); default 0 except fault 0.004. */
  errorRate?: Partial<Record<PhaseName, number>>;
  rate?: number;
  phaseSeconds?: Partial<Record<PhaseName, number>>;
}

const DEFAULT_P95: Record<PhaseName, number> = {
  warmup: 55,
  baseline: 40,
  fault: 120,
  recovery: 60,
  after: 42,
};
const DEFAULT_ERR: Record<PhaseName, number> = {
  warmup: 0,
  baseline: 0,
  fault: 0.004,
  recovery: 0.001,
  after: 0,
};

/** A deterministic wobble in [-1, 1] so timelines are not flat lines. */
function wobble(i: number): number {
  return Math.sin(i * 1.7) * 0.6 + Math.sin(i * 0.37) * 0.4;
}

/**
 * A scenario with consistent phases, timeline and fault window. Thresholds default to
 * a passing set; the outcome is derived from them unless given.
 */
export function buildScenario(
  shape: ScenarioShape = {},
  overrides: Partial<ScenarioResult> = {},
): ScenarioResult {
  const name = shape.name ?? 'redis-failure';
  const secs = { ...DEFAULT_PHASE_SECONDS, ...shape.phaseSeconds };
  const p95 = { ...DEFAULT_P95, ...shape.p95 };
  const err = { ...DEFAULT_ERR, ...shape.errorRate };
  const rate = shape.rate ?? 50;
  const phases: PhaseStats[] = [];
  const timeline: TimelinePoint[] = [];
  let t = 0;
  let faultWindow: ScenarioResult['faultWindow'] = null;
  for (const phase of ['warmup', 'baseline', 'fault', 'recovery', 'after'] as PhaseName[]) {
    const n = secs[phase];
    if (n <= 0) continue;
    phases.push(
      buildPhase(phase, t * 1000, (t + n) * 1000, { p95Ms: p95[phase], errorRate: err[phase], rate }),
    );
    if (phase === 'fault') faultWindow = { startSecond: t, endSecond: t + n };
    for (let i = 0; i < n; i++) {
      const s = t + i;
      const base = p95[phase];
      timeline.push({
        second: s,
        phase,
        scheduled: rate,
        completed: rate,
        p95Ms: base === null ? null : Math.max(1, Math.round(base * (1 + 0.15 * wobble(s)) * 10) / 10),
        errorRate: Math.min(1, Math.max(0, err[phase] * (1 + 0.5 * wobble(s + 3)))),
      });
    }
    t += n;
  }
  const thresholds = overrides.thresholds ?? [
    buildThreshold({
      source: 'fault: error_rate < 1%',
      metric: 'error_rate',
      line: 13,
      actual: '0.4%',
      limit: '< 1%',
      value: 0.004,
    }),
    buildThreshold({
      source: 'fault: p95 < 500ms',
      line: 14,
      actual: `${p95.fault ?? '—'}ms`,
      value: p95.fault,
    }),
    buildThreshold({
      source: 'recovery_time < 10s',
      phase: null,
      metric: 'recovery_time',
      line: 15,
      actual: '3.2s',
      limit: '< 10s',
      value: 3.2,
    }),
  ];
  const derived: Outcome = thresholds.some((x) => x.passed === false)
    ? 'fail'
    : thresholds.some((x) => x.passed === null)
      ? 'inconclusive'
      : 'pass';
  return {
    name,
    title: 'Redis failure (feature store down)',
    hypothesis: 'If Redis goes down, predictions continue on default features',
    file: `scenarios/${name}.yml`,
    outcome: shape.outcome ?? derived,
    reason: '',
    startedAt: '2026-11-27T06:00:00.000Z',
    durationMs: t * 1000,
    phases,
    timeline,
    faultWindow,
    thresholds,
    fault: buildFault(),
    recoveryTimeMs: 3200,
    logMatches: [
      { service: 'fraud-api', line: 'WARN Cache miss for user 12345, using default features', atMs: 25_400 },
    ],
    generatorLimited: false,
    notes: [],
    ...overrides,
  };
}

/** A scenario whose fault-phase p95 (612ms) and error rate (3.2%) violate their limits. */
export function failingScenario(
  name = 'redis-failure-naive',
  overrides: Partial<ScenarioResult> = {},
): ScenarioResult {
  return buildScenario(
    { name, p95: { fault: 612 }, errorRate: { fault: 0.032 } },
    {
      thresholds: [
        buildThreshold({
          source: 'fault: error_rate < 1%',
          metric: 'error_rate',
          line: 13,
          passed: false,
          actual: '3.2%',
          limit: '< 1%',
          value: 0.032,
        }),
        buildThreshold({
          source: 'fault: p95 < 500ms',
          line: 14,
          passed: false,
          actual: '612ms',
          value: 612,
        }),
        buildThreshold({
          source: 'recovery_time < 10s',
          phase: null,
          metric: 'recovery_time',
          line: 15,
          actual: '4.1s',
          limit: '< 10s',
          value: 4.1,
        }),
      ],
      ...overrides,
    },
  );
}

/** A scenario that neither passed nor failed: the alert could not be checked. */
export function inconclusiveScenario(
  name = 'telemetry-outage',
  overrides: Partial<ScenarioResult> = {},
): ScenarioResult {
  return buildScenario(
    { name },
    {
      title: 'Telemetry collector down',
      hypothesis: 'If the OTLP collector is down, request latency is unaffected',
      reason: 'Prometheus did not answer: alert HighLatency could not be evaluated',
      thresholds: [
        buildThreshold({ source: 'fault: p95 < 500ms', line: 9 }),
        buildThreshold({
          source: 'alert HighLatency does not fire',
          phase: null,
          metric: 'alert HighLatency',
          line: 10,
          passed: null,
          actual: 'unknown',
          limit: 'does not fire',
          value: null,
          detail: 'Prometheus query failed: connect ECONNREFUSED 127.0.0.1:9090',
        }),
      ],
      ...overrides,
    },
  );
}

/** A scenario that could not be run at all. */
export function errorScenario(
  name = 'memory-pressure',
  overrides: Partial<ScenarioResult> = {},
): ScenarioResult {
  return buildScenario(
    { name },
    {
      outcome: 'error',
      title: 'Memory pressure on the API',
      hypothesis: 'Under memory pressure the API restarts and recovers within 30s',
      reason: 'stack did not become healthy: fraud-api exited with code 1 before the fault',
      phases: [],
      timeline: [],
      faultWindow: null,
      fault: null,
      recoveryTimeMs: null,
      logMatches: [],
      thresholds: [
        buildThreshold({
          source: 'recovery_time < 30s',
          phase: null,
          metric: 'recovery_time',
          passed: null,
          actual: 'not measured',
          limit: '< 30s',
          value: null,
        }),
      ],
      ...overrides,
    },
  );
}

/** A run around the given scenarios, outcome and violations derived from them. */
export function buildRun(
  scenarios: ScenarioResult[] = [buildScenario()],
  overrides: Partial<RunResult> = {},
): RunResult {
  const durationMs = scenarios.reduce((n, s) => n + s.durationMs, 0);
  return {
    schemaVersion: 1,
    tool: { name: 'chaos-action', version: '0.1.0' },
    startedAt: '2026-11-27T06:00:00.000Z',
    finishedAt: new Date(Date.parse('2026-11-27T06:00:00.000Z') + durationMs).toISOString(),
    durationMs,
    suite: 'default',
    composeFiles: ['examples/fraud-api/compose.yml'],
    project: 'chaos-fraud-api',
    commit: '9f3c2b1a8e7d6c5b4a39281706f5e4d3c2b1a098',
    runUrl: 'https://github.com/acme/fraud-api/actions/runs/123456789',
    outcome: combineOutcomes(scenarios.map((s) => s.outcome)),
    violations: scenarios.reduce((n, s) => n + s.thresholds.filter((t) => t.passed === false).length, 0),
    skipped: scenarios.filter((s) => s.outcome === 'skipped').length,
    scenarios,
    ...overrides,
  };
}

/** `n` log matches of about `chars` characters each. */
export function longLogs(n: number, chars: number, service = 'fraud-api'): LogMatch[] {
  return Array.from({ length: n }, (_, i) => ({
    service,
    atMs: scenarioMs(25_000 + i * 10),
    line: `ERROR [req ${i}] redis: connection refused (dial tcp 172.18.0.3:6379) `.padEnd(chars, 'x'),
  }));
}

/** The hostile log line of the injection tests. */
export const HOSTILE_LOG_LINE =
  '</details><img src=x onerror=alert(1)> ``` </pre> **bold** [link](http://evil) @octocat <!-- x';
