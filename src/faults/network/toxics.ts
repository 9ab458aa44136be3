// Toxics as data and the arithmetic the proxy applies (pure; Toxiproxy's toxics as the model).
import type { ToxicDirection } from '../spec';

export type Toxic =
  | { type: 'latency'; delayMs: number; jitterMs: number }
  | { type: 'bandwidth'; rateBytesPerSecond: number }
  | { type: 'stall'; timeoutMs: number }
  | { type: 'reset_peer'; resetAfterMs: number }
  | { type: 'down' };

export interface ToxicEntry {
  id: string;
  toxic: Toxic;
  direction: ToxicDirection;
  /** Share of connections affected, 0..1, decided once per connection. */
  toxicity: number;
  /** Only connections from these client addresses; null = every client of the route. */
  sources: ReadonlySet<string> | null;
}

/** One stream direction: downstream = target → client (replies), upstream = client → target. */
export type Flow = 'downstream' | 'upstream';

export function appliesToFlow(direction: ToxicDirection, flow: Flow): boolean {
  return direction === 'both' || direction === flow;
}

/** Per connection, a toxic applies when a roll in [0,1) falls under its toxicity. */
export function rollToxicity(toxicity: number, roll: number): boolean {
  if (toxicity >= 1) return true;
  if (toxicity <= 0) return false;
  return roll < toxicity;
}

/** Delay for one chunk: delay ± jitter (uniform), never negative. `random` is in [0,1). */
export function latencyMs(delayMs: number, jitterMs: number, random: number): number {
  return Math.max(0, delayMs + (random * 2 - 1) * jitterMs);
}

/** How long `bytes` take at `rate` bytes per second. */
export function transmitMs(bytes: number, rateBytesPerSecond: number): number {
  if (rateBytesPerSecond <= 0) return Infinity;
  return (bytes / rateBytesPerSecond) * 1000;
}

/**
 * Splits a chunk so a rate limit paces it smoothly: slices of about 1/20 s worth of bytes
 * (at least 1), as Toxiproxy's bandwidth toxic sleeps per slice rather than per chunk.
 */
export function bandwidthSlices(length: number, rateBytesPerSecond: number): number[] {
  const slice = Math.max(1, Math.floor(rateBytesPerSecond / 20));
  const sizes: number[] = [];
  for (let offset = 0; offset < length; offset += slice) sizes.push(Math.min(slice, length - offset));
  return sizes;
}

/**
 * When a chunk that arrived at `arrivedAtMs` may leave under a latency toxic: delays are
 * counted from arrival (pipelined, as Toxiproxy), and chunks never overtake each other.
 */
export function releaseAtMs(arrivedAtMs: number, delayMs: number, previousReleaseMs: number): number {
  return Math.max(arrivedAtMs + delayMs, previousReleaseMs);
}

/** The round-trip delay a latency toxic adds in the worst case for a request/reply exchange. */
export function expectedRoundTripDelayMs(
  toxic: { delayMs: number; jitterMs: number },
  direction: ToxicDirection,
): number {
  const legs = direction === 'both' ? 2 : 1;
  return legs * Math.max(0, toxic.delayMs - toxic.jitterMs);
}
