// Sustained checks (`p95 < 500ms for 30s`) that could never fail: a window longer than its phase
// is refused when the scenario is loaded (after --scale), and a phase that turned out shorter than
// the window leaves the check inconclusive; a second whose p95 speaks for too few of the requests
// sent has no p95, as the whole phase's figure has none.
import { ConfigError } from '../../../src/config/errors';
import { parseScenarioText } from '../../../src/config/load-scenarios';
import type { PhaseName } from '../../../src/results';
import { emptyObservations, type ObservedSecond } from '../../../src/scenario/observations';
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import { evaluateThresholds } from '../../../src/scenario/verdict';
import { scenarioMs } from '../../../src/util/clock';

const scenarioWith = (threshold: string, fault = '15s'): string => `
name: slow-cache
title: Slow cache
hypothesis: The api stays fast while the cache is slow.
target: { role: cache }
fault: { type: latency, delay: 100ms, duration: ${fault} }
load:
  request: { method: GET, path: / }
  rate: 10/s
thresholds:
  - error_rate < 1%
  - '${threshold}'
`;

function configIssue(run: () => unknown): { line: number | null; field: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues[0] as never;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('a `for` window longer than its phase', () => {
  it('is refused when the scenario is loaded, naming the file, line and field', () => {
    const issue = configIssue(() => parseScenarioText(scenarioWith('p95 < 500ms for 30s'), 'slow.yml'));
    expect(issue).toMatchObject({ file: 'slow.yml', line: 12, field: 'thresholds[1]' });
    expect(issue.message).toMatch(/^"for 30s" is longer than the fault phase \(15s\): .*could never fail/);
  });

  it("is refused after --scale shortened the phase (the window is the SLO's own tolerance and is not scaled)", () => {
    const text = scenarioWith('fault: p95 < 500ms for 20s', '30s');
    expect(() => parseScenarioText(text, 'slow.yml')).not.toThrow();
    const issue = configIssue(() => parseScenarioText(text, 'slow.yml', { scale: 0.5 }));
    expect(issue.message).toMatch(/longer than the fault phase \(15s at scale 0\.5\)/);
  });

  it('a window that fits its phase loads', () => {
    expect(parseScenarioText(scenarioWith('p95 < 500ms for 15s'), 'slow.yml').thresholds).toHaveLength(2);
  });
});

const where = { file: 's.yml', line: 3 };
const second = (s: number, phase: PhaseName, over: Partial<ObservedSecond> = {}): ObservedSecond => ({
  second: s,
  phase,
  scheduled: 20,
  completed: 20,
  p95Ms: 20,
  errorRate: 0,
  ...over,
});

function judged(text: string, timeline: ObservedSecond[]) {
  const obs = emptyObservations();
  obs.timeline = timeline;
  obs.endMs = scenarioMs(timeline.length * 1000);
  return evaluateThresholds([parseThreshold(text, where)], obs)[0];
}

describe('a phase that turned out shorter than the window', () => {
  it('leaves the check inconclusive, even with every second breached', () => {
    // 15 fault seconds at 2.4 s: no 30 s run can exist, so "breached at most 15s in a row" proves nothing.
    const timeline = [
      ...Array.from({ length: 5 }, (_, s) => second(s, 'baseline')),
      ...Array.from({ length: 15 }, (_, s) => second(s + 5, 'fault', { p95Ms: 2400 })),
      ...Array.from({ length: 5 }, (_, s) => second(s + 20, 'recovery')),
    ];
    const r = judged('fault: p95 < 500ms for 30s', timeline);
    expect(r.passed).toBeNull();
    expect(r.detail).toBe(
      'the fault phase lasted 15s, shorter than the 30s window: a breach that long could not happen in it',
    );
  });

  it('still judges a window that fits', () => {
    const timeline = Array.from({ length: 15 }, (_, s) => second(s, 'fault', { p95Ms: 2400 }));
    expect(judged('fault: p95 < 500ms for 10s', timeline)).toMatchObject({ passed: false, value: 15 });
  });
});

describe('per-second percentiles and requests without a response', () => {
  // 90 % of each fault second refused: the 10 % answered are fast.
  const refused = (s: number): ObservedSecond =>
    second(s, 'fault', {
      scheduled: 100,
      completed: 100,
      p95Ms: 20,
      errorRate: 0.9,
      errors: { refused: 90 },
    });
  const timeline = Array.from({ length: 20 }, (_, s) => refused(s));

  it('a second whose p95 speaks for too few of the requests sent has no p95: the sustained check is inconclusive', () => {
    const r = judged('fault: p95 < 500ms for 5s', timeline);
    expect(r.passed).toBeNull();
    expect(r.detail).toMatch(
      /20 seconds of the fault phase had no p95 value \(nothing sent, or too few of the requests sent answered/,
    );
  });

  it('timeouts have a latency and count: a second of timeouts is a breach', () => {
    const timedOut = Array.from({ length: 20 }, (_, s) =>
      second(s, 'fault', {
        scheduled: 100,
        completed: 100,
        p95Ms: 10_000,
        errorRate: 0.9,
        errors: { timeout: 90 },
      }),
    );
    expect(judged('fault: p95 < 500ms for 5s', timedOut)).toMatchObject({ passed: false, value: 20 });
  });

  it('a few refused requests leave the p95 standing', () => {
    const few = Array.from({ length: 20 }, (_, s) =>
      second(s, 'fault', {
        scheduled: 100,
        completed: 100,
        p95Ms: 20,
        errorRate: 0.02,
        errors: { refused: 2 },
      }),
    );
    expect(judged('fault: p95 < 500ms for 5s', few)).toMatchObject({
      passed: true,
      actual: 'never breached',
    });
  });

  it('a source that counts `timed` itself is read as it says', () => {
    const counted = Array.from({ length: 20 }, (_, s) => second(s, 'fault', { scheduled: 100, timed: 10 }));
    expect(judged('fault: p95 < 500ms for 5s', counted).passed).toBeNull();
  });
});
