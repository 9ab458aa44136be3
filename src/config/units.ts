// Values as people write them in scenario files: durations ("500ms", "2m30s"), rates ("50/s",
// "3000/m"), percentages ("1%"), sizes ("10MB"). Every parser throws UnitError with a message
// that says what was wrong and how to write it; callers add the file, line and field.
import { parseDuration } from './duration';

export class UnitError extends Error {}

/** The longest any duration in a scenario may be: a phase, a fault, a wait (24 h). */
export const MAX_DURATION_MS = 24 * 3_600_000;

function withinDay(ms: number, value: unknown): number {
  if (ms > MAX_DURATION_MS) {
    throw new UnitError(`${show(value)} is longer than 24h, the longest a scenario duration may be`);
  }
  return ms;
}

const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : String(v));

/**
 * A duration in milliseconds. Strings need a unit ("500ms", "10s", "2m", "1h", "2m30s");
 * a bare number is accepted only when `bareUnit` says what it means (k6 thresholds: ms) or it is 0.
 */
export function parseDurationValue(value: unknown, bareUnit: 'ms' | 's' | null = null): number {
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value))) {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new UnitError(`${show(value)} is not a duration ≥ 0`);
    if (n === 0) return 0;
    if (bareUnit === 'ms') return withinDay(n, value);
    if (bareUnit === 's') return withinDay(n * 1000, value);
    throw new UnitError(`${show(value)} needs a unit (write it like ${n}s or ${n}ms)`);
  }
  if (typeof value !== 'string')
    throw new UnitError(`expected a duration like 500ms, 10s or 2m, got ${show(value)}`);
  const text = value.trim();
  if (text.startsWith('-')) throw new UnitError(`"${value}" is negative; a duration must be ≥ 0`);
  let ms: number;
  try {
    ms = parseDuration(text, 'duration');
  } catch (error) {
    // Too long for a timer is still a duration: say so, not that it cannot be read.
    if (/longer than/.test((error as Error).message)) return withinDay(Infinity, value);
    throw new UnitError(`"${value}" is not a duration (write it like 500ms, 10s or 2m)`);
  }
  return withinDay(ms, value);
}

const RATE_UNIT_S: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/** An arrival rate in requests per second from "50/s", "3000/m", "10/h"; must be > 0. */
export function parseRate(value: unknown): number {
  if (typeof value === 'number') {
    throw new UnitError(`${value} needs a unit (write it like ${value}/s or ${value}/m)`);
  }
  if (typeof value !== 'string') throw new UnitError(`expected a rate like 50/s, got ${show(value)}`);
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*\/\s*([a-z]+)\s*$/.exec(value);
  if (!m || !(m[2] in RATE_UNIT_S)) {
    throw new UnitError(`"${value}" is not a rate (write it like 50/s or 3000/m)`);
  }
  const n = Number(m[1]);
  if (!(n > 0)) throw new UnitError(`"${value}" is not a rate > 0`);
  return n / RATE_UNIT_S[m[2]];
}

/**
 * A share as a ratio 0..1 from "1%", "0.5%" or a bare ratio (0.01). With `max100` (the default)
 * values above 100% are errors; regressions pass false to allow "150%".
 */
export function parsePercent(value: unknown, max100 = true): number {
  let ratio: number;
  if (typeof value === 'number') ratio = value;
  else if (typeof value === 'string') {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
    if (!m) throw new UnitError(`"${value}" is not a percentage (write it like 1% or 0.01)`);
    ratio = m[2] ? Number(m[1]) / 100 : Number(m[1]);
  } else throw new UnitError(`expected a percentage like 1%, got ${show(value)}`);
  if (ratio < 0) throw new UnitError(`${show(value)} is negative; a percentage must be ≥ 0%`);
  if (max100 && ratio > 1) {
    throw new UnitError(
      typeof value === 'string' && value.includes('%')
        ? `${show(value)} is over 100%`
        : `${show(value)} is over 1 (write a ratio 0..1 or a percentage like 1%)`,
    );
  }
  return ratio;
}

const SIZE_UNIT: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Bytes from "10MB", "512KiB", "1g" (binary units: 1MB = 1024 KB, as Docker's memory limits). */
export function parseSize(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
    throw new UnitError(`${value} is not a size in bytes`);
  }
  if (typeof value !== 'string') throw new UnitError(`expected a size like 10MB, got ${show(value)}`);
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = m?.[2].toLowerCase() ?? '';
  if (!m || !(unit === '' || unit in SIZE_UNIT)) {
    throw new UnitError(`"${value}" is not a size (write it like 512KB, 10MB or 1GB)`);
  }
  const n = Number(m[1]);
  if (n < 0) throw new UnitError(`"${value}" is negative; a size must be ≥ 0`);
  return Math.round(n * (unit ? SIZE_UNIT[unit] : 1));
}

/** A transfer rate in bytes per second from "1MB/s", "100KB" (per second implied). */
export function parseByteRate(value: unknown): number {
  const text = typeof value === 'string' ? value.replace(/\s*\/\s*s$/, '') : value;
  const bytes = parseSize(text);
  if (bytes <= 0) throw new UnitError(`${show(value)} is not a rate > 0`);
  return bytes;
}

/** Durations the way a scenario file writes them: 30s, 5m, 1h, 1m30s, 250ms. */
export function formatShortDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
