// Log checks: lines of a service, read by the engine from its containers, from the scenario's t0.
//
// Window: with a phase prefix, that phase; without one, since the injection (the fault phase's
// start) to the end: a line logged in the warm-up or the baseline says nothing about the fault.
// Without a fault (a load test), the whole scenario.
//
// Evidence: the reader's view of the window. A check that would pass on silence (`not contains`,
// `count(...) < N`) stands only on lines read; a check that looks for a line fails on silence,
// which is a finding as long as the reader covered the window. Lines dropped at the reader's
// limit make the start of its window blind. A line found that the service also logged in the
// baseline is said so in the detail; `... more often than baseline` asks that it be logged more
// often (per second) than in the baseline phase, which then must have been read too.
import { compileLogPattern } from '../log-pattern';
import type { LogLine, ScenarioObservations } from '../observations';
import { compare, type Threshold } from '../thresholds';
import { lookup, phaseWindow, unknown, type Evidence, type Verdict } from './evidence';

export type LogThreshold = Extract<
  Threshold,
  { kind: 'log_contains' | 'log_matches' | 'log_count' | 'log_backoff' }
>;

const perSecond = (n: number, ms: number): string =>
  `${Math.round((n / Math.max(ms, 1)) * 1000 * 100) / 100}/s`;

function limitOf(t: LogThreshold): string {
  const more = 'moreThanBaseline' in t && t.moreThanBaseline ? ' more often than baseline' : '';
  switch (t.kind) {
    case 'log_contains':
      return `${t.negate ? 'not ' : ''}contains "${t.text}"${more}`;
    case 'log_matches':
      return `${t.negate ? 'not ' : ''}matches /${t.pattern}/${t.flags}${more}`;
    case 'log_count':
      return `count ${t.op} ${t.value}`;
    case 'log_backoff':
      return 'growing retry delays';
  }
}

/** How a log threshold recognises a line. */
function matcherOf(t: LogThreshold): {
  test: (line: string) => boolean;
  exec: (line: string) => string | null;
} {
  const pattern = t.kind === 'log_contains' || (t.kind === 'log_count' && t.text !== null) ? null : t.pattern;
  if (pattern === null) {
    const text = t.kind === 'log_contains' ? t.text : ((t as { text: string }).text ?? '');
    return { test: (line) => line.includes(text), exec: () => null };
  }
  const re = compileLogPattern(pattern, (t as { flags: string }).flags);
  return { test: (line) => re.test(line), exec: (line) => re.exec(line)?.[1] ?? null };
}

function within(lines: readonly LogLine[], fromMs: number, toMs: number): LogLine[] {
  return lines.filter((l) => l.atMs === null || (l.atMs >= fromMs && l.atMs < toMs));
}

export function evalLog(t: LogThreshold, obs: ScenarioObservations): Verdict {
  const limit = limitOf(t);
  const all = lookup(obs.logs, obs, t.service);
  const read = lookup(obs.logCoverage, obs, t.service);
  if (!all || !read) return unknown(limit, `logs of ${t.service} were not collected`);
  const window = phaseWindow(obs, t.phase);
  if (t.phase !== null && !window) return unknown(limit, `the ${t.phase} phase was not observed`);
  const fromMs = window?.startMs ?? obs.faultStartMs ?? 0;
  const toMs = window?.endMs ?? obs.endMs;
  const where =
    t.phase !== null
      ? `the ${t.phase} phase`
      : obs.faultStartMs !== null
        ? 'the scenario since the fault'
        : 'the scenario';
  const lines = within(all, fromMs, toMs);
  const matcher = matcherOf(t);
  const hits = lines.filter((l) => matcher.test(l.line));
  const example = hits[0] ? { detail: hits[0].line.slice(0, 300) } : {};
  // A check that would pass on silence ("not contains", "count < N") stands only on lines read:
  // with none, the service may have logged elsewhere or not at all. A check that looks for a
  // line fails on silence, which is a finding as long as the reader covered the window.
  const passesOnSilence =
    t.kind === 'log_contains' || t.kind === 'log_matches'
      ? t.negate
      : t.kind === 'log_count'
        ? compare(0, t.op, t.value)
        : false;
  const coverage = {
    fromMs: read.truncatedBeforeMs ?? read.fromMs,
    toMs: read.toMs,
    blind: [],
    problems: read.truncatedBeforeMs === null ? [] : ['older lines were dropped at the line limit'],
  };
  // The reader's view: lines dropped to the line limit make the start of its window blind.
  const evidence: Evidence = {
    count: passesOnSilence ? lines.length : 1,
    of: `log line of ${t.service} in ${where}`,
    seen: { probe: 'log', coverage, fromMs, toMs },
  };
  // The same lines in the baseline phase, to say whether a line found is the fault's doing.
  const baseline = obs.phases.baseline;
  const before = baseline
    ? within(all, baseline.startMs, baseline.endMs).filter((l) => l.atMs !== null && matcher.test(l.line))
    : null;
  const rates = (): string =>
    `${perSecond(hits.length, toMs - fromMs)} in ${where}, ${perSecond(before?.length ?? 0, (baseline?.endMs ?? 0) - (baseline?.startMs ?? 0))} in the baseline`;
  switch (t.kind) {
    case 'log_contains':
    case 'log_matches': {
      const found = hits.length > 0;
      const actual = found
        ? `${hits.length} matching line${hits.length === 1 ? '' : 's'}`
        : 'no matching line';
      if (t.moreThanBaseline) {
        if (!baseline || baseline.endMs <= baseline.startMs)
          return unknown(limit, 'the baseline phase was not observed: nothing to compare with');
        const sinceRate = hits.length / Math.max(toMs - fromMs, 1);
        const baselineRate = (before?.length ?? 0) / (baseline.endMs - baseline.startMs);
        return {
          passed: found && sinceRate > baselineRate,
          actual: `${actual} (${rates()})`,
          limit,
          value: hits.length,
          evidence: {
            ...evidence,
            seen: { probe: 'log', coverage, fromMs: Math.min(fromMs, baseline.startMs), toMs },
          },
          ...example,
        };
      }
      const alsoBefore =
        found && !t.negate && before && before.length > 0
          ? {
              detail: `also logged ${before.length} time${before.length === 1 ? '' : 's'} in the baseline, before the fault (${rates()}): ${hits[0].line.slice(0, 240)}`,
            }
          : {};
      return {
        passed: found !== t.negate,
        actual,
        limit,
        value: hits.length,
        evidence,
        ...example,
        ...alsoBefore,
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
      const delays = hits.map((l) => Number(matcher.exec(l.line))).filter((n) => Number.isFinite(n));
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
