// What the runner observed during one scenario: the input of the pure verdict (verdict.ts).
// Every time here is ScenarioMs: milliseconds from the scenario's t0 (the moment its load
// started sending), made by the scenario's clock and nothing else (src/util/clock.ts).
// Each probe also says when it could see (ProbeCoverage): the verdict judges nothing over
// a window in which the probe that feeds a check was blind.
import type {
  LatencyBins,
  Outcome,
  PhaseName,
  PhaseStats,
  ScenarioMs,
  TimelinePoint,
  WindowStats,
} from '../results';

/** One phase's load figures. */
export type PhaseObservation = PhaseStats;

/**
 * One second of the load timeline as the verdict reads it: the requests sent in it. `timed`
 * (how many have a latency) when the source knows it; else `errors` by kind, from which it
 * follows (refused, reset and other failures have no latency); else every completed one was timed.
 */
export interface ObservedSecond extends TimelinePoint {
  timed?: number;
  errors?: Record<string, number>;
}

/** Load figures over one load stage (`stage NAME:` thresholds). */
export interface StageObservation extends WindowStats {
  /** The stage's `name:` in the scenario file, or null. */
  name: string | null;
  /** 0-based position in load.stages; `stage 4:` in a threshold means index 3. */
  index: number;
  startMs: number;
  endMs: number;
}

export type AlertState = 'inactive' | 'pending' | 'firing';

/** A stretch of time during which an alert was seen firing; `toMs` null = still firing at the end. */
export interface FiringSpan {
  fromMs: ScenarioMs;
  toMs: ScenarioMs | null;
}

/** One alert (one label set) seen on Prometheus's /api/v1/alerts during the scenario. */
export interface ObservedAlert {
  name: string;
  /** labels.severity, or null. */
  severity: string | null;
  /** The last state seen. */
  state: AlertState;
  /** Every span it was seen firing, in order; [] if it never fired during the scenario. */
  firing: FiringSpan[];
  labels: Record<string, string>;
}

/**
 * When a probe could see: it was asked from `fromMs` to `toMs`, and was blind during each of
 * `blind` (no answer for longer than its interval, or its stream broke off). A check over a
 * window with a blind stretch longer than PROBE_BLIND_TOLERANCE_MS, or reaching outside
 * [fromMs, toMs], is inconclusive.
 */
export interface ProbeCoverage {
  fromMs: ScenarioMs;
  toMs: ScenarioMs;
  blind: { fromMs: ScenarioMs; toMs: ScenarioMs }[];
  /** Why it did not answer, once per distinct reason. */
  problems: string[];
}

/** How long a probe may go without answering before the checks that read it lose their evidence. */
export const PROBE_BLIND_TOLERANCE_MS = 5000;

export interface LogLine {
  /** ms from t0; null when the line had no usable timestamp (it then counts for every phase). */
  atMs: ScenarioMs | null;
  line: string;
}

/** What the log reader got for one service. */
export interface LogCoverage {
  /** Lines were read from this instant on (the scenario's t0). */
  fromMs: ScenarioMs;
  toMs: ScenarioMs;
  /** Lines before this instant were dropped to stay within the line limit; null = nothing dropped. */
  truncatedBeforeMs: ScenarioMs | null;
}

/** What docker inspect / docker events said about one service's container. */
export interface ContainerFacts {
  /** RestartCount before the scenario started and at its end (a restart policy's restarts). */
  restartsBefore: number;
  restartsAfter: number;
  /** True if the container was OOM-killed at any time during the scenario (docker events "oom"). */
  oomKilled: boolean;
  /** When the engine reported the OOM kill (`oom` event); null when only inspect said so. */
  oomKilledAtMs: ScenarioMs | null;
  /** The health status at the end: healthy | unhealthy | starting | none (no healthcheck). */
  health: string | null;
  /**
   * Time from the end of the disruption (the fault's revert, or the container's last outage if
   * later) until it was healthy again (running, when it has no healthcheck); null = never.
   * An `unhealthy` report counts as an outage.
   */
  timeToHealthyMs: number | null;
  /**
   * The same facts for each replica (container) of the service; the fields above sum or take
   * the worst of them. Absent when the service was observed as one container (older callers).
   */
  replicas?: ReplicaFacts[];
}

/** One container of a service: its name (`shop-api-2`) and its facts. */
export interface ReplicaFacts extends Omit<ContainerFacts, 'replicas'> {
  name: string;
  /** It existed when the scenario started and was not found at its end. */
  gone?: boolean;
}

/** Connection attempts to a service through the fault proxy in one second. */
export interface ConnectionSample {
  second: number;
  phase: PhaseName;
  attempts: number;
}

/** One series' value in a PromQL answer; `series` names it by its labels, e.g. `up{instance="api-2:8000"}`. */
export interface PromSeriesValue {
  series: string;
  value: number;
}

/** One evaluation of a PromQL query (instant query): every series it returned ([] when empty or failed). */
export interface PromSample {
  atMs: ScenarioMs;
  phase: PhaseName;
  series: PromSeriesValue[];
  /** false when Prometheus did not answer (the probe was blind at that instant). */
  answered: boolean;
}

/** How a series reads in reports: its metric name and labels, `up{instance="api-2:8000", job="api"}`; `{}` for a scalar. */
export function seriesName(labels: Record<string, string>): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `${name}{${pairs.join(', ')}}`;
}

/** One span read from the trace store, its start on the scenario clock. */
export interface ObservedSpan {
  startMs: ScenarioMs;
  durationMs: number;
  /** The span's tags (attributes), as the store typed them. */
  attributes: Record<string, string | number | boolean>;
}

