// The traffic spike on the resilient example end to end with the packaged CLI: ten times the
// normal rate, up to 1000 requests a second. It takes both cores of a small runner, so the test
// command runs this file alone (`*.alone.test.ts`): beside another stack its p95 would measure
// the neighbour. Durations are scaled down (E2E_SCALE).
import {
  type CliRun,
  describeRun,
  E2E_SCALE,
  EXAMPLE,
  runExampleCli,
  scenarioOf,
} from '../helpers/example-cli';

jest.setTimeout(10 * 60_000);

describe('the traffic spike on the resilient example', () => {
  let run: CliRun;
  beforeAll(async () => {
    run = await runExampleCli([
      '--compose-file',
      EXAMPLE,
      '--scale',
      E2E_SCALE,
      '--scenarios',
      'traffic-spike',
    ]);
  });

  it('passes: p95 under 500 ms at the peak, the generator really sent it, no errors, no restart', () => {
    const spike = scenarioOf(run.results, 'traffic-spike');
    expect({ outcome: `${spike.outcome} ${spike.reason}`.trim(), log: describeRun(run) }).toMatchObject({
      outcome: 'pass',
    });
    expect(spike.thresholds.map((t) => [t.source, t.passed])).toEqual([
      ['stage peak: p95 < 500ms', true],
      ['stage peak: rate_achieved > 90%', true],
      ['fault: error_rate < 1%', true],
      ['container api restarts == 0', true],
    ]);
    expect(run.exec.code).toBe(0);
  });
});
