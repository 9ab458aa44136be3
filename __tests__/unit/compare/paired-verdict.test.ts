// Regression thresholds judged on a paired base (as intervals), the comparison block, the
// rendezvous of the two sides, and what the reports show of it.
import { binsOf } from '../../../src/compare';
import type { LatencyBins, PhaseName, PhaseStats, RunResult, ScenarioResult } from '../../../src/results';
import { renderReport } from '../../../src/report/markdown';
import { renderTerminalTable } from '../../../src/report/terminal';
import { comparisonLimits, scenarioComparison } from '../../../src/scenario/comparison';
import {
  emptyObservations,
  type PairedBaseObservation,
  type ScenarioObservations,
  type SecondSample,
} from '../../../src/scenario/observations';
import { Rendezvous } from '../../../src/scenario/paired';
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import { decideOutcome, evaluateThresholds } from '../../../src/scenario/verdict';

const where = { file: 's.yml', line: 7 };

/** n latencies around `ms`, spread ±30 % evenly, as µs; cut into seconds of 100 requests. */
function side(
  n: number,
  ms: number,
  startMs = 10_000,
): { stats: PhaseStats; bins: LatencyBins; seconds: SecondSample[] } {
  const values = Array.from({ length: n }, (_, i) =>
    Math.round(ms * 1000 * (0.7 + (0.6 * ((i * 7919) % n)) / n)),
  );
  const seconds: SecondSample[] = [];
  for (let s = 0; s * 100 < n; s++) {
    const part = values.slice(s * 100, s * 100 + 100);
    seconds.push({ second: startMs / 1000 + s, scheduled: part.length, errors: 0, bins: binsOf(part) });
  }
  const bins = binsOf(values);
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.max(0, Math.ceil(p * n) - 1)] / 1000;
  const stats = {
    phase: 'fault' as PhaseName,
    startMs,
    endMs: startMs + (n / 100) * 1000,
    scheduled: n,
    timed: n,
    completed: n,
    targetRate: 100,
    achievedRate: 100,
    errorRate: 0,
    errors: {},
    late: 0,
    meanMs: ms,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
    maxMs: sorted[n - 1] / 1000,
  };
  return { stats, bins, seconds };
}

function observed(
  pr: ReturnType<typeof side> | null,
  base: ReturnType<typeof side> | null,
): ScenarioObservations {
  const obs = emptyObservations();
  if (pr) {
    obs.phases.fault = pr.stats;
    obs.latencyBins = { fault: pr.bins };
    obs.secondBins = pr.seconds;
  }
  const pairedBase: PairedBaseObservation = {
    project: 'p-base',
    composeFiles: ['base/docker-compose.yml'],
    phases: base ? { fault: base.stats } : {},
    latencyBins: base ? { fault: base.bins } : {},
    timeline: [],
    secondBins: base?.seconds ?? [],
    mode: 'concurrent',
    problem: null,
  };
  obs.pairedBase = pairedBase;
  return obs;
}

const judge = (text: string, obs: ScenarioObservations) =>
  evaluateThresholds([parseThreshold(text, where)], obs)[0];

