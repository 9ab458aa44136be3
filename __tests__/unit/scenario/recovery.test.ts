// Recovery judged on requests sent (verdict/recovery.ts), through the real runner and the real
// load timeline over a simulated clock and service (__tests__/helpers/simulated-run.ts). A
// service that hangs after the revert has not recovered, whatever the requests answered just
// before the revert say; one that comes back is timed from the first good window after it.
import { runSimulated, type SimulatedService } from '../../helpers/simulated-run';
import {
  findRecovery,
  recoveryCriteria,
  recoveryWindowState,
  RECOVERY_SUSTAIN_S,
} from '../../../src/scenario/verdict/recovery';
import type { WindowStats } from '../../../src/results';

const scenario = (load: string, thresholds: string[], timeout = '30s'): string => `
name: cache-down
title: Cache down
hypothesis: The api keeps answering while the cache is stopped, and comes back after.
target: { role: cache }
fault: { type: stop, duration: 10s }
load:
  request: { method: GET, path: /item/1 }
  ${load}
  timeout: ${timeout}
phases: { warmup: 2s, baseline: 6s, recovery: 20s, after: 8s }
thresholds:
${thresholds.map((t) => `  - '${t}'`).join('\n')}
`;

const OPEN = 'rate: 20/s';
const CLOSED = 'users: 5\n  think: 200ms';

/** Fine (10 ms) before and during the fault; from the revert on, whatever `after` says. */
function service(after: (sinceRevertMs: number) => ReturnType<SimulatedService['answer']>): SimulatedService {
  return {
    answer: (atMs, world) =>
      world.revertedAtMs !== null && atMs >= world.revertedAtMs
        ? after(atMs - world.revertedAtMs)
        : { latencyMs: 10 },
  };
}

const thresholdsOf = (result: { thresholds: { source: string; passed: boolean | null; actual: string }[] }) =>
  Object.fromEntries(result.thresholds.map((t) => [t.source, { passed: t.passed, actual: t.actual }]));

describe('recovery through the runner, on requests sent', () => {
  it('a service that hangs after the revert has not recovered: violated, not passed at about 1 s', async () => {
    const { result } = await runSimulated(
      scenario(OPEN, ['recovery_time < 10s', 'mttr < 30s', 'fault: error_rate < 1%']),
      service(() => 'hang'),
    );
    expect(result.outcome).toBe('fail');
    const verdicts = thresholdsOf(result);
    expect(verdicts['recovery_time < 10s']).toEqual({
      passed: false,
      actual: expect.stringMatching(/^> \d+(\.\d+)?s \(not recovered by the end of the run\)$/),
    });
    expect(verdicts['mttr < 30s']).toMatchObject({
      passed: false,
      actual: expect.stringMatching(/not recovered/),
    });
    expect(result.recoveryTimeMs).toBeNull();
    expect(result.reason).toMatch(/recovery_time < 10s: > .* \(not recovered by the end of the run\)/);
    expect(result.notes.join('\n')).toMatch(/not recovered by the end of the run/);
  });

  it('a closed model whose users are all stuck sends nothing after the revert: not recovered', async () => {
    const { result } = await runSimulated(
      scenario(CLOSED, ['recovery_time < 10s']),
      service(() => 'hang'),
    );
    expect(result.outcome).toBe('fail');
    expect(thresholdsOf(result)['recovery_time < 10s']).toMatchObject({
      passed: false,
      actual: expect.stringMatching(/not recovered by the end of the run/),
    });
  });

  it('a service that answers errors fast after the revert has not recovered either', async () => {
    const { result } = await runSimulated(
      scenario(OPEN, ['recovery_time < 10s']),
      service(() => ({ latencyMs: 1, error: 'non2xx' })),
    );
    expect(thresholdsOf(result)['recovery_time < 10s'].passed).toBe(false);
  });

  it('times a real recovery from the first good window after the revert', async () => {
    // Hangs for 2.5 s after the revert, then answers as before.
    const { result, world } = await runSimulated(
      scenario(OPEN, ['recovery_time < 10s', 'mttr < 30s']),
      service((since) => (since < 2500 ? 'hang' : { latencyMs: 10 })),
    );
    expect(result.outcome).toBe('pass');
    const revertedAt = world.revertedAtMs as number;
    // The first whole second in which every request sent went well, and the two after it.
    const firstGoodSecond = Math.ceil((revertedAt + 2500) / 1000);
    expect(result.recoveryTimeMs).toBe(firstGoodSecond * 1000 - revertedAt);
    expect(result.mttrMs).toBe(firstGoodSecond * 1000 - (world.injectedAtMs as number));
  });

  it('a recovery later than the recovery phase is reported with its real value, and violates the limit', async () => {
    // The recovery phase waits 20 s; the service comes back 24 s after the revert, in the after phase.
    const { result, world } = await runSimulated(
      scenario(OPEN, ['recovery_time < 10s'], '2s'),
      service((since) => (since < 24_000 ? 'hang' : { latencyMs: 10 })),
    );
    const revertedAt = world.revertedAtMs as number;
    expect(result.recoveryTimeMs).toBe(Math.ceil((revertedAt + 24_000) / 1000) * 1000 - revertedAt);
    expect(thresholdsOf(result)['recovery_time < 10s'].passed).toBe(false);
    expect(result.notes.join('\n')).toMatch(/recovered only after the recovery phase/);
  });
});

