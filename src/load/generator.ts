// One thread's load: sends on the schedule (open model) or per user (closed model),
// files every outcome in a Timeline, and watches its own event loop. Every request is
// timed from the instant it was meant to go out, so a stalled server cannot make the
// generator send less and look fast (coordinated omission).
import type { LatencyBins, PhaseName } from '../results';
import { monotonicMs } from '../util/clock';
import type { PreparedMix } from './mix';
import { LoopDelayMonitor } from './monitor';
import type { ResolvedLoadSpec } from './spec';
import { GENERATOR_LIMITS, type RequestSlot, type SealedSecond, Timeline } from './timeline';
import { HttpTransport, type OutcomeSink } from './transport';
import type {
  ErrorKind,
  LoadMark,
  LoadPhaseStats,
  LoadRequestInfo,
  LoadResult,
  LoadTimelinePoint,
  LoadWindowStats,
} from './types';

/** Sends per timer tick before yielding to I/O, so completions are not starved at high rates. */
const MAX_SENDS_PER_TICK = 512;
/** How often the closed model adjusts its user count to the ramp. */
const USER_RAMP_INTERVAL_MS = 100;
const GOLDEN_RATIO_FRACTION = (Math.sqrt(5) - 1) / 2;

/** This thread's share of the arrivals: k ≡ index (mod count). */
export interface Share {
  index: number;
  count: number;
}

class User {
  active = true;
}

class RequestContext {
  constructor(
    readonly plannedMs: number,
    readonly slot: RequestSlot,
    readonly user: User | null,
    /** Which request of the mix it is. */
    readonly entry: number,
  ) {}
}

/** The mix as results list it. */
export function requestInfo(mix: PreparedMix): LoadRequestInfo[] {
  return mix.entries.map((entry) => ({
    name: entry.name,
    method: entry.method,
    path: entry.path,
    weight: entry.weight,
    variants: entry.request.variants,
  }));
}

/** The mix's names and shares, as the timeline counts each request. */
export function timelineRequests(mix: PreparedMix): { name: string; share: number }[] {
  const total = mix.entries.reduce((n, entry) => n + entry.weight, 0);
  return mix.entries.map((entry) => ({ name: entry.name, share: entry.weight / total }));
}

/** The URL a result names: the single request's, or the origin of a mix. */
export function resultUrl(mix: PreparedMix): string {
  return mix.entries.length === 1 ? `${mix.origin}${mix.entries[0].path}` : mix.origin;
}

export interface LocalRunOptions {
  share?: Share;
  /** Added to this thread's monotonicMs() to read the main thread's clock (worker threads). */
  clockOffsetMs?: number;
  /** Called with each second once it is complete (used to stream results out of a worker). */
  onSealed?: (seconds: SealedSecond[]) => void;
}

export class LocalLoadRun implements OutcomeSink<RequestContext> {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private transport!: HttpTransport<RequestContext>;
  private timeline!: Timeline;
  private monitor: LoopDelayMonitor | null = null;
  private loadStartMs = 0;
  private nextArrival: number;
  private readonly stride: number;
  private readonly clockOffsetMs: number;
  private sendTimer: NodeJS.Timeout | null = null;
  private housekeeping: NodeJS.Timeout | null = null;
  private rampTimer: NodeJS.Timeout | null = null;
  private readonly users: User[] = [];
  private joinedUsers = 0;
  private sendingOver = false;
  private finished = false;
  private outstandingCount = 0;
  private peakOutstandingCount = 0;
  /** Sends dispatched in the closed model (the open model counts by arrival index). */
  private closedSends = 0;
  private finishedAtMs: number | null = null;
  private sendingEndedMs: number | null = null;

