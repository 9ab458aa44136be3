// One monotonic clock for the whole engine: load timestamps, phase marks and fault
// start/stop are all read from here, so they can be compared without wall-clock skew.
import { performance } from 'node:perf_hooks';

/** Milliseconds on the process's monotonic clock (fractional). */
export function monotonicMs(): number {
  return performance.now();
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
