// Log checks without a phase read the lines since the injection, as docs/scenarios.md says: a
// line from the warm-up or the baseline proves nothing about the fault. A line the service also
// logged before the fault is said so; `more often than baseline` makes the claim a comparison.
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import { ConfigError } from '../../../src/config/errors';
import type { PhaseName, PhaseStats } from '../../../src/results';
import { emptyObservations, type ScenarioObservations } from '../../../src/scenario/observations';
import { evaluateThresholds } from '../../../src/scenario/verdict';
import { scenarioMs as ms } from '../../../src/util/clock';

const where = { file: 's.yml', line: 7 };
const phase = (name: PhaseName, startMs: number, endMs: number): PhaseStats => ({
  ...{ phase: name, startMs, endMs, scheduled: 100, timed: 100, completed: 100, targetRate: 10 },
  ...{ achievedRate: 10, errorRate: 0, errors: {}, late: 0, meanMs: 5, p50Ms: 5, p90Ms: 5 },
  ...{ p95Ms: 5, p99Ms: 5, maxMs: 5 },
});

/** Warm-up 0–5 s, baseline 5–15 s, fault 15–35 s, recovery 35–40 s, after 40–50 s. */
function observations(lines: [number, string][]): ScenarioObservations {
  const obs = emptyObservations();
  obs.services = { api: 'fraud-api' };
  obs.phases = {
    warmup: phase('warmup', 0, 5000),
    baseline: phase('baseline', 5000, 15_000),
    fault: phase('fault', 15_000, 35_000),
    recovery: phase('recovery', 35_000, 40_000),
    after: phase('after', 40_000, 50_000),
  };
  obs.faultStartMs = ms(15_000);
  obs.faultEndMs = ms(35_000);
  obs.endMs = ms(50_000);
  obs.logs = { 'fraud-api': lines.map(([atMs, line]) => ({ atMs: ms(atMs), line })) };
  obs.logCoverage = { 'fraud-api': { fromMs: ms(0), toMs: ms(50_000), truncatedBeforeMs: null } };
  return obs;
}

const judge = (text: string, obs: ScenarioObservations) =>
  evaluateThresholds([parseThreshold(text, where)], obs)[0];

describe('log checks without a phase', () => {
  it('do not count a line logged only in the warm-up or the baseline', () => {
    const obs = observations([
      [1000, 'INFO Cache miss: feature:1:avg_amount (using default)'],
      [9000, 'INFO Cache miss: feature:1:avg_amount (using default)'],
      [20_000, 'INFO request ok'],
    ]);
    expect(judge('log api contains "Cache miss"', obs)).toMatchObject({
      passed: false,
      actual: 'no matching line',
    });
    // A phase prefix still reads its phase.
    expect(judge('baseline: log api contains "Cache miss"', obs).passed).toBe(true);
  });

  it('count the lines since the injection, through recovery and after', () => {
    const obs = observations([
      [9000, 'WARN retry'],
      [16_000, 'WARN retry'],
      [38_000, 'WARN retry'],
      [45_000, 'WARN retry'],
    ]);
    expect(judge('log api count("retry") <= 2', obs)).toMatchObject({ passed: false, value: 3 });
  });

  it('say when a line found was logged before the fault too, with both rates', () => {
    const obs = observations([
      [6000, 'INFO Cache miss: a'],
      [8000, 'INFO Cache miss: b'],
      [20_000, 'INFO Cache miss: c'],
    ]);
    const r = judge('log api contains "Cache miss"', obs);
    expect(r.passed).toBe(true);
    expect(r.detail).toMatch(
      /^also logged 2 times in the baseline, before the fault \(0\.03\/s in the scenario since the fault, 0\.2\/s in the baseline\)/,
    );
  });
});

describe('`more often than baseline`', () => {
  it('fails when the line comes no more often than before the fault, passes when it does', () => {
    const steady = observations([
      ...Array.from({ length: 10 }, (_, i): [number, string] => [5000 + i * 1000, 'INFO Cache miss']),
      ...Array.from({ length: 35 }, (_, i): [number, string] => [15_000 + i * 1000, 'INFO Cache miss']),
    ]);
    expect(judge('log api contains "Cache miss" more often than baseline', steady)).toMatchObject({
      passed: false,
      actual: '35 matching lines (1/s in the scenario since the fault, 1/s in the baseline)',
      limit: 'contains "Cache miss" more often than baseline',
    });
    const more = observations([
      [6000, 'INFO Cache miss'],
      ...Array.from({ length: 35 }, (_, i): [number, string] => [15_000 + i * 1000, 'INFO Cache miss']),
    ]);
    expect(judge('log api matches /Cache miss/ more often than baseline', more).passed).toBe(true);
  });

  it('is refused with "not" and on the baseline itself', () => {
    expect(() => parseThreshold('log api not contains "x" more often than baseline', where)).toThrow(
      ConfigError,
    );
    expect(() => parseThreshold('baseline: log api contains "x" more often than baseline', where)).toThrow(
      /not on the baseline phase/,
    );
  });
});
