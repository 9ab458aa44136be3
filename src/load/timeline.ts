// Where every request's outcome is filed: by its PLANNED send time, into one second
// of the timeline and into the phase that was current at that instant. Attributing by
// planned time (not completion time) puts a stall in the second it began, with the
// latency the users of that second saw.
//
// Memory stays bounded whatever the duration: a second holds a live histogram only
// while it can still receive completions; once its last request is done it keeps
// its counters and its compressed histogram (about 1 KB).
import type { LatencyBins, LatencySummary, PhaseName, RequestStats, WindowStats } from '../results';
import {
  type Histogram,
  HistogramPool,
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  histogramBins,
  mergeBins,
  mergeHistograms,
  recordLatencyMs,
  summarize,
} from './histogram';
import {
  ERROR_KINDS,
  type ErrorKind,
  type GeneratorHealth,
  type LoadMark,
  type LoadPhaseStats,
  type LoadTimelinePoint,
  type LoadWindowStats,
} from './types';

const SEAL_GRACE_MS = 1000;

/** Defaults for judging a window generator-limited (see GeneratorHealth). */
export const GENERATOR_LIMITS = { maxLateFraction: 0.05, maxLoopDelayMs: 200 };

export interface Counters {
  scheduled: number;
  completed: number;
  late: number;
  errors: Record<ErrorKind, number>;
}

export function emptyCounters(): Counters {
  const errors = {} as Record<ErrorKind, number>;
  for (const kind of ERROR_KINDS) errors[kind] = 0;
  return { scheduled: 0, completed: 0, late: 0, errors };
}

export function addCounters(into: Counters, from: Counters): void {
  into.scheduled += from.scheduled;
  into.completed += from.completed;
  into.late += from.late;
  for (const kind of ERROR_KINDS) into.errors[kind] += from.errors[kind];
}

function errorTotal(counters: Counters): number {
  let total = 0;
  for (const kind of ERROR_KINDS) total += counters.errors[kind];
  return total;
}

/** Only the kinds that occurred, as results.json shows them. */
function nonZeroErrors(counters: Counters): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const kind of ERROR_KINDS) if (counters.errors[kind] > 0) errors[kind] = counters.errors[kind];
  return errors;
}

/** A finished second as it is kept, and as a worker thread ships it to the main thread. */
export interface SealedSecond {
  second: number;
  counters: Counters;
  histogram: string;
  loopDelayP99Ms: number | null;
}

class SecondBucket {
  counters = emptyCounters();
  live: Histogram | null;
  encoded: string | null = null;
  /** Percentiles of a sealed second, computed once: timeline() is polled during the run. */
  summary: LatencySummary | null = null;
  outstanding = 0;
  loopDelayP99Ms: number | null = null;

  constructor(
    readonly second: number,
    live: Histogram,
  ) {
    this.live = live;
  }
}

/** One request's share of a window: its counters and its latencies. */
interface RequestTally {
  counters: Counters;
  histogram: Histogram;
}

function requestTallies(count: number): RequestTally[] | null {
  if (count < 2) return null;
  return Array.from({ length: count }, () => ({
    counters: emptyCounters(),
    histogram: createLatencyHistogram(),
  }));
}

class PhaseSegment {
  counters = emptyCounters();
  histogram = createLatencyHistogram();
  endMs: number | null = null;
  /** Per request of a mix (null for a single request, whose figures are the phase's). */
  readonly requests: RequestTally[] | null;

  constructor(
    readonly phase: PhaseName,
    public startMs: number,
    requestCount: number,
  ) {
    this.requests = requestTallies(requestCount);
  }
}

/**
 * What a request carries from its send to its outcome. Its second is fixed at send time;
 * its phase is looked up when it completes, so a mark made a moment after its boundary
 * (the engine marks after the fault took effect) still files every request correctly.
 */
export interface RequestSlot {
  bucket: SecondBucket;
  plannedMs: number;
  late: boolean;
  /** Which request of the mix it is (its index). */
  entry: number;
}

