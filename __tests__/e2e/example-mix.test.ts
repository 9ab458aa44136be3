// The naive example stack under a request mix (examples/fraud-api/scenarios/cache-down-mix.yml):
// scoring calls for many user ids beside the health check, each judged by name. With Redis
// stopped the naive code fails scoring while the health check still answers: one tagged
// threshold passes and the other fails, and every output lists both requests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listProjectContainers } from '../../src/stack/targets';
import {
  type CliRun,
  describeRun,
  E2E_SCALE,
  EXAMPLE,
  NAIVE,
  root,
  runExampleCli,
  scenarioOf,
} from '../helpers/example-cli';

jest.setTimeout(15 * 60_000);

describe('the naive example stack under a request mix', () => {
  let run: CliRun;
  beforeAll(async () => {
    run = await runExampleCli([
      '--compose-file',
      EXAMPLE,
      '--compose-file',
      NAIVE,
      '--scale',
      E2E_SCALE,
      '--scenarios-dir',
      path.join(root, 'examples/fraud-api/scenarios'),
      '--scenarios',
      'cache-down-mix',
      '--per-request',
    ]);
  });

  it('judges each request by name: the health check holds, scoring fails', () => {
    expect({ code: run.exec.code, log: describeRun(run) }).toMatchObject({ code: 1 });
    const result = scenarioOf(run.results, 'cache-down-mix');
    const verdicts = Object.fromEntries(result.thresholds.map((t) => [t.metric, t.passed]));
    expect(verdicts).toEqual({ 'error_rate{request:health}': true, 'error_rate{request:predict}': false });
  });

  it('lists both requests in results.json, the terminal table, the comment and JUnit', () => {
    const result = scenarioOf(run.results, 'cache-down-mix');
    expect(result.requests?.map((r) => [r.name, r.weight])).toEqual([
      ['predict', 9],
      ['health', 1],
    ]);
    const fault = result.phases.find((p) => p.phase === 'fault');
    expect(fault?.requests?.map((r) => r.name)).toEqual(['predict', 'health']);
    expect(run.exec.stdout).toMatch(/^\s+· predict\s/m);
    expect(run.exec.stdout).toMatch(/^\s+· health\s/m);
    expect(readFileSync(path.join(run.dir, 'report.md'), 'utf8')).toContain('Per request (2)');
    expect(readFileSync(path.join(run.dir, 'junit.xml'), 'utf8')).toMatch(/request predict fault: \d+ sent/);
  });

  it('leaves no container of the run behind', async () => {
    expect(await listProjectContainers(run.results?.project ?? 'missing')).toEqual([]);
  });
});