describe('regression thresholds on a paired base', () => {
  it('violated only when the whole interval is beyond the limit, with the interval shown', () => {
    const r = judge('fault: p95 regression < 20%', observed(side(3000, 5), side(3000, 2.7)));
    expect(r.passed).toBe(false);
    expect(r.actual).toMatch(/^\+\d+ % \[\+\d+ %, \+\d+ %\]$/);
    expect(r.value).toBeGreaterThan(0.5);
    expect(r.detail).toMatch(
      /95 % interval against the paired base \(base \d+(\.\d+)?ms → PR \d+(\.\d+)?ms\)/,
    );
    expect(decideOutcome([r], { steadyStateBeforeOk: true, faultEffective: true }).outcome).toBe('fail');
  });

  it('passes when the whole interval is within the limit', () => {
    const r = judge('fault: p95 regression < 20%', observed(side(3000, 2.7), side(3000, 2.7)));
    expect(r.passed).toBe(true);
    expect(r.actual).toMatch(/^±0\.0 % \[−\d+(\.\d)? %, \+\d+(\.\d)? %\]$/);
  });

  it('is inconclusive when the interval straddles the limit, and says why in one line', () => {
    // 200 requests a side, counted as independent (no seconds): +22 % [+19 %, +25 %].
    const obs = observed(side(200, 3.3), side(200, 2.7));
    obs.secondBins = [];
    (obs.pairedBase as PairedBaseObservation).secondBins = [];
    const r = judge('fault: p95 regression < 20%', obs);
    expect(r.passed).toBeNull();
    expect(r.detail).toMatch(/^inconclusive: fault p95 \+\d+ % \[[^\]]+\] straddles the limit \(< 20%\)/);
    expect(r.detail).not.toContain('\n');
    expect(decideOutcome([r], { steadyStateBeforeOk: true, faultEffective: true }).outcome).toBe(
      'inconclusive',
    );
  });

  it('is inconclusive, never a pass, when a side has no samples in the phase', () => {
    const noBase = judge('fault: p95 regression < 20%', observed(side(3000, 2.7), null));
    expect(noBase).toMatchObject({
      passed: null,
      detail: 'paired base: no request was sent on the base side',
    });
    const noPr = judge('fault: p95 regression < 20%', observed(null, side(3000, 2.7)));
    expect(noPr.passed).toBeNull();
    const max = judge('fault: max regression < 20%', observed(side(3000, 2.7), side(3000, 2.7)));
    expect(max).toMatchObject({ passed: null, detail: expect.stringContaining('max rests on one request') });
  });

  it('is inconclusive on a phase of fewer than 10 seconds of load, however clear it looks', () => {
    const r = judge('fault: p95 regression < 20%', observed(side(900, 6), side(900, 2.7)));
    expect(r).toMatchObject({
      passed: null,
      detail: 'paired base: only 9 s of load: too few seconds to tell a stall from a change (at least 10 s)',
    });
  });

  it('error rates regress in percentage points', () => {
    const pr = side(3000, 2.7);
    pr.stats.errorRate = 0.05;
    pr.seconds.forEach((s) => (s.errors = 5));
    const r = judge('fault: error_rate regression < 1%', observed(pr, side(3000, 2.7)));
    expect(r.passed).toBe(false);
    expect(r.actual).toMatch(/^\+5\.0 pp \[\+\d\.\d pp, \+\d\.\d pp\]$/);
  });

  it('without a paired base, baseline-results are compared as points, as before', () => {
    const obs = observed(side(3000, 3), null);
    obs.pairedBase = null;
    obs.baseline = { fault: side(3000, 2.7).stats };
    const r = judge('fault: p95 regression < 20%', obs);
    expect(r.passed).toBe(true);
    expect(r.actual).toMatch(/^\+\d+(\.\d+)?%$/);
  });
});

describe('the comparison block', () => {
  it('per phase PR against base, with the limits the scenario sets', () => {
    const thresholds = [parseThreshold('fault: p95 regression < 50%', where)];
    expect(comparisonLimits(thresholds)).toEqual({ p95: 0.5, p99: 0.2, errorRate: 0.01 });
    const c = scenarioComparison(thresholds, observed(side(3000, 5), side(3000, 2.7)));
    expect(c).toMatchObject({ mode: 'concurrent', confidence: 0.95, base: { project: 'p-base' } });
    expect(c?.phases.map((p) => [p.phase, p.verdict])).toEqual([['fault', 'regressed']]);
    expect(scenarioComparison([], { ...emptyObservations() })).toBeUndefined();
  });
});

