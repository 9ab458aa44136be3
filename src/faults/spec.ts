// What a scenario can ask of the fault library: one typed spec per fault kind.
// The scenario schema (src/config) parses YAML into these; src/faults executes them.
// Durations are milliseconds here; the YAML side accepts "5s", "100ms" and so on.

/** Why a kill fault's signal can never be proven or undone, or null: for the scenario schema. */
export { killSignalProblem } from './containers/signals';

export type ToxicDirection = 'downstream' | 'upstream' | 'both';

/** Where a fault acts: one compose service of the run's project. */
export interface FaultTarget {
  service: string;
}

/** Stop the target gracefully (SIGTERM, then SIGKILL after stopTimeoutMs), start it after durationMs. */
export interface StopFault {
  type: 'stop';
  durationMs: number;
  stopTimeoutMs: number;
}

/** Send a signal once; a restart policy (or the revert) brings the container back. */
export interface KillFault {
  type: 'kill';
  signal: string;
  /** When true the revert starts the container if it is not running again by itself. */
  restart: boolean;
}

export interface PauseFault {
  type: 'pause';
  durationMs: number;
}

/** Stop for downMs, run for upMs, repeated until durationMs has passed (the seed's restart loop). */
export interface FlapFault {
  type: 'flap';
  downMs: number;
  upMs: number;
  durationMs: number;
  stopTimeoutMs: number;
}

/**
 * Cut the target off. `drop`: DROP in our own iptables chain in the clients' network
 * namespaces (connections hang). `disconnect`: docker network disconnect (names stop resolving).
 * `from`: only this client service; default every other service of the project.
 */
export interface PartitionFault {
  type: 'partition';
  mode: 'drop' | 'disconnect';
  from: string | null;
  durationMs: number;
}

interface ToxicCommon {
  /** The target's TCP port the toxic applies to; default the first port the service exposes. */
  port: number | null;
  direction: ToxicDirection;
  /** Share of connections affected, 0..1 (Toxiproxy's toxicity). */
  toxicity: number;
  from: string | null;
  durationMs: number;
}

export interface LatencyFault extends ToxicCommon {
  type: 'latency';
  delayMs: number;
  jitterMs: number;
  /**
   * How the delay is delivered: the in-process proxy (default, works everywhere) or the
   * kernel's netem in the clients' namespaces (only where the kernel has netem; direction and
   * toxicity do not apply: every packet from the clients to target-ip:port is delayed).
   */
  engine?: 'proxy' | 'netem';
}

export interface BandwidthFault extends ToxicCommon {
  type: 'bandwidth';
  /** Bytes per second. */
  rateBytesPerSecond: number;
}

/** Data stops flowing; the connection is closed after timeoutMs (0 = held until revert). */
export interface StallFault extends ToxicCommon {
  type: 'stall';
  timeoutMs: number;
}

/** Connections are reset (RST) after resetAfterMs. */
export interface ResetPeerFault extends ToxicCommon {
  type: 'reset_peer';
  resetAfterMs: number;
}

/** New connections are refused / closed at once. */
export interface DownFault extends ToxicCommon {
  type: 'down';
}

/**
 * Memory pressure. `leak-endpoint`: call the app's own leak endpoint (the seed's way)
 * every intervalMs until the container is OOM-killed or durationMs passes.
 * `hog`: a process charged to the target's memory cgroup allocates stepBytes every intervalMs.
 */
export interface MemoryFault {
  type: 'memory';
  method: 'leak-endpoint' | 'hog';
  /** For leak-endpoint: the path, e.g. /debug/leak?mb=10, called on the target's published port. */
  path: string;
  port: number | null;
  stepBytes: number;
  intervalMs: number;
  durationMs: number;
}

/** A busy loop charged to the target's cpu cgroup. */
export interface CpuFault {
  type: 'cpu';
  workers: number;
  durationMs: number;
}

export type FaultSpec =
  | StopFault
  | KillFault
  | PauseFault
  | FlapFault
  | PartitionFault
  | LatencyFault
  | BandwidthFault
  | StallFault
  | ResetPeerFault
  | DownFault
  | MemoryFault
  | CpuFault;

export type FaultType = FaultSpec['type'];

export const FAULT_TYPES: readonly FaultType[] = [
  'stop',
  'kill',
  'pause',
  'flap',
  'partition',
  'latency',
  'bandwidth',
  'stall',
  'reset_peer',
  'down',
  'memory',
  'cpu',
];