describe('the recovery rule', () => {
  const window = (over: Partial<WindowStats>): WindowStats => ({
    ...{ meanMs: 10, p50Ms: 10, p90Ms: 10, p95Ms: 10, p99Ms: 10, maxMs: 10 },
    ...{ scheduled: 60, timed: 60, completed: 60, targetRate: 20, achievedRate: 20, errorRate: 0 },
    ...{ errors: {}, late: 0 },
    ...over,
  });
  const criteria = recoveryCriteria({ p95Ms: 10, errorRate: 0 });

  it('needs requests sent, all answered, near the baseline', () => {
    expect(recoveryWindowState(window({}), criteria)).toBe('good');
    expect(recoveryWindowState(window({ scheduled: 0, timed: 0, completed: 0 }), criteria)).toBe('empty');
    // One still in flight: not decided, however good the others were.
    expect(recoveryWindowState(window({ completed: 59, timed: 59 }), criteria)).toBe('pending');
    expect(recoveryWindowState(window({ p95Ms: 200 }), criteria)).toBe('bad');
    expect(recoveryWindowState(window({ errorRate: 0.5, errors: { timeout: 30 } }), criteria)).toBe('bad');
    // Refused requests have no latency: the p95 of the rest cannot speak for the window.
    expect(recoveryWindowState(window({ timed: 50 }), criteria)).toBe('bad');
  });

  it('waits for a window still in flight rather than skipping to a later one', () => {
    const states: Record<number, Partial<WindowStats>> = { 10: { completed: 50, timed: 50 } };
    const read = (from: number): WindowStats => window(states[from] ?? {});
    expect(findRecovery(read, 10, 10 + RECOVERY_SUSTAIN_S + 5, criteria)).toEqual({
      second: null,
      pending: true,
      next: 10,
    });
    expect(findRecovery(read, 11, 11 + RECOVERY_SUSTAIN_S, criteria)).toEqual({
      second: 11,
      pending: false,
      next: 11,
    });
    // No window of RECOVERY_SUSTAIN_S seconds is over yet: nothing to judge.
    expect(findRecovery(read, 11, 11 + RECOVERY_SUSTAIN_S - 1, criteria)).toEqual({
      second: null,
      pending: false,
      next: 11,
    });
    // Bad windows are passed over for good: the next look starts after them.
    const bad = (from: number): WindowStats => window(from < 14 ? { p95Ms: 900 } : {});
    expect(findRecovery(bad, 10, 15, criteria)).toEqual({ second: null, pending: false, next: 13 });
  });
});
