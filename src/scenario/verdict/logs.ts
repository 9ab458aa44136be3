// Log checks: lines of a service, read by the engine from its containers.
//
// Evidence: the reader's view of the window. A check that would pass on silence (`not contains`,
// `count(...) < N`) stands only on lines read; a check that looks for a line fails on silence,
// which is a finding as long as the reader covered the window. Lines dropped at the reader's
// limit make the start of its window blind.
import { compileLogPattern } from '../log-pattern';
import type { ScenarioObservations } from '../observations';
import { compare, type Threshold } from '../thresholds';
import { lookup, phaseWindow, unknown, type Evidence, type Verdict } from './evidence';

export type LogThreshold = Extract<
  Threshold,
  { kind: 'log_contains' | 'log_matches' | 'log_count' | 'log_backoff' }
>;

export function evalLog(t: LogThreshold, obs: ScenarioObservations): Verdict {
  const limit =
    t.kind === 'log_contains'
      ? `${t.negate ? 'not ' : ''}contains "${t.text}"`
      : t.kind === 'log_matches'
        ? `${t.negate ? 'not ' : ''}matches /${t.pattern}/${t.flags}`
        : t.kind === 'log_count'
          ? `count ${t.op} ${t.value}`
          : 'growing retry delays';
  const all = lookup(obs.logs, obs, t.service);
  const read = lookup(obs.logCoverage, obs, t.service);
  if (!all || !read) return unknown(limit, `logs of ${t.service} were not collected`);
  const window = phaseWindow(obs, t.phase);
  if (t.phase !== null && !window) return unknown(limit, `the ${t.phase} phase was not observed`);
  const fromMs = window?.startMs ?? 0;
  const toMs = window?.endMs ?? obs.endMs;
  const lines = window
    ? all.filter((l) => l.atMs === null || (l.atMs >= window.startMs && l.atMs < window.endMs))
    : all;
  const re =
    t.kind === 'log_contains' || (t.kind === 'log_count' && t.text !== null)
      ? null
      : compileLogPattern((t as { pattern: string }).pattern, (t as { flags: string }).flags);
  const text = t.kind === 'log_contains' ? t.text : t.kind === 'log_count' ? t.text : null;
  const hits = lines.filter((l) => (re ? re.test(l.line) : l.line.includes(text ?? '')));
  const example = hits[0] ? { detail: hits[0].line.slice(0, 300) } : {};
  const where = t.phase === null ? 'the scenario' : `the ${t.phase} phase`;
  // A check that would pass on silence ("not contains", "count < N") stands only on lines read:
  // with none, the service may have logged elsewhere or not at all. A check that looks for a
  // line fails on silence, which is a finding as long as the reader covered the window.
  const passesOnSilence =
    t.kind === 'log_contains' || t.kind === 'log_matches'
      ? t.negate
      : t.kind === 'log_count'
        ? compare(0, t.op, t.value)
        : false;
  // The reader's view: lines dropped to the line limit make the start of its window blind.
  const evidence: Evidence = {
    count: passesOnSilence ? lines.length : 1,
    of: `log line of ${t.service} in ${where}`,
    seen: {
      probe: 'log',
      coverage: {
        fromMs: read.truncatedBeforeMs ?? read.fromMs,
        toMs: read.toMs,
        blind: [],
        problems: read.truncatedBeforeMs === null ? [] : ['older lines were dropped at the line limit'],
      },
      fromMs,
      toMs,
    },
  };
  switch (t.kind) {
    case 'log_contains':
    case 'log_matches': {
      const found = hits.length > 0;
      return {
        passed: found !== t.negate,
        actual: found ? `${hits.length} matching line${hits.length === 1 ? '' : 's'}` : 'no matching line',
        limit,
        value: hits.length,
        evidence,
        ...example,
      };
    }
    case 'log_count':
      return {
        passed: compare(hits.length, t.op, t.value),
        actual: String(hits.length),
        limit,
        value: hits.length,
        evidence,
      };
    case 'log_backoff': {
      const delays = hits.map((l) => Number(re?.exec(l.line)?.[1])).filter((n) => Number.isFinite(n));
      if (delays.length < 2) {
        return {
          passed: false,
          actual: `${delays.length} retry line${delays.length === 1 ? '' : 's'}`,
          limit,
          value: 0,
          evidence,
        };
      }
      const growing = delays.slice(1).filter((d, i) => d > delays[i]).length;
      const shown = delays.slice(0, 8).join(' → ') + (delays.length > 8 ? ' …' : '');
      return { passed: growing > 0, actual: `delays ${shown}`, limit, value: growing, evidence, ...example };
    }
  }
}
