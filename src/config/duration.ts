// Durations and sizes as people write them in scenario files and flags
// ("500ms", "1.5s", "5m", "1h", "2m30s"), parsed to milliseconds.

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(us|ms|s|m|h)/g;

export class DurationError extends Error {}

/**
 * The longest wait Node's timers make (2^31 - 1 ms, about 24.8 days): setTimeout turns a
 * longer one into 1 ms, so a phase written longer would be skipped, not waited for.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function withinTimer(ms: number, text: string | number, field: string): number {
  if (ms > MAX_TIMER_MS) {
    throw new DurationError(
      `${field}: ${JSON.stringify(text)} is longer than 24 days, the longest wait a timer can make`,
    );
  }
  return ms;
}

/** Parses "250ms", "10s", "2m30s" (a bare number means milliseconds) into milliseconds. */
export function parseDuration(text: string | number, field = 'duration'): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0)
      throw new DurationError(`${field}: ${text} is not a duration ≥ 0`);
    return withinTimer(text, text, field);
  }
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return withinTimer(Number(trimmed), text, field);
  if (trimmed === '' || trimmed.startsWith('-')) {
    throw new DurationError(`${field}: "${text}" is not a duration ≥ 0 (write it like 500ms, 10s or 2m)`);
  }
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(PART)) {
    if (match.index !== consumed) break;
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed += match[0].length;
  }
  if (consumed !== trimmed.length || consumed === 0) {
    throw new DurationError(`${field}: "${text}" is not a duration (write it like 500ms, 10s or 2m)`);
  }
  return withinTimer(total, text, field);
}

/** Formats milliseconds the short way a report shows them: 850ms, 1.2s, 2m05s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0s';
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}