export interface TimelineOptions {
  /** t0 on monotonicMs(): second 0 starts here; phase offsets are measured from here. */
  originMs: number;
  /** When load starts on monotonicMs(). */
  loadStartMs: number;
  /** Requests planned before this instant belong to the 'warmup' phase. */
  warmupEndMs: number;
  initialPhase: PhaseName;
  lateToleranceMs: number;
  /** Average target rate over an absolute window, or null for the closed model. */
  targetRate: (fromMs: number, toMs: number) => number | null;
  /**
   * The mix's requests, by name, and each one's share of the sends (its weight over the sum):
   * with more than one, every phase and the run are also counted per request.
   */
  requests?: { name: string; share: number }[];
  /** Late sends above this fraction mark a window generator-limited. */
  maxLateFraction?: number;
  /** A per-second event-loop p99 above this marks a window generator-limited. */
  maxLoopDelayMs?: number;
}

export class Timeline {
  private readonly buckets = new Map<number, SecondBucket>();
  private readonly segments: PhaseSegment[] = [];
  private readonly total = emptyCounters();
  private readonly totalHistogram = createLatencyHistogram();
  private readonly requests: { name: string; share: number }[];
  private readonly pool = new HistogramPool();
  private endMs: number | null = null;
  private readonly maxLateFraction: number;
  private readonly maxLoopDelayMs: number;

  constructor(private readonly options: TimelineOptions) {
    this.requests = options.requests ?? [];
    if (options.warmupEndMs > options.loadStartMs) {
      const warmup = new PhaseSegment('warmup', options.loadStartMs, this.requests.length);
      warmup.endMs = options.warmupEndMs;
      this.segments.push(warmup);
    }
    this.segments.push(new PhaseSegment(options.initialPhase, options.warmupEndMs, this.requests.length));
    this.maxLateFraction = options.maxLateFraction ?? GENERATOR_LIMITS.maxLateFraction;
    this.maxLoopDelayMs = options.maxLoopDelayMs ?? GENERATOR_LIMITS.maxLoopDelayMs;
  }

  get originMs(): number {
    return this.options.originMs;
  }

  /** A new phase begins at atMs (monotonicMs()); requests planned from then on belong to it. */
  mark(phase: PhaseName, atMs: number): void {
    const last = this.segments[this.segments.length - 1];
    const startMs = Math.max(atMs, last.startMs);
    // Two marks at one instant: the first phase lasted no time, so only the second is kept.
    // (Decided on time alone so that worker threads and the main thread agree.)
    if (startMs === last.startMs && this.segments.length > 1) {
      this.segments.pop();
    } else {
      last.endMs = startMs;
    }
    this.segments.push(new PhaseSegment(phase, startMs, this.requests.length));
  }

  marks(): LoadMark[] {
    return this.segments.map((segment) => ({ phase: segment.phase, atMs: segment.startMs - this.originMs }));
  }

  /** Files a request that went out at actualMs for plannedMs; returns what its outcome needs. */
  schedule(plannedMs: number, actualMs: number, entry = 0): RequestSlot {
    const bucket = this.bucketFor(plannedMs);
    const late = actualMs - plannedMs > this.options.lateToleranceMs;
    bucket.counters.scheduled++;
    if (late) bucket.counters.late++;
    bucket.outstanding++;
    return { bucket, plannedMs, late, entry };
  }

  /** A planned send that never went out (the outstanding cap was reached). */
  drop(plannedMs: number, entry = 0): void {
    const bucket = this.bucketFor(plannedMs);
    const segment = this.segmentAt(plannedMs);
    bucket.counters.scheduled++;
    bucket.counters.errors.dropped++;
    const dropInto = (counters: Counters): void => {
      counters.scheduled++;
      counters.errors.dropped++;
    };
    dropInto(segment.counters);
    if (segment.requests) dropInto(segment.requests[entry].counters);
    if (segment.phase !== 'warmup') dropInto(this.total);
  }

