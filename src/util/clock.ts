// The engine's clocks. Two time bases exist and must never be mixed:
// - the process's monotonic clock (`monotonicMs()`, branded MonotonicMs): what the load
//   generator, the fault library and sleeps read;
// - the scenario clock (ScenarioMs, defined with the results contract): milliseconds since
//   the scenario's t0, the moment its load starts sending. Everything a scenario records
//   (phases, alerts, logs, events, the fault's inject and revert) is on this clock.
// A ScenarioClock is the one place that converts between them. Both are branded types, so
// putting a process timestamp (or an untyped number) where a scenario time belongs is a
// compile error rather than a verdict measured across two clocks.
import { performance } from 'node:perf_hooks';
import type { ScenarioMs } from '../results';

declare const monotonicBrand: unique symbol;
/** Milliseconds on the process's monotonic clock (performance.now()). */
export type MonotonicMs = number & { readonly [monotonicBrand]: 'monotonic' };

/** Milliseconds on the process's monotonic clock (fractional). */
export function monotonicMs(): MonotonicMs {
  return performance.now() as MonotonicMs;
}

/** A scenario time from a plain number: for tests and for times already on the scenario clock (results.json). */
export function scenarioMs(ms: number): ScenarioMs {
  return ms as ScenarioMs;
}

/** Converts process times and wall-clock times to the scenario clock; fixed once t0 is known. */
export interface ScenarioClock {
  /** t0 on the process's monotonic clock. */
  readonly t0: MonotonicMs;
  /** Wall-clock (epoch) milliseconds at t0, for engine timestamps (docker events, log lines). */
  readonly epochAtT0: number;
  now(): ScenarioMs;
  fromMonotonic(at: MonotonicMs): ScenarioMs;
  fromEpoch(epochMs: number): ScenarioMs;
  /** The monotonic instant of a scenario time (to ask the load generator for a window). */
  toMonotonic(at: ScenarioMs): MonotonicMs;
}

/** The time sources a clock reads; tests pass fake ones to place t0 anywhere. */
export interface TimeSource {
  monotonicMs(): MonotonicMs;
  epochMs(): number;
}

export const systemTime: TimeSource = { monotonicMs, epochMs: () => Date.now() };

/** A scenario clock whose t0 is `t0` on the monotonic clock (default: now). */
export function scenarioClock(t0?: MonotonicMs, time: TimeSource = systemTime): ScenarioClock {
  const nowMono = time.monotonicMs();
  const origin = t0 ?? nowMono;
  // The wall clock at t0, read once: later engine timestamps convert through this offset,
  // so a wall-clock step during the scenario shifts only engine-stamped times, never ours.
  const epochAtT0 = time.epochMs() - (nowMono - origin);
  return {
    t0: origin,
    epochAtT0,
    now: () => (time.monotonicMs() - origin) as ScenarioMs,
    fromMonotonic: (at) => (at - origin) as ScenarioMs,
    fromEpoch: (epochMs) => (epochMs - epochAtT0) as ScenarioMs,
    toMonotonic: (at) => (at + origin) as MonotonicMs,
  };
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
