// A regression against a baseline results file compares two point estimates from two runs: it
// is judged only when each side measured enough (seconds of load and requests), and when the
// baseline was itself a clean measurement (its scenario passed or failed, its generator was not
// the bottleneck). Two requests against three is no regression evidence.
import type { Outcome, PhaseStats } from '../../../src/results';
import { emptyObservations, type ScenarioObservations } from '../../../src/scenario/observations';
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import { evaluateThresholds } from '../../../src/scenario/verdict';
import { regressionMinRequests } from '../../../src/scenario/verdict/regression';
import { scenarioMs as ms } from '../../../src/util/clock';

const where = { file: 's.yml', line: 2 };
const fault = (
  scheduled: number,
  p95Ms: number,
  seconds = 30,
  over: Partial<PhaseStats> = {},
): PhaseStats => ({
  ...{ phase: 'fault', startMs: 10_000, endMs: 10_000 + seconds * 1000, scheduled, timed: scheduled },
  ...{ completed: scheduled, targetRate: 50, achievedRate: 50, errorRate: 0, errors: {}, late: 0 },
  ...{ meanMs: p95Ms / 2, p50Ms: p95Ms / 2, p90Ms: p95Ms, p95Ms, p99Ms: p95Ms * 2, maxMs: p95Ms * 3 },
  ...over,
});

function observations(
  now: PhaseStats,
  before: PhaseStats,
  reference: ScenarioObservations['baselineScenario'] = {
    outcome: 'pass',
    reason: '',
    generatorLimited: false,
  },
): ScenarioObservations {
  const obs = emptyObservations();
  obs.phases = { fault: now };
  obs.baseline = { fault: before };
  obs.baselineScenario = reference;
  obs.endMs = ms(60_000);
  return obs;
}

const judge = (text: string, obs: ScenarioObservations) =>
  evaluateThresholds([parseThreshold(text, where)], obs)[0];

describe('regression against a baseline results file', () => {
  it('two requests against three is inconclusive, not passed', () => {
    const r = judge('p95 regression < 20%', observations(fault(2, 100, 1), fault(3, 100, 1)));
    expect(r.passed).toBeNull();
    expect(r.detail).toBe(
      'the baseline has 1s of load in the fault phase, fewer than the 5s a regression needs',
    );
  });

  it('needs the minimum on each side: seconds, then requests (more for p99)', () => {
    expect(judge('p95 regression < 20%', observations(fault(99, 100), fault(1500, 100))).detail).toBe(
      'this run has 99 requests in the fault phase, fewer than the 100 a p95 regression needs',
    );
    expect(regressionMinRequests('p99')).toBe(500);
    expect(judge('p99 regression < 20%', observations(fault(400, 100), fault(1500, 100))).passed).toBeNull();
    expect(judge('p95 regression < 20%', observations(fault(400, 130), fault(1500, 100)))).toMatchObject({
      passed: false,
      actual: '+30%',
    });
  });

  it.each<[Outcome, string]>([
    [
      'error',
      "the baseline run's scenario was error (the fault did not take effect): its figures are no reference",
    ],
    [
      'inconclusive',
      "the baseline run's scenario was inconclusive (the fault did not take effect): its figures are no reference",
    ],
  ])('a baseline scenario that was %s is no reference', (outcome, detail) => {
    const r = judge(
      'p95 regression < 20%',
      observations(fault(1500, 100), fault(1500, 100), {
        outcome,
        reason: 'the fault did not take effect',
        generatorLimited: false,
      }),
    );
    expect(r).toMatchObject({ passed: null, detail });
  });

  it('a baseline that failed its thresholds still measured the system: it is a reference', () => {
    const obs = observations(fault(1500, 100), fault(1500, 100), {
      outcome: 'fail',
      reason: 'x',
      generatorLimited: false,
    });
    expect(judge('p95 regression < 20%', obs).passed).toBe(true);
  });

  it('either side limited by its load generator is no reference', () => {
    const limitedBaseline = observations(fault(1500, 100), fault(1500, 100), {
      outcome: 'pass',
      reason: '',
      generatorLimited: true,
    });
    expect(judge('p95 regression < 20%', limitedBaseline).detail).toMatch(
      /baseline run's load generator was the bottleneck/,
    );
    const limitedNow = observations(
      fault(1500, 100, 30, { generatorLimited: true } as Partial<PhaseStats>),
      fault(1500, 100),
    );
    expect(judge('p95 regression < 20%', limitedNow).detail).toMatch(
      /this run's load generator was the bottleneck/,
    );
  });
});
