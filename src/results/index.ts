// The shape of a run's results: what the runner produces, what results.json holds
// (schemaVersion 1, documented in docs/results-schema.md) and what every report
// renders. Pure data: no functions, no class instances, JSON round-trips exactly.

/**
 * skipped: a built-in scenario of a built-in suite that this stack cannot play (it lacks the
 * role the scenario needs); it counts neither as a pass nor as a failure.
 */
export type Outcome = 'pass' | 'fail' | 'inconclusive' | 'error' | 'skipped';

declare const scenarioClockBrand: unique symbol;
/**
 * Milliseconds since the scenario's t0 (the moment its load starts sending), on the engine's
 * monotonic clock. Branded so that a process timestamp cannot be put where a scenario time
 * belongs: only a ScenarioClock (src/util/clock.ts) makes one. In JSON it is a plain number.
 */
export type ScenarioMs = number & { readonly [scenarioClockBrand]: 'scenario' };

export type PhaseName = 'warmup' | 'baseline' | 'fault' | 'recovery' | 'after';
export const PHASE_ORDER: readonly PhaseName[] = ['warmup', 'baseline', 'fault', 'recovery', 'after'];

/**
 * Latency figures in milliseconds; null when no request in the window has a latency. They
 * cover the requests that got a response (any status) or timed out: a refused or reset
 * connection has no latency worth the name (it fails in a fraction of a millisecond), so it
 * is counted in the error rate, not here. WindowStats.timed says how many that was.
 */
