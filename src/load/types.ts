// The load generator's vocabulary: what a caller asks for (LoadSpec) and what a run
// reports (LoadResult). Results reuse the shapes of src/results/index.ts so the
// scenario runner can store them without conversion.
import type { PhaseName, PhaseStats, RequestStats, TimelinePoint, WindowStats } from '../results';
import type { ValueSpec } from './values';

export type { Scalar, ValueSpec } from './values';

/**
 * non2xx: a status outside 200–299 that was not accepted; unexpected_status: a 2xx status
 * left out of an explicit `expect.status` list (a 200 where only 201 is right).
 */
export type ErrorKind =
  'refused' | 'reset' | 'timeout' | 'non2xx' | 'unexpected_status' | 'body_mismatch' | 'dropped' | 'other';
export const ERROR_KINDS: readonly ErrorKind[] = [
  'refused',
  'reset',
  'timeout',
  'non2xx',
  'unexpected_status',
  'body_mismatch',
  'dropped',
  'other',
];

export interface RequestSpec {
  method?: string;
  /** Absolute URL, or a path joined to LoadSpec.url. */
  path?: string;
  headers?: Record<string, string>;
  /** Serialised once with JSON.stringify; sets content-type: application/json unless given. */
  json?: unknown;
  body?: string;
}

/**
 * One request of a mix: its name (what reports and `{request:NAME}` thresholds call it), its
 * share of the sends, its own expectation, and the values its `{{placeholders}}` take.
 */
export interface MixRequestSpec extends RequestSpec {
  name: string;
  /** A whole number ≥ 1; default 1. The request's share is its weight over the sum of weights. */
  weight?: number;
  expect?: ResponseExpectation;
  /** Generators by name, used as `{{name}}` in the path, a header's value or the body. */
  values?: Record<string, ValueSpec>;
}

/** What a response must be to count as a success. */
export interface ResponseExpectation {
  /** Accepted statuses; default: any 2xx. */
  status?: number[];
  bodyContains?: string;
  /** Dotted paths into the JSON body and the value each must equal, e.g. { 'result.ok': true }. */
  json?: Record<string, unknown>;
}

/** One stage of an arrival-rate ramp: reach `rate` (req/s) linearly over `duration`. */
export interface RateStage {
  /** "100/s", "6000/m" or req/s. */
  rate: string | number;
  duration: string | number;
}

/** One stage of a user ramp: reach `users` linearly over `duration`. */
export interface UserStage {
  users: number;
  duration: string | number;
}

export interface LoadSpec {
  /** Target origin (and default path), e.g. http://127.0.0.1:8080/v1/predict. */
  url: string;
  request?: RequestSpec;
  expect?: ResponseExpectation;
  /** A mix of named requests instead of `request` and `expect` (mix.ts). */
  requests?: MixRequestSpec[];

  /** Open model, constant rate: "100/s", "6000/m" or a number of req/s. Needs `duration`. */
  rate?: string | number;
  duration?: string | number;
  /** Open model, ramping: each stage ramps linearly from the previous target. */
  stages?: RateStage[];
  /** Arrival rate at t0 before the first stage's ramp; defaults to the first stage's rate (no ramp-in). */
  startRate?: number;

  /** Closed model: a constant number of users (with `duration`), each sending, waiting `think`, repeating. */
  users?: number;
  userStages?: UserStage[];
  /** Users before the first user stage's ramp; defaults to the first stage's users. */
  startUsers?: number;
  think?: string | number;

  /** Per-request timeout (headers and body). Default 10s. */
  timeout?: string | number;
  /** Leading time whose requests are reported as the 'warmup' phase and left out of the run's stats. */
  warmup?: string | number;
  /** Maximum simultaneous connections; default: unlimited (open model), one per user (closed model). */
  connections?: number;
  /** Connections opened before t0; the first one also proves the target is reachable. Default min(connections, 16). */
  preconnect?: number;
  /** Sends that would exceed this many outstanding requests are dropped (counted as errors). Default 10000. */
  maxOutstanding?: number;
  /** A send later than this behind its planned time counts as late. Default 10ms. */
  lateTolerance?: string | number;
  /** worker_threads to spread the sends over (open model only). Default 1 (no worker). */
  workers?: number;
  /** Phase of requests scheduled before the first mark (after any warm-up). Default 'baseline'. */
  initialPhase?: PhaseName;
  /** Origin of timeline seconds and phase offsets, on monotonicMs(); default: the instant load starts. */
  t0Ms?: number;
  /**
   * For measurement only (a paired run under CHAOS_PAIRED_MODE=interleaved): the load starts at
   * `startAtMs` (monotonicMs()) and sends only in every other second of it, the seconds
   * whose index is `slot` modulo 2; a user due in the other side's second waits one second.
   * Two runs with the same start and slots 0 and 1 take turns, each stack loaded while the
   * other rests. Closed model only.
   */
  interleave?: LoadInterleave;
}

export interface LoadInterleave {
  slot: 0 | 1;
  startAtMs: number;
}

/** Whether the numbers of a window describe the generator rather than the system. */
export interface GeneratorHealth {
  generatorLimited: boolean;
  /** Fraction of sends that went out later than the tolerance. */
  lateFraction: number;
  /** Worst per-second p99 of the generator's event-loop delay in the window, in ms. */
  loopDelayP99Ms: number | null;
}

/**
 * Each request's figures, present when the run sends a mix of more than one request; a single
 * request's figures are the total's.
 */
export type LoadWindowStats = WindowStats & GeneratorHealth & { requests?: RequestStats[] };
export type LoadPhaseStats = PhaseStats & GeneratorHealth;
export interface LoadTimelinePoint extends TimelinePoint {
  late: number;
  dropped: number;
  errors: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  loopDelayP99Ms: number | null;
}

export interface LoadMark {
  phase: PhaseName;
  /** Offset from t0 in ms. */
  atMs: number;
}

/** One request of the mix as it ran. */
export interface LoadRequestInfo {
  name: string;
  method: string;
  /** Path and query as written, `{{placeholders}}` kept. */
  path: string;
  weight: number;
  /** How many variants were encoded ahead of sending (0: each send formats its values, or nothing varies). */
  variants: number;
}

export interface LoadResult {
  model: 'open' | 'closed';
  /** The target origin and path; with a mix, the origin. */
  url: string;
  /** The requests sent, in the order given (absent from results made elsewhere, e.g. by tests). */
  requests?: LoadRequestInfo[];
  /** The whole run without the warm-up. */
  total: LoadWindowStats;
  phases: LoadPhaseStats[];
  timeline: LoadTimelinePoint[];
  marks: LoadMark[];
  generatorLimited: boolean;
  /** Why the run was judged generator-limited, empty when it was not. */
  generatorNotes: string[];
  peakOutstanding: number;
  durationMs: number;
  workers: number;
}