  /** The outcome of a scheduled request: latency from its planned send, and its error kind if any. */
  complete(slot: RequestSlot, latencyMs: number, error: ErrorKind | null): void {
    const { bucket, late } = slot;
    const segment = this.segmentAt(slot.plannedMs);
    const counted = segment.phase !== 'warmup';
    bucket.counters.completed++;
    bucket.outstanding--;
    if (error !== null) bucket.counters.errors[error]++;
    // Failed requests that got no response have no latency worth reporting (a refused
    // connection takes 0.1 ms); responses that arrived, good or bad, do, and so do timeouts.
    const timed =
      error === null ||
      error === 'timeout' ||
      error === 'non2xx' ||
      error === 'unexpected_status' ||
      error === 'body_mismatch';
    if (timed) recordLatencyMs(bucket.live ?? this.reopen(bucket), latencyMs);
    tally(segment.counters, segment.histogram, late, error, timed ? latencyMs : null);
    const ofRequest = segment.requests?.[slot.entry];
    if (ofRequest) tally(ofRequest.counters, ofRequest.histogram, late, error, timed ? latencyMs : null);
    // A request's figures for the whole run are its phases' added up (totals()): one histogram
    // fewer to record into at each completion.
    if (counted) tally(this.total, this.totalHistogram, late, error, timed ? latencyMs : null);
  }

  /** Files the generator's event-loop delay into the second of atMs, if that second had traffic. */
  noteLoopDelay(atMs: number, p99Ms: number): void {
    const bucket = this.buckets.get(this.secondOf(atMs));
    if (!bucket) return;
    bucket.loopDelayP99Ms = Math.max(bucket.loopDelayP99Ms ?? 0, p99Ms);
  }

  /** Compresses the seconds that ended before nowMs and have no request in flight. */
  sealFinished(nowMs: number): SealedSecond[] {
    const sealed: SealedSecond[] = [];
    for (const bucket of this.buckets.values()) {
      if (bucket.live === null || bucket.outstanding > 0) continue;
      // A second late by more than the grace is generator-limited anyway; a send that
      // late reopens the second (in-process) rather than being lost.
      if (this.options.originMs + (bucket.second + 1) * 1000 + SEAL_GRACE_MS > nowMs) continue;
      sealed.push(this.seal(bucket));
    }
    return sealed;
  }

  /**
   * Ends the run: rates are computed up to sendingEndedMs (when sending stopped, not when the
   * last response came back), and every second is sealed.
   */
  finish(sendingEndedMs: number): SealedSecond[] {
    this.endMs = sendingEndedMs;
    const last = this.segments[this.segments.length - 1];
    last.endMs ??= Math.max(sendingEndedMs, last.startMs);
    const sealed: SealedSecond[] = [];
    for (const bucket of this.buckets.values()) if (bucket.live !== null) sealed.push(this.seal(bucket));
    return sealed;
  }

  /** Adds a second recorded elsewhere (a worker thread). */
  absorbSecond(sealed: SealedSecond): void {
    const bucket = this.bucketFor(this.options.originMs + sealed.second * 1000);
    addCounters(bucket.counters, sealed.counters);
    const live = bucket.live ?? this.reopen(bucket);
    const decoded = decodeHistogram(sealed.histogram);
    live.add(decoded);
    decoded.destroy();
    if (sealed.loopDelayP99Ms !== null) {
      bucket.loopDelayP99Ms = Math.max(bucket.loopDelayP99Ms ?? 0, sealed.loopDelayP99Ms);
    }
    this.seal(bucket);
  }