  private constructor(
    private readonly spec: ResolvedLoadSpec,
    private readonly options: LocalRunOptions,
  ) {
    const share = options.share ?? { index: 0, count: 1 };
    this.nextArrival = share.index;
    this.stride = share.count;
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Opens (pre-connects) the transport; throws TargetUnreachableError before any load. */
  static async prepare(spec: ResolvedLoadSpec, options: LocalRunOptions = {}): Promise<LocalLoadRun> {
    const run = new LocalLoadRun(spec, options);
    run.transport = await HttpTransport.open(spec.mix, run, {
      connections: spec.connections,
      preconnect: spec.preconnect,
      timeoutMs: spec.timeoutMs,
    });
    return run;
  }

  now(): number {
    return monotonicMs() + this.clockOffsetMs;
  }

  /** Starts sending at loadStartMs (this run's clock); t0 defaults to the load start. */
  begin(loadStartMs: number = this.now(), originMs: number = this.spec.t0Ms ?? loadStartMs): void {
    this.loadStartMs = loadStartMs;
    const arrivals = this.spec.arrivals;
    this.timeline = new Timeline({
      originMs,
      loadStartMs,
      warmupEndMs: loadStartMs + this.spec.warmupMs,
      initialPhase: this.spec.initialPhase,
      lateToleranceMs: this.spec.lateToleranceMs,
      requests: timelineRequests(this.spec.mix),
      targetRate: arrivals
        ? (fromMs, toMs) => arrivals.targetRateBetween(fromMs - loadStartMs, toMs - loadStartMs)
        : () => null,
    });
    this.monitor = new LoopDelayMonitor();
    this.housekeeping = setInterval(() => this.tidy(), 1000);
    if (this.spec.model === 'open') this.sendDue();
    else this.rampUsers();
  }

  mark(phase: PhaseName, atMs: number = this.now()): void {
    this.timeline.mark(phase, atMs);
  }

  get outstanding(): number {
    return this.outstandingCount;
  }

  get peakOutstanding(): number {
    return this.peakOutstandingCount;
  }

  get timelineView(): Timeline {
    return this.timeline;
  }

  window(fromMs: number, toMs: number): LoadWindowStats {
    return this.timeline.window(fromMs, toMs);
  }

  points(): LoadTimelinePoint[] {
    return this.timeline.points();
  }

  phases(): LoadPhaseStats[] {
    return this.timeline.phases(this.now());
  }

  marks(): LoadMark[] {
    return this.timeline.marks();
  }

  latencyBins(): Partial<Record<PhaseName, LatencyBins>> {
    return this.timeline.latencyBins();
  }

  secondBins(): { second: number; scheduled: number; errors: number; bins: LatencyBins }[] {
    return this.timeline.secondBins();
  }

  /** Stops sending, waits up to the request timeout for in-flight requests, then closes. */
  async stop(): Promise<void> {
    this.endSending();
    const deadline = this.now() + this.spec.timeoutMs + 1000;
    while (this.outstandingCount > 0 && this.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.finish();
  }

  result(): LoadResult {
    const now = this.sendingEndedMs ?? this.now();
    const total = this.timeline.totals(now);
    const phases = this.timeline.phases(now);
    return buildResult({
      model: this.spec.model,
      url: resultUrl(this.spec.mix),
      requests: requestInfo(this.spec.mix),
      total,
      phases,
      timeline: this.timeline.points(),
      marks: this.timeline.marks(),
      peakOutstanding: this.peakOutstandingCount,
      durationMs: now - this.loadStartMs,
      workers: 1,
      lateToleranceMs: this.spec.lateToleranceMs,
    });
  }

  settle(context: RequestContext, error: ErrorKind | null): void {
    if (this.finished) return;
    const now = this.now();
    this.timeline.complete(context.slot, now - context.plannedMs, error);
    this.outstandingCount--;
    const user = context.user;
    if (user && user.active && !this.sendingOver) {
      const intendedMs = now + this.spec.thinkMs;
      // Without think time the next request goes out now, from this callback: the transport
      // has already put the connection back, so it is one write on a warm socket.
      if (this.spec.thinkMs === 0) this.userSend(user, intendedMs);
      else setTimeout(() => this.userSend(user, intendedMs), this.spec.thinkMs);
    }
    if (this.sendingOver && this.outstandingCount === 0) void this.finish();
  }

  /** Sends the k-th request of the run (k: the arrival's index, or the closed model's count of sends). */
  private dispatch(plannedMs: number, actualMs: number, user: User | null, k: number): void {
    // The mix's wheel (mix.ts entryOf, inlined: this runs for every send).
    const { wheel, ordinals, entries } = this.spec.mix;
    const slot = k % wheel.length;
    const entry = wheel[slot];
    const ordinal = Math.floor(k / wheel.length) * entries[entry].weight + ordinals[slot];
    if (this.outstandingCount >= this.spec.maxOutstanding) {
      this.timeline.drop(plannedMs, entry);
      // A user whose send was dropped gets no response to wake it: it tries again after a think.
      if (user) {
        const retryMs = Math.max(this.spec.thinkMs, 10);
        setTimeout(() => this.userSend(user, this.now()), retryMs);
      }
      return;
    }
    const filed = this.timeline.schedule(plannedMs, actualMs, entry);
    this.outstandingCount++;
    if (this.outstandingCount > this.peakOutstandingCount) this.peakOutstandingCount = this.outstandingCount;
    this.transport.send(new RequestContext(plannedMs, filed, user, entry), ordinal);
  }

  /** Open model: sends everything due now, then sleeps until the next planned send. */
  private sendDue = (): void => {
    this.sendTimer = null;
    if (this.sendingOver) return;
    const arrivals = this.spec.arrivals!;
    const now = this.now();
    for (let sent = 0; this.nextArrival < arrivals.totalArrivals; sent++) {
      const plannedMs = this.loadStartMs + arrivals.plannedOffsetMs(this.nextArrival);
      if (plannedMs > now) {
        this.sendTimer = setTimeout(this.sendDue, plannedMs - now);
        return;
      }
      if (sent === MAX_SENDS_PER_TICK) {
        this.sendTimer = setTimeout(this.sendDue, 0);
        return;
      }
      this.dispatch(plannedMs, now, null, this.nextArrival);
      this.nextArrival += this.stride;
    }
    this.endSending();
  };

  /** Closed model: matches the number of active users to the ramp. */
  private rampUsers = (): void => {
    this.rampTimer = null;
    if (this.sendingOver) return;
    const users = this.spec.users!;
    const now = this.now();
    const offset = now - this.loadStartMs;
    if (offset >= users.durationMs) {
      this.endSending();
      return;
    }
    const target = users.usersAt(offset);
    // A joining user starts at a point of its think cycle taken from the golden-ratio
    // sequence: any group of users is spread evenly over one think time, so a step of 100
    // users is not one burst per think period, and a ramp sends ∫ users/think, not more.
    while (this.users.length < target) {
      const user = new User();
      this.users.push(user);
      this.joinedUsers++;
      const intendedMs = now + this.spec.thinkMs * ((this.joinedUsers * GOLDEN_RATIO_FRACTION) % 1);
      setTimeout(() => this.userSend(user, intendedMs), intendedMs - now);
    }
    while (this.users.length > target) (this.users.pop() as User).active = false;
    this.rampTimer = setTimeout(this.rampUsers, Math.min(USER_RAMP_INTERVAL_MS, users.durationMs - offset));
  };

  private userSend(user: User, intendedMs: number): void {
    if (!user.active || this.sendingOver) return;
    const now = this.now();
    if (this.othersTurn(now) || this.othersTurn(intendedMs)) {
      // The same point of this run's next second: planned then, so that the wait is not counted
      // as latency and the request is filed in a second of this run's (a late timer can wake
      // a user planned in the other run's second inside this run's, or the other way round).
      let nextMs = intendedMs + 1000;
      while (nextMs < now || this.othersTurn(nextMs)) nextMs += 1000;
      setTimeout(() => this.userSend(user, nextMs), nextMs - now);
      return;
    }
    this.dispatch(intendedMs, now, user, this.closedSends++);
  }

  /** Interleaved (spec.interleave): whether the instant `atMs` falls in a second of the other run's. */
  private othersTurn(atMs: number): boolean {
    const interleave = this.spec.interleave;
    if (!interleave) return false;
    const second = Math.floor((atMs - this.loadStartMs) / 1000);
    return second >= 0 && second % 2 !== interleave.slot;
  }

  private endSending(): void {
    if (this.sendingOver) return;
    this.sendingOver = true;
    this.sendingEndedMs = Math.min(this.now(), this.loadStartMs + this.spec.durationMs);
    if (this.sendTimer) clearTimeout(this.sendTimer);
    if (this.rampTimer) clearTimeout(this.rampTimer);
    for (const user of this.users) user.active = false;
    if (this.outstandingCount === 0) void this.finish();
  }

  private tidy(): void {
    const now = this.now();
    if (this.monitor) this.timeline.noteLoopDelay(now - 500, this.monitor.takeP99Ms());
    const sealed = this.timeline.sealFinished(now);
    if (sealed.length && this.options.onSealed) this.options.onSealed(sealed);
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.finishedAtMs = this.now();
    if (this.housekeeping) clearInterval(this.housekeeping);
    if (this.monitor) {
      this.timeline.noteLoopDelay(this.finishedAtMs - 1, this.monitor.takeP99Ms());
      this.monitor.stop();
    }
    const sealed = this.timeline.finish(this.sendingEndedMs ?? this.finishedAtMs);
    if (sealed.length && this.options.onSealed) this.options.onSealed(sealed);
    await this.transport.close();
    this.resolveDone();
  }
}

/** What a run knows when it ends; the result adds the generator-limited verdict. */
export type ResultParts = Omit<LoadResult, 'generatorLimited' | 'generatorNotes'> & {
  lateToleranceMs: number;
};

/** Assembles a result and explains any generator-limited window in words. */
export function buildResult(parts: ResultParts): LoadResult {
  const notes: string[] = [];
  const explain = (label: string, stats: LoadWindowStats): void => {
    if (!stats.generatorLimited) return;
    const reasons: string[] = [];
    if (stats.lateFraction > GENERATOR_LIMITS.maxLateFraction) {
      reasons.push(
        `${(stats.lateFraction * 100).toFixed(1)}% of sends left > ${parts.lateToleranceMs}ms late`,
      );
    }
    if (stats.loopDelayP99Ms !== null && stats.loopDelayP99Ms > GENERATOR_LIMITS.maxLoopDelayMs) {
      reasons.push(`event-loop delay p99 ${stats.loopDelayP99Ms}ms`);
    }
    notes.push(`${label}: generator-limited (${reasons.join(', ')}); its latency is not the system's`);
  };
  explain('run', parts.total);
  for (const phase of parts.phases) if (phase.phase !== 'warmup') explain(`phase ${phase.phase}`, phase);
  const generatorLimited =
    parts.total.generatorLimited ||
    parts.phases.some((phase) => phase.phase !== 'warmup' && phase.generatorLimited);
  const { lateToleranceMs: _tolerance, ...rest } = parts;
  return { ...rest, generatorLimited, generatorNotes: notes };
}