/** What the trace store returned for one service and operation over the scenario. */
export interface TraceRead {
  /** The window asked for, on the scenario clock. */
  fromMs: ScenarioMs;
  toMs: ScenarioMs;
  spans: ObservedSpan[];
  /** A slice of the window hit the store's trace limit: counts are lower bounds. */
  truncated: boolean;
  /** Why the store could not be read; spans are then empty. */
  error: string | null;
}

export interface ScenarioObservations {
  /** Role → compose service for this run: resolves the names used in thresholds (`log api ...`). */
  services: Record<string, string>;
  /** Per phase; a phase that did not run is absent. */
  phases: Partial<Record<PhaseName, PhaseObservation>>;
  /** Per load stage (open or closed model with `stages:`); [] without stages. */
  stages: StageObservation[];
  /** One point per second from t0. */
  timeline: ObservedSecond[];
  /**
   * When injecting began (the fault phase's start) and when the revert completed; null when
   * there was no fault (or no revert). "Since the fault" is always measured from faultStartMs.
   */
  faultStartMs: ScenarioMs | null;
  faultEndMs: ScenarioMs | null;
  /** When the scenario stopped observing (the end of the after phase, or where it stopped). */
  endMs: ScenarioMs;
  /**
   * From the last fault's revert until the system was well again (verdict/recovery.ts); null =
   * not recovered, or not measured (no fault).
   */
  recoveryTimeMs: number | null;
  /**
   * With recoveryTimeMs null after a revert: how long after the revert the data reaches (the end
   * of the last second of load). The system was still not recovered then. Absent when not measured.
   */
  recoveryWatchedMs?: number;
  /** MTTR: from the first injection (faultStartMs) until steady state held again; null = never (absent = not measured). */
  mttrMs?: number | null;
  /**
   * When the metrics role (Prometheus) was itself a fault target: from its injection until its
   * revert. Alert and PromQL checks are judged on what their probe saw before and after: a
   * blind stretch overlapping one of these, closed by an answer, does not make them
   * inconclusive (see longestBlindMs). Absent or [] when the metrics role was not a target.
   */
  metricsOutages?: { fromMs: ScenarioMs; toMs: ScenarioMs }[];
  /** null when alerts were not observed (no Prometheus reachable): alert checks are inconclusive. */
  alerts: ObservedAlert[] | null;
  /** When the alert probe answered; null when it did not run. */
  alertCoverage: ProbeCoverage | null;
  /** Service name → its log lines since t0 (a service not collected is absent). */
  logs: Record<string, LogLine[]>;
  logCoverage: Record<string, LogCoverage>;
  /** When the engine's event stream was watched, and whether it broke off; null when not watched. */
  eventCoverage: ProbeCoverage | null;
  /** Service name → container facts (absent = not collected). */
  containers: Record<string, ContainerFacts>;
  /** Service name → connection attempts per second through the fault proxy. */
  connections: Record<string, ConnectionSample[]>;
  /** PromQL query text (exactly as in the threshold) → samples taken through the scenario. */
  promql: Record<string, PromSample[]>;
  promqlCoverage: Record<string, ProbeCoverage>;
  /**
   * traceKey(service, operation) (the names as the thresholds write them) → spans read from the
   * tracing role's store. null (or absent) when the stack has no tracing role: trace checks are skipped.
   */
  traces?: Record<string, TraceRead> | null;
  /** The same scenario's phases from a baseline results file, for `regression` checks; null = none given. */
  baseline: Partial<Record<PhaseName, PhaseObservation>> | null;
  /** What the baseline results say of that scenario as a whole: a reference only if it was measured cleanly. */
  baselineScenario?: { outcome: Outcome; reason: string; generatorLimited: boolean } | null;
  /** Per phase, this run's latencies as HDR bins (integer µs); {} when the load did not give them. */
  latencyBins?: Partial<Record<PhaseName, LatencyBins>>;
  /** Every second's latencies (bins) and counts: requests of one second share its stalls, and intervals count them as a cluster. */
  secondBins?: SecondSample[];
  /** The same scenario on the paired base stack, run at the same time; null or absent without one. */
  pairedBase?: PairedBaseObservation | null;
}

/** One timeline second's requests: how many were scheduled, how many failed, and the latencies of those timed. */
export interface SecondSample {
  second: number;
  scheduled: number;
  errors: number;
  bins: LatencyBins;
}

/** What the base stack's side of a paired run measured, for regression checks and the comparison. */
export interface PairedBaseObservation {
  project: string;
  composeFiles: string[];
  phases: Partial<Record<PhaseName, PhaseObservation>>;
  latencyBins: Partial<Record<PhaseName, LatencyBins>>;
  timeline: TimelinePoint[];
  secondBins: SecondSample[];
  /**
   * concurrent: the base ran at the same time as this side (seconds match); sequential: before
   * it; interleaved: at the same time, the loads taking turns second by second.
   */
  mode: 'concurrent' | 'sequential' | 'interleaved';
  /** Why the base side measured nothing (it stopped before its load ran), else null. */
  problem: string | null;
  /**
   * paired-inconclusive: a regression check that is inconclusive only because its noise floor is
   * above its limit is a warning (warn, the default) or blocks as inconclusive (fail).
   */
  inconclusive?: 'warn' | 'fail';
}

/** An empty observation set, for tests and for a runner to fill in. */
export function emptyObservations(): ScenarioObservations {
  return {
    services: {},
    phases: {},
    stages: [],
    timeline: [],
    faultStartMs: null,
    faultEndMs: null,
    endMs: 0 as ScenarioMs,
    recoveryTimeMs: null,
    alerts: null,
    alertCoverage: null,
    logs: {},
    logCoverage: {},
    eventCoverage: null,
    containers: {},
    connections: {},
    promql: {},
    promqlCoverage: {},
    traces: null,
    baseline: null,
  };
}