  /** Per-phase results recorded elsewhere (a worker thread), in the same mark order as here. */
  absorbPhases(phases: ExportedPhase[]): void {
    const absorb = (
      into: RequestTally,
      counters: Counters,
      histogram: string,
      total: RequestTally | null,
    ) => {
      addCounters(into.counters, counters);
      const decoded = decodeHistogram(histogram);
      into.histogram.add(decoded);
      if (total) {
        addCounters(total.counters, counters);
        total.histogram.add(decoded);
      }
      decoded.destroy();
    };
    phases.forEach((part, index) => {
      const segment = this.segments[index];
      if (!segment) return;
      const total =
        segment.phase !== 'warmup' ? { counters: this.total, histogram: this.totalHistogram } : null;
      absorb(segment, part.counters, part.histogram, total);
      part.requests?.forEach((ofRequest, entry) => {
        const into = segment.requests?.[entry];
        if (into) absorb(into, ofRequest.counters, ofRequest.histogram, null);
      });
    });
  }

  /**
   * Each phase's latencies as bins (integer µs: each bucket's highest equivalent value, as the
   * percentiles use it, and its count): what a paired comparison ranks. Complete once the run is done.
   */
  latencyBins(): Partial<Record<PhaseName, LatencyBins>> {
    const out: Partial<Record<PhaseName, LatencyBins>> = {};
    for (const segment of this.segments) {
      const bins: LatencyBins = out[segment.phase] ?? { values: [], counts: [] };
      const merged = histogramBins(segment.histogram);
      out[segment.phase] = bins.values.length ? mergeBins(bins, merged) : merged;
    }
    return out;
  }

  /**
   * Every second's latencies as bins (integer µs), with its counts, ascending by second: the
   * clusters a paired comparison's intervals account for (requests of one second share its stalls).
   */
  secondBins(): { second: number; scheduled: number; errors: number; bins: LatencyBins }[] {
    const out: { second: number; scheduled: number; errors: number; bins: LatencyBins }[] = [];
    for (const bucket of [...this.buckets.values()].sort((a, b) => a.second - b.second)) {
      let bins: LatencyBins = { values: [], counts: [] };
      if (bucket.live) bins = histogramBins(bucket.live);
      else if (bucket.encoded !== null) {
        const decoded = decodeHistogram(bucket.encoded);
        bins = histogramBins(decoded);
        decoded.destroy();
      }
      const { scheduled } = bucket.counters;
      out.push({ second: bucket.second, scheduled, errors: errorTotal(bucket.counters), bins });
    }
    return out;
  }

  exportPhases(): ExportedPhase[] {
    return this.segments.map((segment) => ({
      counters: segment.counters,
      histogram: encodeHistogram(segment.histogram),
      ...(segment.requests
        ? {
            requests: segment.requests.map((ofRequest) => ({
              counters: ofRequest.counters,
              histogram: encodeHistogram(ofRequest.histogram),
            })),
          }
        : {}),
    }));
  }

  /** Stats over the seconds that overlap [fromMs, toMs) (monotonicMs()), live or finished. */
  window(fromMs: number, toMs: number): LoadWindowStats {
    const first = Math.floor((fromMs - this.originMs) / 1000);
    const last = Math.ceil((toMs - this.originMs) / 1000) - 1;
    const counters = emptyCounters();
    const parts: (Histogram | string)[] = [];
    let loopDelay: number | null = null;
    for (let second = first; second <= last; second++) {
      const bucket = this.buckets.get(second);
      if (!bucket) continue;
      addCounters(counters, bucket.counters);
      parts.push(bucket.live ?? (bucket.encoded as string));
      if (bucket.loopDelayP99Ms !== null) loopDelay = Math.max(loopDelay ?? 0, bucket.loopDelayP99Ms);
    }
    const spanStart = Math.max(this.originMs + first * 1000, this.options.loadStartMs);
    const spanEnd = Math.min(this.originMs + (last + 1) * 1000, this.endMs ?? toMs);
    const histogram = mergeHistograms(parts);
    const stats = this.windowStats(counters, histogram, spanStart, spanEnd, loopDelay);
    histogram.destroy();
    return stats;
  }

