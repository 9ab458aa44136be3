// Number and label formatting shared by the renderers. Pure.
import type { Outcome, PhaseName, PhaseStats, ScenarioResult, ThresholdResult } from '../results';

export const OUTCOME_SYMBOL: Record<Outcome, string> = {
  pass: '✅',
  fail: '❌',
  inconclusive: '⚠️',
  error: '💥',
  skipped: '⏭',
};

export const OUTCOME_LABEL: Record<Outcome, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  inconclusive: '⚠️ inconclusive',
  error: '💥 error',
  skipped: '⏭ skipped',
};

/** ✓ passed, ✗ violated, ? not evaluated. */
export function thresholdMark(passed: boolean | null): string {
  return passed === true ? '✓' : passed === false ? '✗' : '?';
}

/** A violated warning threshold: reported, never failing. */
export const WARNING_MARK = '⚠';

/** thresholdMark, with ⚠ for a violated warning. */
export function thresholdResultMark(t: Pick<ThresholdResult, 'passed' | 'severity'>): string {
  return t.passed === false && t.severity === 'warning' ? WARNING_MARK : thresholdMark(t.passed);
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** 0.4ms, 12.5ms, 612ms, 1234ms, 12.3s; "—" for null. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${trimZeros((ms / 1000).toFixed(1))}s`;
  if (ms >= 100) return `${Math.round(ms)}ms`;
  if (ms >= 10) return `${trimZeros(ms.toFixed(1))}ms`;
  return `${trimZeros(ms.toFixed(2))}ms`;
}

/** Seconds with one decimal for durations such as recovery time: 850ms, 3.2s, 1m 5s; "—" for null. */
export function fmtSeconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)}ms`;
  if (Math.abs(ms) < 60_000) return `${trimZeros((ms / 1000).toFixed(1))}s`;
  return fmtDuration(ms);
}

/** An offset from t0 in seconds: 0s, 25s, 12.5s. */
export function fmtOffset(ms: number): string {
  return `${trimZeros((ms / 1000).toFixed(1))}s`;
}

/** A 0..1 ratio as a percentage: 0%, 0.32%, 4.1%, 100%. */
export function fmtPct(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  if (pct === 0) return '0%';
  if (Math.abs(pct) >= 10) return `${trimZeros(pct.toFixed(1))}%`;
  if (Math.abs(pct) >= 0.01) return `${trimZeros(pct.toFixed(2))}%`;
  return '<0.01%';
}

/** A signed relative change: +32%, -4.5%, ±0%. */
export function fmtChange(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—';
  if (ratio === 0) return '±0%';
  const s = fmtPct(Math.abs(ratio));
  return `${ratio > 0 ? '+' : '-'}${s}`;
}

/** A signed difference of two ratios, in percentage points: +3.2 pp. */
export function fmtPp(diff: number | null): string {
  if (diff === null || !Number.isFinite(diff)) return '—';
  if (diff === 0) return '±0 pp';
  const pp = Math.abs(diff * 100);
  const s = pp >= 10 ? pp.toFixed(1) : pp >= 0.01 ? pp.toFixed(2) : '<0.01';
  return `${diff > 0 ? '+' : '-'}${trimZeros(s)} pp`;
}

/** 950ms, 42s, 6m 12s, 1h 3m. */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function fmtRate(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  return r >= 100 ? `${Math.round(r)}` : trimZeros(r.toFixed(1));
}

export function shortSha(sha: string | null): string | null {
  return sha ? sha.slice(0, 7) : null;
}

export function phaseOf(s: ScenarioResult, phase: PhaseName): PhaseStats | undefined {
  return s.phases.find((p) => p.phase === phase);
}

const NEGATION: Array<[RegExp, string, string]> = [
  [/^<=\s*(.+)$/, '>', '>'],
  [/^>=\s*(.+)$/, '<', '<'],
  [/^<\s*(.+)$/, '>', '='],
  [/^>\s*(.+)$/, '<', '='],
  [/^==?\s*(.+)$/, '≠', '≠'],
  [/^!=\s*(.+)$/, '=', '='],
];

/**
 * A violated threshold in one phrase, actual against limit: `fault p95 612ms > 500ms`.
 * Limits that are not a comparison ("fires within 5m") read `metric: actual (expected fires within 5m)`.
 */
export function describeViolation(t: ThresholdResult): string {
  const subject = [t.phase, t.metric].filter(Boolean).join(' ');
  const limit = t.limit.trim();
  if (t.passed === null) return `${subject}: not evaluated${t.actual ? ` (${t.actual})` : ''}`;
  for (const [re, op, opIfEqual] of NEGATION) {
    const m = re.exec(limit);
    if (m) {
      const bound = m[1].trim();
      return `${subject} ${t.actual} ${t.actual.trim() === bound ? opIfEqual : op} ${bound}`;
    }
  }
  return `${subject}: ${t.actual} (expected ${limit})`;
}
