// What the runner observed during one scenario: the input of the pure verdict (verdict.ts).
// Times are milliseconds from the scenario's t0 on the engine's monotonic clock (as in results.ts),
// except where a field says otherwise; `faultStartMs` lets the verdict measure from the fault.
import type { PhaseName, PhaseStats, TimelinePoint, WindowStats } from './results';

/** One phase's load figures; `meanMs` is optional because WindowStats has no mean (k6's `avg`). */
export interface PhaseObservation extends PhaseStats {
  meanMs?: number | null;
}

/** Load figures over one load stage (`stage NAME:` thresholds). */
export interface StageObservation extends WindowStats {
  /** The stage's `name:` in the scenario file, or null. */
  name: string | null;
  /** 0-based position in load.stages; `stage 4:` in a threshold means index 3. */
  index: number;
  startMs: number;
  endMs: number;
  meanMs?: number | null;
}

export type AlertState = 'inactive' | 'pending' | 'firing';

/** One alert (one label set) seen on Prometheus's /api/v1/alerts during the scenario. */
export interface ObservedAlert {
  name: string;
  /** labels.severity, or null. */
  severity: string | null;
  /** The last state seen. */
  state: AlertState;
  /** When it was first seen firing (ms from t0); null if it never fired during the scenario. */
  firstFiringAtMs: number | null;
  labels: Record<string, string>;
}

export interface LogLine {
  /** ms from t0; null when the line had no usable timestamp (it then counts for every phase). */
  atMs: number | null;
  line: string;
}

/** What docker inspect / docker events said about one service's container. */
export interface ContainerFacts {
  /** RestartCount before the scenario started and at its end (a restart policy's restarts). */
  restartsBefore: number;
  restartsAfter: number;
  /** True if the container was OOM-killed at any time during the scenario (docker events "oom"). */
  oomKilled: boolean;
  oomKilledAtMs: number | null;
  /** The health status at the end: healthy | unhealthy | starting | none (no healthcheck). */
  health: string | null;
  /**
   * Time from the end of the disruption (the fault's revert, or the OOM kill/restart if later)
   * until the container was healthy again (running, when it has no healthcheck); null = never.
   */
  timeToHealthyMs: number | null;
}

/** Connection attempts to a service through the fault proxy in one second. */
export interface ConnectionSample {
  second: number;
  phase: PhaseName;
  attempts: number;
}

/** One evaluation of a PromQL query (instant query); value null when the result was empty. */
export interface PromSample {
  atMs: number;
  phase: PhaseName;
  value: number | null;
}

export interface ScenarioObservations {
  /** Role → compose service for this run: resolves the names used in thresholds (`log api ...`). */
  services: Record<string, string>;
  /** Per phase; a phase that did not run is absent. */
  phases: Partial<Record<PhaseName, PhaseObservation>>;
  /** Per load stage (open or closed model with `stages:`); [] without stages. */
  stages: StageObservation[];
  /** One point per second from t0. */
  timeline: TimelinePoint[];
  /** When the fault was injected and reverted (ms from t0); null when there was no fault. */
  faultStartMs: number | null;
  faultEndMs: number | null;
  /** From the fault's revert until steady state held again; null = it never recovered. */
  recoveryTimeMs: number | null;
  /** null when alerts were not observed (no Prometheus reachable): alert checks are inconclusive. */
  alerts: ObservedAlert[] | null;
  /** Service name → its log lines since the fault started (a service not collected is absent). */
  logs: Record<string, LogLine[]>;
  /** Service name → container facts (absent = not collected). */
  containers: Record<string, ContainerFacts>;
  /** Service name → connection attempts per second through the fault proxy. */
  connections: Record<string, ConnectionSample[]>;
  /** PromQL query text (exactly as in the threshold) → samples taken through the scenario. */
  promql: Record<string, PromSample[]>;
  /** The same scenario's phases from a baseline results file, for `regression` checks; null = none given. */
  baseline: Partial<Record<PhaseName, PhaseObservation>> | null;
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
    recoveryTimeMs: null,
    alerts: null,
    logs: {},
    containers: {},
    connections: {},
    promql: {},
    baseline: null,
  };
}
