// The monthly game day end to end with the packaged CLI on the real example stack: the cache
// and Prometheus are stopped together under load (two faults, Prometheus back first). The
// resilient variant passes: both faults injected and reverted, MTTR reported, the cache alert
// judged on what Prometheus saw before and after its own outage. The naive variant fails on the
// thresholds that state what it gets wrong. Durations are scaled down (E2E_SCALE). On the
// resilient stack redis-failure runs right after game-day: game-day stopped and started
// Prometheus, which may come back at another address, and the next scenario must find it there
// (its alert check judged, not "alerts were not observed").
import type { RunResult, ScenarioResult } from '../../src/results';
import { listProjectContainers } from '../../src/stack/targets';
import type { ExecResult } from '../../src/util/exec';
import { E2E_SCALE, EXAMPLE, NAIVE, runExampleCli } from '../helpers/example-cli';

jest.setTimeout(5 * 60_000);

async function gameDay(
  compose: string[],
  selection: string[] = ['--suite', 'game-day'],
): Promise<{ exec: ExecResult; result: ScenarioResult; run: RunResult }> {
  const { exec, results: run } = await runExampleCli([
    ...compose.flatMap((file) => ['--compose-file', file]),
    ...selection,
    '--scale',
    E2E_SCALE,
  ]);
  if (!run) throw new Error(`no results.json: exit ${exec.code}\n${exec.stdout}\n${exec.stderr}`);
  const result = run.scenarios.find((s) => s.name === 'game-day');
  if (!result) throw new Error(`no game-day result:\n${exec.stdout}`);
  return { exec, result, run };
}

const verdicts = (result: ScenarioResult) =>
  Object.fromEntries(result.thresholds.map((t) => [t.source, t.passed]));

describe('game day: cache and metrics down together', () => {
  let resilient: Awaited<ReturnType<typeof gameDay>>;
  let naive: Awaited<ReturnType<typeof gameDay>>;
  beforeAll(async () => {
    resilient = await gameDay([EXAMPLE], ['--scenarios', 'game-day', '--scenarios', 'redis-failure']);
    naive = await gameDay([EXAMPLE, NAIVE]);
  });

  it('passes on the resilient example: both faults injected and reverted, MTTR reported', () => {
    const { exec, result } = resilient;
    expect({ code: exec.code, outcome: result.outcome, reason: result.reason }).toEqual({
      code: 0,
      outcome: 'pass',
      reason: '',
    });
    expect(verdicts(result)).toEqual({
      'fault: error_rate < 1%': true,
      'fault: p95 < 500ms': true,
      'mttr < 90s': true,
      // Prometheus was down at the injection: the alert is judged on what it saw before and after.
      'alert HighCacheMissRate fires within 40s': true,
    });
    const faults = result.faults ?? [];
    expect(faults.map((f) => [f.kind, f.targets[0].split('/')[0]])).toEqual([
      ['stop', 'redis'],
      ['stop', 'prometheus'],
    ]);
    for (const f of faults) expect(f.revertedAtMs).toBeGreaterThan(f.injectedAtMs as number);
    // Prometheus (15 s × 0.5) comes back before the cache (40 s × 0.5); the phase ends with the last revert.
    const [cache, metrics] = faults;
    expect(metrics.revertedAtMs).toBeLessThan(cache.revertedAtMs as number);
    const fault = result.phases.find((p) => p.phase === 'fault');
    expect(fault?.endMs).toBeCloseTo(cache.revertedAtMs as number, -1);
    // MTTR: from the first injection until steady state held again, past the last revert.
    expect(result.mttrMs).toBeGreaterThan((cache.revertedAtMs as number) - (fault?.startMs as number));
    expect(result.mttrMs).toBeCloseTo(
      (cache.revertedAtMs as number) + (result.recoveryTimeMs as number) - (fault?.startMs as number),
      -1,
    );
    expect(exec.stdout).toMatch(/game-day\s+PASS/);
  });

  it('the scenario after game-day probes Prometheus where it is now: its alert check is judged', () => {
    const next = resilient.run.scenarios.find((s) => s.name === 'redis-failure');
    expect({ outcome: next?.outcome, reason: next?.reason }).toEqual({ outcome: 'pass', reason: '' });
    expect(next?.thresholds.find((t) => t.source.startsWith('alert HighCacheMissRate'))).toMatchObject({
      passed: true,
    });
  });

  it('fails on the naive example on the thresholds that state what it gets wrong', () => {
    const { exec, result, run } = naive;
    expect({ code: exec.code, outcome: result.outcome, gate: run.outcome }).toEqual({
      code: 1,
      outcome: 'fail',
      gate: 'fail',
    });
    expect(verdicts(result)).toMatchObject({
      // Without default features requests fail and hang while Redis is down…
      'fault: error_rate < 1%': false,
      'fault: p95 < 500ms': false,
      // …and nothing counts a cache miss, so no alert tells the on-call.
      'alert HighCacheMissRate fires within 40s': false,
    });
    expect(result.faults).toHaveLength(2);
    expect(exec.stdout).toMatch(/game-day\s+FAIL/);
  });

  it('leaves no container of either run behind', async () => {
    expect(await listProjectContainers(resilient.run.project)).toEqual([]);
    expect(await listProjectContainers(naive.run.project)).toEqual([]);
  });
});