  /** The whole run without the warm-up. */
  totals(nowMs: number): LoadWindowStats {
    const start =
      this.segments.find((segment) => segment.phase !== 'warmup')?.startMs ?? this.options.loadStartMs;
    const end = this.endMs ?? nowMs;
    const stats = this.windowStats(
      this.total,
      this.totalHistogram,
      start,
      end,
      this.worstLoopDelay(start, end),
    );
    if (this.requests.length < 2) return stats;
    const counted = this.segments.filter((segment) => segment.phase !== 'warmup');
    const tallies = this.requests.map((_, entry) => {
      const sum: RequestTally = { counters: emptyCounters(), histogram: createLatencyHistogram() };
      for (const segment of counted) {
        const part = (segment.requests as RequestTally[])[entry];
        addCounters(sum.counters, part.counters);
        sum.histogram.add(part.histogram);
      }
      return sum;
    });
    const requests = this.requestStats(tallies, start, end);
    for (const sum of tallies) sum.histogram.destroy();
    return { ...stats, requests };
  }

  phases(nowMs: number): LoadPhaseStats[] {
    return this.segments.map((segment) => {
      const end = segment.endMs ?? this.endMs ?? nowMs;
      const stats = this.windowStats(
        segment.counters,
        segment.histogram,
        segment.startMs,
        end,
        this.worstLoopDelay(segment.startMs, end),
      );
      return {
        phase: segment.phase,
        startMs: segment.startMs - this.originMs,
        endMs: end - this.originMs,
        ...stats,
        ...(segment.requests ? { requests: this.requestStats(segment.requests, segment.startMs, end) } : {}),
      };
    });
  }

  /** Each request's figures over a window, its target rate its share of the window's. */
  private requestStats(tallies: RequestTally[], startMs: number, endMs: number): RequestStats[] {
    return tallies.map((ofRequest, entry) => {
      const { share, name } = this.requests[entry];
      const {
        generatorLimited: _g,
        lateFraction: _l,
        loopDelayP99Ms: _d,
        ...stats
      } = this.windowStats(ofRequest.counters, ofRequest.histogram, startMs, endMs, null, share);
      return { name, ...stats };
    });
  }

  /** One point per second from the first to the last second with traffic; quiet seconds show as zeros. */
  points(): LoadTimelinePoint[] {
    if (this.buckets.size === 0) return [];
    const seconds = [...this.buckets.keys()];
    const first = Math.min(...seconds);
    const last = Math.max(...seconds);
    const points: LoadTimelinePoint[] = [];
    for (let second = first; second <= last; second++) {
      const bucket = this.buckets.get(second);
      const counters = bucket?.counters ?? emptyCounters();
      const latency = bucket
        ? bucket.live
          ? summarize(bucket.live)
          : (bucket.summary ?? NO_LATENCY)
        : NO_LATENCY;
      points.push({
        second,
        phase: this.segmentAt(this.originMs + second * 1000).phase,
        scheduled: counters.scheduled,
        completed: counters.completed,
        p95Ms: latency.p95Ms,
        errorRate: counters.scheduled ? errorTotal(counters) / counters.scheduled : 0,
        late: counters.late,
        dropped: counters.errors.dropped,
        errors: nonZeroErrors(counters),
        p50Ms: latency.p50Ms,
        p99Ms: latency.p99Ms,
        maxMs: latency.maxMs,
        loopDelayP99Ms: bucket?.loopDelayP99Ms ?? null,
      });
    }
    return points;
  }

  /** Bytes held by the timeline's finished seconds (for the memory benchmark). */
  sealedBytes(): number {
    let bytes = 0;
    for (const bucket of this.buckets.values()) bytes += (bucket.encoded?.length ?? 0) + 200;
    return bytes;
  }

  health(counters: Counters, loopDelayP99Ms: number | null): GeneratorHealth {
    const sent = counters.scheduled - counters.errors.dropped;
    const lateFraction = sent > 0 ? counters.late / sent : 0;
    const generatorLimited =
      lateFraction > this.maxLateFraction ||
      (loopDelayP99Ms !== null && loopDelayP99Ms > this.maxLoopDelayMs);
    return { generatorLimited, lateFraction, loopDelayP99Ms };
  }

