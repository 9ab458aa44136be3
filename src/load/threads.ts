// Spreads an open-model run over worker threads: worker i sends arrivals k ≡ i (mod N)
// of the same schedule, so together they send exactly the single-thread schedule.
// The main thread holds the merged timeline; marks are forwarded with their timestamp
// on the main clock, so each worker files requests by the same phase boundaries.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { LatencyBins, PhaseName } from '../results';
import { monotonicMs } from '../util/clock';
import { buildResult, requestInfo, resultUrl, timelineRequests, type Share } from './generator';
import type { ResolvedLoadSpec } from './spec';
import { type ExportedPhase, type SealedSecond, Timeline } from './timeline';
import { TargetUnreachableError } from './transport';
import type {
  LoadMark,
  LoadPhaseStats,
  LoadResult,
  LoadSpec,
  LoadTimelinePoint,
  LoadWindowStats,
} from './types';

export interface WorkerData {
  spec: LoadSpec;
  share: Share;
  mainTimeOrigin: number;
}

export type MainToWorker =
  | { type: 'begin'; loadStartMs: number; originMs: number }
  | { type: 'mark'; phase: PhaseName; atMs: number }
  | { type: 'stop' };

export type WorkerToMain =
  | { type: 'ready' }
  | { type: 'failed'; name: string; message: string }
  | { type: 'sealed'; seconds: SealedSecond[] }
  | { type: 'done'; phases: ExportedPhase[]; peakOutstanding: number };

/**
 * The worker's entry. From source it is worker.ts next to this file (run through tsx's
 * loader); from tsc output, worker.js. Bundled into dist/index.js, dist/cli/index.js or
 * dist/post/index.js, this file no longer exists on its own, so the bundle's sibling
 * dist/load-worker/index.js (built by scripts/package.sh) is used.
 */
export function workerEntry(): { file: string; execArgv: string[] } {
  const extension = path.extname(__filename);
  const besideThis = path.join(__dirname, `worker${extension}`);
  if (extension === '.ts') return { file: besideThis, execArgv: ['--require', require.resolve('tsx/cjs')] };
  const candidates = [
    besideThis,
    path.join(__dirname, 'load-worker', 'index.js'),
    path.join(__dirname, '..', 'load-worker', 'index.js'),
  ];
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) throw new Error(`load worker entry not found (looked for ${candidates.join(', ')})`);
  return { file, execArgv: [] };
}

function spawnWorker(data: WorkerData): Worker {
  const { file, execArgv } = workerEntry();
  return new Worker(file, { workerData: data, execArgv });
}

export class ThreadedLoadRun {
  readonly done: Promise<void>;
  private readonly timeline: Timeline;
  private readonly finished: Promise<WorkerToMain & { type: 'done' }>[];
  private endedAtMs: number | null = null;
  private stoppedAtMs: number | null = null;
  private peakOutstandingSum = 0;

  private constructor(
    private readonly spec: ResolvedLoadSpec,
    private readonly workers: Worker[],
    readonly loadStartMs: number,
    readonly originMs: number,
  ) {
    const arrivals = spec.arrivals!;
    this.timeline = new Timeline({
      originMs,
      loadStartMs,
      warmupEndMs: loadStartMs + spec.warmupMs,
      initialPhase: spec.initialPhase,
      lateToleranceMs: spec.lateToleranceMs,
      requests: timelineRequests(spec.mix),
      targetRate: (fromMs, toMs) => arrivals.targetRateBetween(fromMs - loadStartMs, toMs - loadStartMs),
    });
    this.finished = workers.map(
      (worker) =>
        new Promise((resolve, reject) => {
          worker.on('message', (message: WorkerToMain) => {
            if (message.type === 'sealed')
              for (const second of message.seconds) this.timeline.absorbSecond(second);
            if (message.type === 'done') resolve(message);
          });
          worker.on('error', reject);
          worker.on('exit', (code) =>
            reject(new Error(`load worker exited (code ${code}) before finishing`)),
          );
        }),
    );
    this.done = Promise.all(this.finished).then((results) => {
      for (const result of results) {
        this.timeline.absorbPhases(result.phases);
        this.peakOutstandingSum += result.peakOutstanding;
      }
      this.endedAtMs = Math.min(this.stoppedAtMs ?? monotonicMs(), this.loadStartMs + this.spec.durationMs);
      this.timeline.finish(this.endedAtMs);
    });
    // The caller sees a failure through done or stop(); this keeps it from also being an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** Starts N workers, waits until each has pre-connected, then starts them on one shared instant. */
  static async start(spec: LoadSpec, resolved: ResolvedLoadSpec): Promise<ThreadedLoadRun> {
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let index = 0; index < resolved.workers; index++) {
      const worker = spawnWorker({
        spec,
        share: { index, count: resolved.workers },
        mainTimeOrigin: performance.timeOrigin,
      });
      workers.push(worker);
      ready.push(
        new Promise((resolve, reject) => {
          const onMessage = (message: WorkerToMain): void => {
            if (message.type === 'ready') resolve();
            if (message.type === 'failed') {
              reject(
                message.name === 'TargetUnreachableError'
                  ? new TargetUnreachableError(message.message)
                  : new Error(message.message),
              );
            }
            if (message.type === 'ready' || message.type === 'failed') worker.off('message', onMessage);
          };
          worker.on('message', onMessage);
          worker.once('error', reject);
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
    // A short lead lets every worker receive the start message before the first send is due.
    const loadStartMs = monotonicMs() + 20;
    const originMs = resolved.t0Ms ?? loadStartMs;
    const run = new ThreadedLoadRun(resolved, workers, loadStartMs, originMs);
    for (const worker of workers)
      worker.postMessage({ type: 'begin', loadStartMs, originMs } satisfies MainToWorker);
    return run;
  }

  mark(phase: PhaseName, atMs: number = monotonicMs()): void {
    this.timeline.mark(phase, atMs);
    for (const worker of this.workers)
      worker.postMessage({ type: 'mark', phase, atMs } satisfies MainToWorker);
  }

  /** Finished seconds only: a worker ships a second once its last request is done. */
  window(fromMs: number, toMs: number): LoadWindowStats {
    return this.timeline.window(fromMs, toMs);
  }

  points(): LoadTimelinePoint[] {
    return this.timeline.points();
  }

  /** Complete once the run is done (workers report their phase histograms at the end). */
  phases(): LoadPhaseStats[] {
    return this.timeline.phases(this.endedAtMs ?? monotonicMs());
  }

  marks(): LoadMark[] {
    return this.timeline.marks();
  }

  /** Complete once the run is done, as phases(). */
  latencyBins(): Partial<Record<PhaseName, LatencyBins>> {
    return this.timeline.latencyBins();
  }

  secondBins(): { second: number; scheduled: number; errors: number; bins: LatencyBins }[] {
    return this.timeline.secondBins();
  }

  async stop(): Promise<void> {
    this.stoppedAtMs ??= monotonicMs();
    for (const worker of this.workers) worker.postMessage({ type: 'stop' } satisfies MainToWorker);
    await this.done;
  }

  result(): LoadResult {
    const now = this.endedAtMs ?? monotonicMs();
    return buildResult({
      model: 'open',
      url: resultUrl(this.spec.mix),
      requests: requestInfo(this.spec.mix),
      total: this.timeline.totals(now),
      phases: this.timeline.phases(now),
      timeline: this.timeline.points(),
      marks: this.timeline.marks(),
      peakOutstanding: this.peakOutstandingSum,
      durationMs: now - this.loadStartMs,
      workers: this.workers.length,
      lateToleranceMs: this.spec.lateToleranceMs,
    });
  }
}
