// Checks that lose their data source: when the metrics role was itself a fault target, alert
// and PromQL checks are judged on what their probe saw before and after the outage. The blind
// stretch of the outage does not make them inconclusive by itself; a probe that never answered
// again, or a check with no data at all, is inconclusive with that reason, never a pass.
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import { emptyObservations, type ScenarioObservations } from '../../../src/scenario/observations';
import { evaluateThresholds, longestBlindMs } from '../../../src/scenario/verdict';
import type { ScenarioMs } from '../../../src/results';

const ms = (n: number) => n as ScenarioMs;
const at = { file: 'game-day.yml', line: 1, field: 'thresholds[0]' };

/** Fault phase 10 s–40 s; Prometheus stopped 10 s–30 s; the alert probe blind 10 s–33 s, then answering to 60 s. */
function observations(over: Partial<ScenarioObservations> = {}): ScenarioObservations {
  return {
    ...emptyObservations(),
    faultStartMs: ms(10_000),
    faultEndMs: ms(40_000),
    endMs: ms(60_000),
    alerts: [
      {
        name: 'HighCacheMissRate',
        severity: 'warning',
        state: 'firing',
        labels: {},
        firing: [{ fromMs: ms(34_000), toMs: null }],
      },
    ],
    alertCoverage: {
      fromMs: ms(0),
      toMs: ms(60_000),
      blind: [{ fromMs: ms(10_000), toMs: ms(33_000) }],
      problems: [],
    },
    promql: {
      'up{job="api"}': [
        { atMs: ms(5_000), phase: 'baseline', series: [{ series: '{}', value: 1 }], answered: true },
        ...[12_000, 20_000, 28_000].map((t) => ({
          atMs: ms(t),
          phase: 'fault' as const,
          series: [],
          answered: false,
        })),
        { atMs: ms(35_000), phase: 'fault', series: [{ series: '{}', value: 1 }], answered: true },
        { atMs: ms(38_000), phase: 'fault', series: [{ series: '{}', value: 1 }], answered: true },
      ],
    },
    promqlCoverage: {
      'up{job="api"}': {
        fromMs: ms(0),
        toMs: ms(60_000),
        blind: [{ fromMs: ms(10_000), toMs: ms(34_000) }],
        problems: [],
      },
    },
    metricsOutages: [{ fromMs: ms(10_000), toMs: ms(30_000) }],
    ...over,
  } as ScenarioObservations;
}

const judge = (text: string, obs: ScenarioObservations) =>
  evaluateThresholds([parseThreshold(text, at)], obs)[0];

describe('alert and PromQL checks when Prometheus itself was a fault target', () => {
  it('judges an alert that fires once Prometheus is back on what was seen before and after', () => {
    expect(judge('alert HighCacheMissRate fires within 60s', observations())).toMatchObject({
      passed: true,
      actual: 'fired after 24s',
    });
    // The same blind stretch without the outage on record: the probe was blind, nothing is claimed.
    const blind = judge('alert HighCacheMissRate fires within 60s', observations({ metricsOutages: [] }));
    expect(blind.passed).toBeNull();
    expect(blind.detail).toMatch(/alert probe was blind for 23s/);
  });

  it('still fails an alert that never fired, and one that fired too late', () => {
    expect(judge('alert HighCacheMissRate fires within 60s', observations({ alerts: [] }))).toMatchObject({
      passed: false,
      actual: 'not fired',
    });
    expect(judge('alert HighCacheMissRate fires within 20s', observations())).toMatchObject({
      passed: false,
    });
  });

  it('a probe that never answered after the outage is inconclusive, never a pass', () => {
    const neverBack = observations({
      alerts: [],
      alertCoverage: {
        fromMs: ms(0),
        toMs: ms(60_000),
        blind: [{ fromMs: ms(10_000), toMs: ms(60_000) }],
        problems: [],
      },
    });
    const fires = judge('alert HighCacheMissRate fires within 60s', neverBack);
    expect(fires.passed).toBeNull();
    expect(fires.detail).toMatch(/blind .*the metrics role was a fault target, down 10s–30s/);
    const notFires = judge('alert HighCacheMissRate does not fire', neverBack);
    expect(notFires.passed).toBeNull();
  });

  it('a check that rests on silence is inconclusive across the outage, the blind stretch named', () => {
    // HighLatency never seen firing: but no rule was evaluated while Prometheus was down.
    for (const text of [
      'alert HighLatency does not fire',
      'no critical alerts',
      'alert HighCacheMissRate severity != critical',
      'alert HighCacheMissRate is warning',
    ]) {
      const r = judge(text, observations());
      expect({ text, passed: r.passed }).toEqual({ text, passed: null });
      expect(r.detail).toMatch(
        /^the alert probe was blind for 23s \(10s–33s\) between 0s and 60s \(the metrics role was a fault target, down 10s–30s\): no rule was evaluated then, so silence across it proves nothing$/,
      );
    }
    // A firing seen is proof, whatever the outage.
    expect(judge('alert HighCacheMissRate does not fire', observations()).passed).toBe(false);
    expect(judge('no warning alerts', observations()).passed).toBe(false);
    expect(judge('alert HighCacheMissRate is critical', observations()).passed).toBe(false);
  });

  it('PromQL: judged on the samples before and after; none at all is inconclusive with the reason', () => {
    expect(judge('fault: min promql \'up{job="api"}\' >= 1', observations())).toMatchObject({
      passed: true,
      value: 1,
    });
    const none = observations({
      promql: {
        'up{job="api"}': [12_000, 20_000].map((t) => ({
          atMs: ms(t),
          phase: 'fault' as const,
          series: [],
          answered: false,
        })),
      },
    });
    const result = judge('fault: min promql \'up{job="api"}\' >= 1', none);
    expect(result.passed).toBeNull();
    expect(result.detail).toMatch(
      /no samples with a value in the fault phase \(the metrics role was a fault target, down 10s–30s\)/,
    );
  });

  it('longestBlindMs leaves out only closed blind stretches that overlap an outage', () => {
    const coverage = {
      fromMs: ms(0),
      toMs: ms(60_000),
      blind: [
        { fromMs: ms(10_000), toMs: ms(33_000) },
        { fromMs: ms(45_000), toMs: ms(52_000) },
      ],
      problems: [],
    };
    const outage = [{ fromMs: 10_000, toMs: 30_000 }];
    expect(longestBlindMs(coverage, 0, 60_000)).toBe(23_000);
    // The outage's stretch is excused; the later one (Prometheus fine, the probe blind) is not.
    expect(longestBlindMs(coverage, 0, 60_000, outage)).toBe(7_000);
  });
});
