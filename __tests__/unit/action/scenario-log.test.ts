// The Actions log folds each scenario's lines into a group of its own, and says its outcome
// outside the group, so a folded log still shows every verdict.
import * as core from '@actions/core';
import { scenarioLog } from '../../../src/action/scenario-log';
import { buildScenario, failingScenario } from '../../helpers/sample-results';

jest.mock('@actions/core', () => ({
  info: jest.fn(),
  startGroup: jest.fn(),
  endGroup: jest.fn(),
}));

/** The calls made, in order, as `group NAME`, `end`, or the line logged. */
function transcript(): string[] {
  const calls: [number, string][] = [
    ...jest
      .mocked(core.startGroup)
      .mock.calls.map((c, i): [number, string] => [
        jest.mocked(core.startGroup).mock.invocationCallOrder[i],
        `group ${c[0]}`,
      ]),
    ...jest.mocked(core.endGroup).mock.invocationCallOrder.map((order): [number, string] => [order, 'end']),
    ...jest
      .mocked(core.info)
      .mock.calls.map((c, i): [number, string] => [
        jest.mocked(core.info).mock.invocationCallOrder[i],
        String(c[0]),
      ]),
  ];
  return calls.sort((a, b) => a[0] - b[0]).map(([, text]) => text);
}

describe('scenario groups in the Actions log', () => {
  beforeEach(() => jest.clearAllMocks());

  it('opens a group per scenario and prints the outcome after it', () => {
    const log = scenarioLog();
    log.log('stack: up');
    log.onPhase('redis-failure', 'warmup', '');
    log.onPhase('redis-failure', 'fault', 'stop 30s');
    log.log('fault: redis stopped');
    log.onScenarioDone(failingScenario('redis-failure'));
    log.onScenarioDone(
      buildScenario({}, { name: 'otel-collector-failure', outcome: 'skipped', reason: 'no telemetry' }),
    );
    log.onPhase('load-test', 'warmup', '');
    log.close();
    log.close();
    expect(transcript()).toEqual([
      'stack: up',
      'group chaos: redis-failure',
      '▶ redis-failure: warmup',
      '▶ redis-failure: fault (stop 30s)',
      'fault: redis stopped',
      'end',
      expect.stringMatching(/^redis-failure: fail/),
      'otel-collector-failure: skipped — no telemetry',
      'group chaos: load-test',
      '▶ load-test: warmup',
      'end',
    ]);
  });

  it('keeps a line from the stack that looks like a workflow command inert', () => {
    const log = scenarioLog();
    log.log('::endgroup::');
    expect(jest.mocked(core.info).mock.calls[0][0]).not.toMatch(/^::/);
    expect(core.endGroup).not.toHaveBeenCalled();
  });
});
