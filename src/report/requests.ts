// Each request of a scenario's mix over its phases, as every output shows it: the terminal's
// per-request rows, the comment's collapsed table and JUnit's system-out. Pure. A scenario that
// sent one request has none: its figures are the phases' own.
import { PHASE_ORDER, type PhaseName, type RequestStats, type ScenarioResult } from '../results';
import { fmtMs, fmtPct } from './format';

export interface RequestPhase {
  phase: PhaseName;
  stats: RequestStats;
}

export interface RequestFigures {
  name: string;
  /** Its phases in run order (the warm-up left out, as in the run's totals). */
  phases: RequestPhase[];
}

/** The mix's requests, in the mix's order, each with its figures per phase; [] for a single request. */
export function requestFigures(s: ScenarioResult): RequestFigures[] {
  const phases = [...s.phases]
    .filter((p) => p.phase !== 'warmup' && p.requests?.length)
    .sort((a, b) => PHASE_ORDER.indexOf(a.phase) - PHASE_ORDER.indexOf(b.phase));
  const names = s.requests?.map((r) => r.name) ?? phases[0]?.requests?.map((r) => r.name) ?? [];
  if (names.length < 2) return [];
  return names.map((name) => ({
    name,
    phases: phases.flatMap((p) => {
      const stats = p.requests?.find((r) => r.name === name);
      return stats ? [{ phase: p.phase, stats }] : [];
    }),
  }));
}

/** One line per request and phase: `predict fault: 300 sent, 2 errors (0.67%), p50 4ms p95 9ms p99 12ms`. */
export function requestLines(s: ScenarioResult): string[] {
  return requestFigures(s).flatMap((request) =>
    request.phases.map(({ phase, stats }) => {
      const errors = Object.values(stats.errors).reduce((a, b) => a + b, 0);
      return (
        `${request.name} ${phase}: ${stats.scheduled} sent, ${errors} errors (${fmtPct(stats.errorRate)}), ` +
        `p50 ${fmtMs(stats.p50Ms)} p95 ${fmtMs(stats.p95Ms)} p99 ${fmtMs(stats.p99Ms)}`
      );
    }),
  );
}