export interface LatencySummary {
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** Load figures over one window (a phase, or the whole run). */
export interface WindowStats extends LatencySummary {
  /** Requests scheduled in the window (open model) or started (closed model). */
  scheduled: number;
  /** Requests whose latency the percentiles describe (answered or timed out). */
  timed: number;
  /** Requests that completed (any status) in the window. */
  completed: number;
  /** Target arrival rate in req/s averaged over the window; null for the closed model. */
  targetRate: number | null;
  achievedRate: number;
  /** Errors over scheduled requests (0..1). */
  errorRate: number;
  /** Error counts by kind: refused, reset, timeout, non2xx, unexpected_status, body_mismatch, dropped, other. */
  errors: Record<string, number>;
  /** Sends that went out later than planned (beyond the lateness tolerance). */
  late: number;
}

/**
 * One request of the load's mix over a window: the same figures as the whole window's, for the
 * sends of that request only (its rates are its share of the target and of what was sent).
 */
export interface RequestStats extends WindowStats {
  /** The request's name in the mix (`{request:NAME}` in a threshold). */
  name: string;
}

export interface PhaseStats extends WindowStats {
  phase: PhaseName;
  /** Offsets from the scenario's t0 on the engine's monotonic clock. */
  startMs: number;
  endMs: number;
  /**
   * Each request of the mix over the phase, in the mix's order. Absent when the load sent one
   * request (its figures are the phase's) and in results written before mixes existed.
   */
  requests?: RequestStats[];
}

/** One request of the load's mix, as the scenario sent it. */
export interface RequestSummary {
  name: string;
  method: string;
  /** Path and query as written: `{{name}}` marks where a generated value goes. */
  path: string;
  /** Its share of the sends is weight / the sum of the mix's weights. */
  weight: number;
  /**
   * The services (dependencies) the request reaches, as the mix states it (`reaches:`, which
   * `chaos-action init --explore` measures); null when the mix does not say.
   */
  reaches: string[] | null;
}

/** One second of the load timeline; `second` counts from the scenario's t0. */
export interface TimelinePoint {
  second: number;
  phase: PhaseName;
  scheduled: number;
  completed: number;
  p95Ms: number | null;
  errorRate: number;
}

/**
 * How much a violated threshold matters: an `error` fails the scenario and the gate, a
 * `warning` is reported (⚠) and counted but never fails anything.
 */
export type Severity = 'error' | 'warning';

export interface ThresholdResult {
  /** The threshold exactly as written in the scenario file. */
  source: string;
  file: string;
  line: number;
  /** The phase it was evaluated on, or null for scenario-wide checks (alerts, logs, containers). */
  phase: PhaseName | null;
  metric: string;
  /** true passed, false violated, null could not be evaluated (counts as inconclusive). */
  passed: boolean | null;
  /** Human-readable actual value ("612ms", "3.2%", "not fired") and limit ("< 500ms"). */
  actual: string;
  limit: string;
  /** Machine-readable actual value where there is one (ms, ratio, count, seconds). */
  value: number | null;
  detail?: string;
  /** 'warning' for a warning threshold; absent (results written before severities existed) means 'error'. */
  severity?: Severity;
}

/** What the fault did, as measured rather than as requested. */
export interface FaultReport {
  kind: string;
  /** Compose service names and container ids the fault acted on. */
  targets: string[];
  /** When the fault was proven in effect, and when its revert completed (scenario clock). */
  injectedAtMs: ScenarioMs | null;
  revertedAtMs: ScenarioMs | null;
  /** One line per measurement that proves the effect, e.g. "redis state=exited", "+101ms to redis:6379". */
  evidence: string[];
  injectMs: number | null;
  revertMs: number | null;
}

export interface LogMatch {
  service: string;
  line: string;
  /** Milliseconds from the scenario's t0. */
  atMs: number | null;
}

export interface ScenarioResult {
  name: string;
  title: string;
  hypothesis: string;
  file: string;
  outcome: Outcome;
  /** Why the outcome is inconclusive or error; empty for pass/fail. */
  reason: string;
  startedAt: string;
  durationMs: number;
  phases: PhaseStats[];
  /**
   * The requests the load sent, in the mix's order (one for a single request). Absent in results
   * written before mixes existed.
   */
  requests?: RequestSummary[];
  timeline: TimelinePoint[];
  /** Seconds (from t0) during which the fault was active. */
  faultWindow: { startSecond: number; endSecond: number } | null;
  thresholds: ThresholdResult[];
  /** The first fault (faults[0]), for readers of one-fault results. */
  fault: FaultReport | null;
  /**
   * Every fault of the scenario in the order injected, each with its own inject and revert
   * times; [] without a fault. Absent in results written before scenarios had several faults.
   */
  faults?: FaultReport[];
  /** From the last fault's revert until steady state held again; null when not measured or never recovered. */
  recoveryTimeMs: number | null;
  /**
   * MTTR: from the first injection (the fault phase's start) until steady state held again;
   * null when never recovered or no fault. Absent in results written before it was measured.
   */
  mttrMs?: number | null;
  logMatches: LogMatch[];
  /** True when the load generator itself was the bottleneck: latency numbers are not the system's. */
  generatorLimited: boolean;
  notes: string[];
  /**
   * This scenario on the PR's stack against the same scenario run at the same time on the base
   * revision's stack (a paired run); absent when the run had no paired base.
   */
  comparison?: ScenarioComparison;
}

/**
 * A sample of latencies as the load generator keeps it: distinct values ascending (integer
 * microseconds: each HDR bucket's highest equivalent value) and how many requests had each.
 */
export interface LatencyBins {
  values: number[];
  counts: number[];
}

/**
 * A change with its two-sided confidence interval. For latencies a relative change (0.38 =
 * 38 % slower than the base), for error rates a difference in proportion (0.01 = one
 * percentage point more). null: the data cannot bound that end (or give an estimate).
 */
export interface ChangeInterval {
  change: number | null;
  low: number | null;
  high: number | null;
}

/**
 * regressed: the whole interval lies beyond the regression limit; within: the whole interval
 * lies inside it; inconclusive: the interval straddles the limit, or a side had no data.
 */
export type ComparisonVerdict = 'regressed' | 'within' | 'inconclusive';

/** One side's figures over one phase. */
export interface SideFigures {
  scheduled: number;
  timed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  errorRate: number | null;
}

export interface PhaseComparison {
  phase: PhaseName;
  pr: SideFigures;
  base: SideFigures;
  /** PR p95 / base p95 − 1, and the same for p99 (ratio of quantiles, see docs/results-schema.md). */
  p95: ChangeInterval;
  p99: ChangeInterval;
  /** PR error rate − base error rate (Newcombe's interval). */
  errorRate: ChangeInterval;
  /**
   * The Hodges–Lehmann shift of the PR's latencies against the base's, in ms, with its
   * interval and the Mann–Whitney two-sided p-value; null when a side had no latency.
   */
  shift: { estimateMs: number; lowMs: number; highMs: number; pValue: number } | null;
  /** The verdict against the limits in `limits` (the scenario's regression thresholds, else the defaults). */
  verdict: ComparisonVerdict;
  /** Why the verdict is what it is, in one line. */
  why: string;
}

export interface ScenarioComparison {
  /** The base revision's stack: its compose project and files. */
  base: { project: string; composeFiles: string[]; outcome: Outcome; reason: string };
  /**
   * concurrent: both stacks ran the scenario at the same time, load starts aligned (the default);
   * sequential: the base first, then the PR; interleaved: at the same time, the two loads taking
   * turns second by second (CHAOS_PAIRED_MODE=sequential|interleaved, for measurement only).
   */
  mode: 'concurrent' | 'sequential' | 'interleaved';
  /** Two-sided confidence level of every interval (0.95). */
  confidence: number;
  /** The scenario's ratio limits (its own, else the defaults): relative for p95/p99, points for error rate. */
  limits: { p95: number; p99: number; errorRate: number };
  /**
   * What the verdict words were judged on: the scenario's own regression thresholds, or, when it
   * sets none, the default checks (the latency check that could decide in this run's fault
   * phase, and the error rate), and why. Absent in results written before it existed (their
   * words were judged on `limits`).
   */
  judgedOn?: {
    from: 'scenario' | 'default';
    checks: { name: string; unit: 'relative' | 'points' | 'ms'; op: string; limit: number }[];
    why: string;
  };
  phases: PhaseComparison[];
  /** The base side's load timeline (one point per second from its own t0), for the side-by-side chart. */
  baseTimeline?: TimelinePoint[];
}

export interface RunResult {
  schemaVersion: 1;
  tool: { name: 'chaos-action'; version: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  suite: string;
  composeFiles: string[];
  project: string;
  commit: string | null;
  runUrl: string | null;
  outcome: Exclude<Outcome, 'skipped'>;
  /** Number of thresholds that were violated across all scenarios (warnings not counted). */
  violations: number;
  /** Number of scenarios skipped (outcome `skipped`). */
  skipped: number;
  /** Number of warning thresholds that were violated (they fail nothing); absent in results written before warnings existed. */
  warnings?: number;
  scenarios: ScenarioResult[];
}

/** True for a threshold that was violated and counts against the gate (not a warning). */
export function isViolation(t: ThresholdResult): boolean {
  return t.passed === false && t.severity !== 'warning';
}

/** True for a warning threshold that was violated: reported, never failing. */
export function isViolatedWarning(t: ThresholdResult): boolean {
  return t.passed === false && t.severity === 'warning';
}

/**
 * The run's outcome from its scenarios: a measured SLO violation beats an infrastructure
 * error (it is a finding, not noise), which beats inconclusive. Skipped scenarios count for
 * nothing, and a run in which every scenario was skipped judged nothing: inconclusive.
 */
export function combineOutcomes(outcomes: Outcome[]): Exclude<Outcome, 'skipped'> {
  if (outcomes.includes('fail')) return 'fail';
  if (outcomes.includes('error')) return 'error';
  if (outcomes.includes('inconclusive')) return 'inconclusive';
  if (outcomes.every((o) => o === 'skipped')) return 'inconclusive';
  return 'pass';
}
