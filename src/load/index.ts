// The load generator's API for the scenario engine and the CLI:
//
//   const run = await startLoad({ url, rate: '100/s', duration: '60s' }); // validated, pre-connected
//   run.mark('fault');                        // phase boundary, on monotonicMs()
//   run.window(monotonicMs() - 10_000, monotonicMs());   // live stats of a recent window
//   const result = await run.stop();          // or: await run.done; run.result()
import type { LatencyBins, PhaseName } from '../results';
import { monotonicMs } from '../util/clock';
import { LocalLoadRun } from './generator';
import { validateLoadSpec } from './spec';
import { ThreadedLoadRun } from './threads';
import type {
  LoadMark,
  LoadPhaseStats,
  LoadResult,
  LoadSpec,
  LoadTimelinePoint,
  LoadWindowStats,
} from './types';

export * from './types';
export { LoadSpecError, validateLoadSpec, type ResolvedLoadSpec } from './spec';
export { TargetUnreachableError } from './transport';
export { ArrivalSchedule, UserSchedule, parseRate, rampsFromStages, ScheduleError } from './schedule';

export interface LoadRun {
  /** Origin of timeline seconds and phase offsets, on monotonicMs(). */
  readonly t0Ms: number;
  /** When the first send was planned, on monotonicMs(). */
  readonly loadStartMs: number;
  /** Resolves when the schedule has run out and every request has finished (or after stop()). */
  readonly done: Promise<void>;
  /** Starts a phase at atMs (default now); requests planned from then on belong to it. */
  mark(phase: PhaseName, atMs?: number): void;
  /** Stats over the timeline seconds overlapping [fromMs, toMs) (monotonicMs()), while running or after. */
  window(fromMs: number, toMs: number): LoadWindowStats;
  /** Per-second points so far. */
  timeline(): LoadTimelinePoint[];
  /** Per-phase stats so far (with workers > 1: complete only once done). */
  phases(): LoadPhaseStats[];
  marks(): LoadMark[];
  /** Per phase, every timed request's latency as HDR bins (for paired comparisons); complete once stopped. */
  latencyBins?(): Partial<Record<PhaseName, LatencyBins>>;
  /** Every second's latencies as bins, with its scheduled and error counts (the clusters of a paired comparison). */
  secondBins?(): { second: number; scheduled: number; errors: number; bins: LatencyBins }[];
  /** Stops sending, lets in-flight requests finish (up to the timeout), returns the result. */
  stop(): Promise<LoadResult>;
  result(): LoadResult;
}

/**
 * Validates the spec (LoadSpecError), pre-connects to the target (TargetUnreachableError),
 * then starts sending. Nothing is sent before both checks pass.
 */
export async function startLoad(spec: LoadSpec): Promise<LoadRun> {
  const resolved = validateLoadSpec(spec);
  if (resolved.workers > 1) {
    const threaded = await ThreadedLoadRun.start(spec, resolved);
    return wrap(threaded, threaded.originMs, threaded.loadStartMs);
  }
  const local = await LocalLoadRun.prepare(resolved);
  // Taking turns needs both runs' seconds on one grid: start at the agreed instant, even when
  // the pre-connect made this one a little late (its first second is then partly gone).
  if (resolved.interleave) await sleepUntil(resolved.interleave.startAtMs);
  const loadStartMs = resolved.interleave?.startAtMs ?? monotonicMs();
  const t0Ms = resolved.t0Ms ?? loadStartMs;
  local.begin(loadStartMs, t0Ms);
  return wrap(local, t0Ms, loadStartMs);
}

async function sleepUntil(atMs: number): Promise<void> {
  const waitMs = atMs - monotonicMs();
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
}

function wrap(engine: LocalLoadRun | ThreadedLoadRun, t0Ms: number, loadStartMs: number): LoadRun {
  return {
    t0Ms,
    loadStartMs,
    done: engine.done,
    mark: (phase, atMs) => engine.mark(phase, atMs),
    window: (fromMs, toMs) => engine.window(fromMs, toMs),
    timeline: () => engine.points(),
    phases: () => engine.phases(),
    marks: () => engine.marks(),
    latencyBins: () => engine.latencyBins(),
    secondBins: () => engine.secondBins(),
    stop: async () => {
      await engine.stop();
      return engine.result();
    },
    result: () => engine.result(),
  };
}