describe('Rendezvous', () => {
  it('releases the PR side when the base side stops before its load (and hands over nothing)', async () => {
    const meet = new Rendezvous({ project: 'p-base', composeFiles: [] });
    const pr = meet.side('pr');
    const waiting = pr.beforeLoadStart();
    meet.leave('base', {
      outcome: 'inconclusive',
      reason: 'steady state did not hold before the fault',
    } as ScenarioResult);
    await waiting;
    const got = await pr.exchange({ phases: {}, latencyBins: {}, timeline: [], secondBins: [] });
    expect(got?.problem).toBe(
      'the base side measured nothing (inconclusive: steady state did not hold before the fault)',
    );
  });

  it('interleaved: gives both loads one start and opposite turns, unless the other side has left', async () => {
    const meet = new Rendezvous({ project: 'p-base', composeFiles: [] }, 'interleaved');
    const [pr, base] = await Promise.all([
      meet.side('pr').beforeLoadStart(),
      meet.side('base').beforeLoadStart(),
    ]);
    expect(pr).toEqual({ interleave: { slot: 0, startAtMs: expect.any(Number) } });
    expect(base).toEqual({
      interleave: { slot: 1, startAtMs: (pr as { interleave: { startAtMs: number } }).interleave.startAtMs },
    });

    const alone = new Rendezvous({ project: 'p-base', composeFiles: [] }, 'interleaved');
    alone.leave('base', null);
    expect(await alone.side('pr').beforeLoadStart()).toBeUndefined();
  });

  it('starts both loads together and hands the base samples to the PR side', async () => {
    const meet = new Rendezvous({ project: 'p-base', composeFiles: [] });
    const order: string[] = [];
    const pr = meet
      .side('pr')
      .beforeLoadStart()
      .then(() => order.push('pr'));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    await meet.side('base').beforeLoadStart();
    await pr;
    expect(order).toEqual(['pr']);
    const b = side(200, 3);
    expect(
      await meet
        .side('base')
        .exchange({ phases: { fault: b.stats }, latencyBins: {}, timeline: [], secondBins: [] }),
    ).toBeNull();
    const got = await meet.side('pr').exchange({ phases: {}, latencyBins: {}, timeline: [], secondBins: [] });
    expect(got).toMatchObject({
      project: 'p-base',
      problem: null,
      mode: 'concurrent',
      phases: { fault: b.stats },
    });
  });
});

describe('reports', () => {
  it('show PR and base side by side, the verdict word and a VS BASE column', () => {
    const obs = observed(side(3000, 5), side(3000, 2.7));
    const scenario: ScenarioResult = {
      name: 'load-test',
      title: 'Load test',
      hypothesis: 'h',
      file: 'load-test.yml',
      outcome: 'pass',
      reason: '',
      startedAt: new Date(0).toISOString(),
      durationMs: 40_000,
      phases: [obs.phases.fault as PhaseStats],
      timeline: [10, 11, 12].map((second) => ({
        second,
        phase: 'fault',
        scheduled: 100,
        completed: 100,
        p95Ms: 5,
        errorRate: 0,
      })),
      faultWindow: null,
      thresholds: [],
      fault: null,
      recoveryTimeMs: null,
      logMatches: [],
      generatorLimited: false,
      notes: [],
      comparison: {
        ...scenarioComparison([], obs)!,
        baseTimeline: [10, 11, 12].map((second) => ({
          second,
          phase: 'fault',
          scheduled: 100,
          completed: 100,
          p95Ms: 2.7,
          errorRate: 0,
        })),
      },
    };
    const run = {
      schemaVersion: 1,
      tool: { name: 'chaos-action', version: '0' },
      startedAt: '',
      finishedAt: '',
      durationMs: 1,
      suite: 'custom',
      composeFiles: [],
      project: 'p',
      commit: null,
      runUrl: null,
      outcome: 'pass',
      violations: 0,
      skipped: 0,
      scenarios: [scenario],
    } as RunResult;
    const table = renderTerminalTable(run);
    expect(table).toMatch(/VS BASE/);
    expect(table).toMatch(/regressed: fault p95 \+\d+ % \[\+\d+ %, \+\d+ %\]/);
    const md = renderReport(run);
    expect(md).toContain('**PR vs base**');
    expect(md).toMatch(
      /\| ⚡ fault \| 3000 \/ 3000 \| [\d.]+ ?ms \/ [\d.]+ ?ms \| \\\+\d+ % \\\[\\\+\d+ %, \\\+\d+ %\\\] \|/,
    );
    expect(md).toContain('🔺 regressed');
    // The floor this run's own intervals give, next to each comparison: p95 and p99 relative,
    // errors in points.
    expect(md).toContain('Floor p95 / p99 / errors');
    expect(md).toMatch(/\| ±[\d.]+% \/ (±[\d.]+%|—) \/ ±[\d.]+ pp \| 🔺 regressed \|/);
    expect(md).toMatch(/line \[5, 5, 5\]\n {2}line \[2\.7, 2\.7, 2\.7\]/);
    // Without a comparison nothing of it shows.
    const plain = { ...run, scenarios: [{ ...scenario, comparison: undefined }] };
    expect(renderTerminalTable(plain)).not.toMatch(/VS BASE/);
    expect(renderReport(plain)).not.toContain('PR vs base');
  });
});