  private windowStats(
    counters: Counters,
    histogram: Histogram,
    startMs: number,
    endMs: number,
    loopDelayP99Ms: number | null,
    share = 1,
  ): LoadWindowStats {
    const seconds = Math.max(endMs - startMs, 1) / 1000;
    const whole = this.options.targetRate(startMs, endMs);
    const targetRate = whole === null ? null : whole * share;
    const stats: WindowStats = {
      ...summarize(histogram),
      timed: histogram.totalCount,
      scheduled: counters.scheduled,
      completed: counters.completed,
      targetRate: targetRate === null ? null : round3(targetRate),
      achievedRate: round3((counters.scheduled - counters.errors.dropped) / seconds),
      errorRate: counters.scheduled ? errorTotal(counters) / counters.scheduled : 0,
      errors: nonZeroErrors(counters),
      late: counters.late,
    };
    return { ...stats, ...this.health(counters, loopDelayP99Ms) };
  }

  private worstLoopDelay(fromMs: number, toMs: number): number | null {
    let worst: number | null = null;
    for (const bucket of this.buckets.values()) {
      const start = this.originMs + bucket.second * 1000;
      if (start + 1000 <= fromMs || start >= toMs || bucket.loopDelayP99Ms === null) continue;
      worst = Math.max(worst ?? 0, bucket.loopDelayP99Ms);
    }
    return worst;
  }

  /** The timeline second of an instant; rounded to the microsecond first, so float noise in
   * t0 + 1000 cannot file a send planned on a boundary into the previous second. */
  private secondOf(atMs: number): number {
    return Math.floor(Math.round((atMs - this.originMs) * 1000) / 1_000_000);
  }

  private bucketFor(atMs: number): SecondBucket {
    const second = this.secondOf(atMs);
    let bucket = this.buckets.get(second);
    if (!bucket) {
      bucket = new SecondBucket(second, this.pool.take());
      this.buckets.set(second, bucket);
    }
    return bucket;
  }

  private segmentAt(atMs: number): PhaseSegment {
    for (let index = this.segments.length - 1; index > 0; index--) {
      if (this.segments[index].startMs <= atMs) return this.segments[index];
    }
    return this.segments[0];
  }

  private seal(bucket: SecondBucket): SealedSecond {
    const live = bucket.live as Histogram;
    bucket.encoded = encodeHistogram(live);
    bucket.summary = summarize(live);
    bucket.live = null;
    this.pool.give(live);
    return {
      second: bucket.second,
      counters: bucket.counters,
      histogram: bucket.encoded,
      loopDelayP99Ms: bucket.loopDelayP99Ms,
    };
  }

  /** A finished second that receives more (a late completion, or another worker's share). */
  private reopen(bucket: SecondBucket): Histogram {
    const live = this.pool.take();
    if (bucket.encoded !== null) {
      const decoded = decodeHistogram(bucket.encoded);
      live.add(decoded);
      decoded.destroy();
      bucket.encoded = null;
    }
    bucket.summary = null;
    bucket.live = live;
    return live;
  }
}

/** What a worker thread ships of one phase: the phase's tallies, and each request's with a mix. */
export interface ExportedPhase {
  counters: Counters;
  histogram: string;
  requests?: { counters: Counters; histogram: string }[];
}

/** Counts one outcome into a window's counters and, when it has a latency, its histogram. */
function tally(
  counters: Counters,
  histogram: Histogram,
  late: boolean,
  error: ErrorKind | null,
  latencyMs: number | null,
): void {
  counters.scheduled++;
  counters.completed++;
  if (late) counters.late++;
  if (error !== null) counters.errors[error]++;
  if (latencyMs !== null) recordLatencyMs(histogram, latencyMs);
}

const NO_LATENCY: LatencySummary = {
  meanMs: null,
  p50Ms: null,
  p90Ms: null,
  p95Ms: null,
  p99Ms: null,
  maxMs: null,
};
const round3 = (value: number): number => Math.round(value * 1000) / 1000;
