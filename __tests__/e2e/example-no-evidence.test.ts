// Faults that cannot take effect and checks with nothing under them, end to end on the example
// stack: an error or an inconclusive verdict, never a pass.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CliRun, describeRun, EXAMPLE, runExampleCli, scenarioOf } from '../helpers/example-cli';

jest.setTimeout(10 * 60_000);

describe('a fault that does not take effect', () => {
  it('is reported as an error, not a pass', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-noop-'));
    // The leak endpoint path is wrong: the app answers 404 and memory never grows.
    writeFileSync(
      path.join(dir, 'no-op-leak.yml'),
      [
        'name: no-op-leak',
        'title: A memory fault aimed at a path that does not leak',
        'hypothesis: Nothing happens, so the experiment proves nothing.',
        'target: { role: api }',
        'fault: { type: memory, method: leak-endpoint, path: /debug/does-not-exist, duration: 10s }',
        'load:',
        '  request: { method: POST, path: /v1/predict, json: { user_id: 12345, amount: 1 } }',
        '  rate: 20/s',
        'phases: { warmup: 1s, baseline: 2s, recovery: 5s, after: 1s }',
        'thresholds:',
        '  - fault: error_rate < 1%',
        '',
      ].join('\n'),
    );
    // A stall on a port the cache does not listen on: no reply without the toxic, so none with it proves nothing.
    writeFileSync(
      path.join(dir, 'no-op-stall.yml'),
      [
        'name: no-op-stall',
        'title: A stall on a port nothing answers',
        'hypothesis: Nothing is held, so the experiment proves nothing.',
        'target: { role: cache }',
        'fault: { type: stall, port: 7000, duration: 5s }',
        'load:',
        '  request: { method: POST, path: /v1/predict, json: { user_id: 12345, amount: 1 } }',
        '  rate: 20/s',
        'phases: { warmup: 1s, baseline: 2s, recovery: 2s, after: 1s }',
        'thresholds:',
        '  - fault: error_rate < 1%',
        '',
      ].join('\n'),
    );
    const run = await runExampleCli([
      '--compose-file',
      EXAMPLE,
      '--scenarios-dir',
      dir,
      '--scenarios',
      'no-op-leak',
      '--scenarios',
      'no-op-stall',
    ]);
    expect(scenarioOf(run.results, 'no-op-leak')).toMatchObject({
      outcome: 'error',
      reason: expect.stringMatching(/\/debug\/does-not-exist answered 404/),
    });
    expect(scenarioOf(run.results, 'no-op-stall')).toMatchObject({
      outcome: 'error',
      reason: expect.stringMatching(/cannot measure a stall on \S+:7000: the baseline got no reply/),
    });
    // Errored scenarios: the tool could not do what it was asked (exit 4), not noise (3).
    expect(run.exec.code).toBe(4);
  });
});

describe('checks with no evidence', () => {
  let run: CliRun;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-no-evidence-'));
    const request = '  request: { method: POST, path: /v1/predict, json: { user_id: 12345, amount: 1 } }';
    const scenarioFile = (name: string, lines: string[]): void =>
      writeFileSync(
        path.join(dir, `${name}.yml`),
        [
          `name: ${name}`,
          'title: A check with nothing under it',
          'hypothesis: It must not pass.',
          ...lines,
          '',
        ].join('\n'),
      );
    // Judged only against a baseline run that was never given.
    scenarioFile('regression-only', [
      'target: { role: api }',
      'fault: { type: none }',
      'load:',
      request,
      '  rate: 20/s',
      'phases: { warmup: 1s, baseline: 2s, fault: 4s, recovery: 0s, after: 1s }',
      'thresholds:',
      '  - fault: p95 regression < 20%',
    ]);
    // One user who thinks for 30 s sends its first request at t0 and nothing in the fault phase.
    scenarioFile('silent-fault-phase', [
      'target: { role: api }',
      'fault: { type: none }',
      'load:',
      request,
      '  users: 1',
      '  think: 30s',
      'phases: { warmup: 1s, baseline: 2s, fault: 6s, recovery: 0s, after: 1s }',
      'thresholds:',
      '  - fault: errors < 5',
    ]);
    // Prometheus itself is the target: it evaluates no rule while it is down, so "does not fire"
    // cannot be claimed across its outage: inconclusive, the blind stretch named (docs/scenarios.md).
    scenarioFile('metrics-down', [
      'target: { role: metrics }',
      'fault: { type: stop, duration: 10s }',
      'load:',
      request,
      '  rate: 20/s',
      'phases: { warmup: 1s, baseline: 4s, recovery: 5s, after: 2s }',
      'thresholds:',
      '  - fault: error_rate < 1%',
      '  - alert ServiceDown does not fire',
    ]);
    run = await runExampleCli([
      '--compose-file',
      EXAMPLE,
      '--scenarios-dir',
      dir,
      '--scenarios',
      'regression-only',
      '--scenarios',
      'silent-fault-phase',
      '--scenarios',
      'metrics-down',
    ]);
  });

  it('ends inconclusive with exit 3, never a pass', () => {
    expect({ code: run.exec.code, log: describeRun(run) }).toMatchObject({ code: 3 });
    expect(run.results?.outcome).toBe('inconclusive');
  });

  it.each([
    ['regression-only', /no threshold was judged .*no baseline/],
    ['silent-fault-phase', /no request was sent in the fault phase/],
  ])('%s is inconclusive and names the missing data', (name, reason) => {
    const result = scenarioOf(run.results, name);
    expect({ outcome: result.outcome, reason: result.reason }).toEqual({
      outcome: 'inconclusive',
      reason: expect.stringMatching(reason),
    });
  });

  it('metrics-down: silence across the metrics outage proves nothing; the blind stretch is named', () => {
    const result = scenarioOf(run.results, 'metrics-down');
    const check = result.thresholds.find((t) => t.source === 'alert ServiceDown does not fire');
    expect({ outcome: result.outcome, passed: check?.passed }).toEqual({
      outcome: 'inconclusive',
      passed: null,
    });
    expect(check?.detail).toMatch(
      /^the alert probe was blind for [\d.]+s \([\d.]+s–[\d.]+s\) between .*\(the metrics role was a fault target, down [\d.]+s–[\d.]+s\): no rule was evaluated then/,
    );
    // The load's own check is judged as usual.
    expect(result.thresholds.find((t) => t.source === 'fault: error_rate < 1%')?.passed).toBe(true);
  });
});
