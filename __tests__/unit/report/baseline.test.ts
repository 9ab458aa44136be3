import { compareScenario, compareToBaseline, regressionOf } from '../../../src/report/markdown';
import { buildRun, buildScenario, failingScenario } from '../../helpers/sample-results';

describe('compareToBaseline', () => {
  const baseline = buildRun(
    [
      buildScenario(
        { name: 'api', p95: { fault: 400 }, errorRate: { fault: 0.01 } },
        { recoveryTimeMs: 2000 },
      ),
      buildScenario({ name: 'gone' }),
    ],
    { commit: 'abc1234' },
  );
  const current = buildRun([
    failingScenario('api', { recoveryTimeMs: 3000 }),
    buildScenario({ name: 'new' }),
  ]);

  it('matches scenarios by name and computes fault-phase deltas', () => {
    const cmp = compareToBaseline(current, baseline);
    expect(cmp.baselineCommit).toBe('abc1234');
    expect(cmp.missingInCurrent).toEqual(['gone']);
    expect(cmp.scenarios.map((d) => d.name)).toEqual(['api', 'new']);
    const api = cmp.scenarios[0];
    expect(api.baselineOutcome).toBe('pass');
    expect(api.currentOutcome).toBe('fail');
    expect(api.fault).not.toBeNull();
    expect(api.fault!.p95Change).toBeCloseTo((612 - 400) / 400, 10);
    expect(api.fault!.errorRateDelta).toBeCloseTo(0.022, 10);
    expect(api.recoveryDeltaMs).toBe(1000);
    expect(api.phases.map((p) => p.phase)).toEqual(['warmup', 'baseline', 'fault', 'recovery', 'after']);
    expect(api.phases[1].p95Change).toBe(0);
    const fresh = cmp.scenarios[1];
    expect(fresh.baselineOutcome).toBeNull();
    expect(fresh.fault).toBeNull();
    expect(fresh.phases[2].p95Change).toBeNull();
  });

  it('gives null, not a number, when a figure is missing or the baseline is zero', () => {
    const d = compareScenario(
      buildScenario({ p95: { fault: null } }),
      buildScenario({ p95: { baseline: 0 } }),
    );
    expect(d.phases.find((p) => p.phase === 'fault')!.p95Change).toBeNull();
    expect(d.phases.find((p) => p.phase === 'baseline')!.p95Change).toBeNull();
  });
});

describe('regressionOf (for thresholds such as `p95 regression < 20%`)', () => {
  const base = buildScenario(
    { p95: { fault: 500, recovery: 100 }, errorRate: { fault: 0.01 } },
    { recoveryTimeMs: 4000 },
  );
  const cur = buildScenario(
    { p95: { fault: 650, recovery: 90 }, errorRate: { fault: 0.025 } },
    { recoveryTimeMs: 5000 },
  );

  it('p95: relative change of the phase (fault by default)', () => {
    expect(regressionOf(cur, base, 'p95')).toBeCloseTo(0.3, 10);
    expect(regressionOf(cur, base, 'p95', 'recovery')).toBeCloseTo(-0.1, 10);
    expect(regressionOf(cur, base, 'p95')! < 0.2).toBe(false); // 30% > 20%: the gate fails
  });

  it('error_rate: difference of ratios; recovery_time: relative change', () => {
    expect(regressionOf(cur, base, 'error_rate')).toBeCloseTo(0.015, 10);
    expect(regressionOf(cur, base, 'recovery_time')).toBeCloseTo(0.25, 10);
    expect(regressionOf(cur, base, 'p99')).toBeCloseTo(0.3, 2);
  });

  it('null without a baseline scenario or phase (inconclusive, not passed)', () => {
    expect(regressionOf(cur, null, 'p95')).toBeNull();
    expect(regressionOf(cur, undefined, 'p95')).toBeNull();
    expect(regressionOf(cur, { ...base, phases: [] }, 'p95')).toBeNull();
  });
});
