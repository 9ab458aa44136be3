// Recovery judged on requests sent, on the real example stack with the packaged CLI: the api is
// given a defect (docker-compose.hang-after-restart.yml) that makes /v1/predict stop answering
// once Redis is back after an outage, while /healthz keeps answering. The fault phase is fine
// (default features while Redis is down); after the revert every request hangs. The scenario
// must fail on recovery, and say that the api did not recover. Short phases, one scenario.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult, ScenarioResult } from '../../src/results';
import { listProjectContainers } from '../../src/stack/targets';
import type { ExecResult } from '../../src/util/exec';
import { EXAMPLE, root, runExampleCli } from '../helpers/example-cli';

const HANG = path.join(root, 'examples/fraud-api/docker-compose.hang-after-restart.yml');
jest.setTimeout(5 * 60_000);

const SCENARIO = `
name: redis-restart-hang
title: Redis restarted under load
hypothesis: >
  While Redis is stopped the api answers on default features; once Redis is back, it answers
  as before within seconds.
target: { role: cache }
fault: { type: stop, duration: 6s }
load:
  request: \${request}
  rate: 20/s
  timeout: 2s
phases: { warmup: 2s, baseline: 4s, recovery: 8s, after: 3s }
steady-state:
  - http: { path: '\${health_path}', status: 200 }
thresholds:
  - fault: error_rate < 1%
  - recovery_time < 5s
`;

describe('an api that hangs after its dependency came back', () => {
  let exec: ExecResult;
  let run: RunResult;
  let result: ScenarioResult;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-hang-'));
    const scenarios = path.join(dir, 'scenarios');
    mkdirSync(scenarios);
    writeFileSync(path.join(scenarios, 'redis-restart-hang.yml'), SCENARIO);
    const cli = await runExampleCli([
      ...['--compose-file', EXAMPLE, '--compose-file', HANG],
      ...['--scenarios-dir', scenarios, '--scenarios', 'redis-restart-hang'],
    ]);
    exec = cli.exec;
    if (!cli.results) throw new Error(`no results.json: exit ${exec.code}\n${exec.stdout}\n${exec.stderr}`);
    run = cli.results;
    result = run.scenarios[0];
  });

  it('fails on recovery, with a why line that says it did not recover', () => {
    const verdicts = Object.fromEntries(result.thresholds.map((t) => [t.source, [t.passed, t.actual]]));
    expect({ code: exec.code, outcome: result.outcome, verdicts }).toEqual({
      code: 1,
      outcome: 'fail',
      verdicts: {
        // Default features while Redis is down: the fault phase itself is fine.
        'fault: error_rate < 1%': [true, expect.any(String)],
        'recovery_time < 5s': [
          false,
          expect.stringMatching(/^> \d+(\.\d+)?s \(not recovered by the end of the run\)$/),
        ],
      },
    });
    expect(result.reason).toMatch(
      /^1 threshold violated \(first: recovery_time < 5s: > .*not recovered by the end of the run/,
    );
    expect(result.recoveryTimeMs).toBeNull();
    // The terminal table's why column says it too.
    expect(exec.stdout).toMatch(/redis-restart-hang\s+FAIL.*not recovered/);
    // Every request sent after the recovery phase began timed out: the after phase shows it.
    const after = result.phases.find((p) => p.phase === 'after');
    expect(after?.scheduled).toBeGreaterThan(0);
    expect(after?.errors.timeout).toBe(after?.scheduled);
  });

  it('leaves no container behind', async () => {
    expect(await listProjectContainers(run.project)).toEqual([]);
  });
});
