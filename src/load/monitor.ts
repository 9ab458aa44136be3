// The generator watching itself: the event-loop delay each second. A blocked loop
// delays sends (late) and completions (inflated latency), so a second where it is
// high is flagged rather than reported as the system's latency.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

export class LoopDelayMonitor {
  private readonly histogram: IntervalHistogram;
  private worstP99Ms = 0;

  constructor() {
    // 10 ms sampling resolution: fine enough to see a stalled loop, cheap enough to leave on.
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
  }

  /** p99 delay (ms) since the previous call, then starts a fresh interval. */
  takeP99Ms(): number {
    // The samples are whole timer intervals; the delay is what exceeds the resolution.
    const p99Ms =
      this.histogram.count > 0 ? Math.max(0, this.histogram.percentile(99) / 1e6 - RESOLUTION_MS) : 0;
    this.histogram.reset();
    this.worstP99Ms = Math.max(this.worstP99Ms, p99Ms);
    return Math.round(p99Ms * 100) / 100;
  }

  get worstSecondP99Ms(): number {
    return this.worstP99Ms;
  }

  stop(): void {
    this.histogram.disable();
  }
}
