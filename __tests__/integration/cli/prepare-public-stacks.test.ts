// What a run of the full suite plans on a public stack before anything starts
// (src/scenario/engine.ts prepareRun): the expansions over its graph, and the built-ins it
// skips, each with why. Reads `compose config` only.
import path from 'node:path';
import { parseRunConfig } from '../../../src/config/run-config';
import { prepareRun } from '../../../src/scenario/engine';
import { checkoutPublicStack } from '../../helpers/public-stacks';

jest.setTimeout(60_000);

async function plan(stack: string, extra: Record<string, unknown> = {}) {
  const dir = checkoutPublicStack(stack);
  return prepareRun(
    parseRunConfig({
      'compose-file': [path.join(dir, 'compose.yaml'), path.join(dir, 'compose.override.yaml')],
      suite: 'full',
      ...extra,
    }),
  );
}

describe('the full suite planned on public stacks', () => {
  it('nginx-nodejs-redis: the cache built-ins on redis, each expansion once, memory-pressure skipped for want of a limit', async () => {
    const prepared = await plan('nginx-nodejs-redis');
    expect(prepared.scenarios.map((s) => s.name)).toEqual([
      'redis-failure',
      'network-partition',
      'dependency-down[redis]',
      'dependency-slow[redis]',
      'dependency-partition[redis]',
      'instance-loss[web]',
      'traffic-spike',
      'retry-storm',
      'latency-injection',
      'load-test',
    ]);
    expect(prepared.roles.roles).toEqual({ api: 'nginx', cache: 'redis' });
    expect(Object.fromEntries(prepared.skipped.map((s) => [s.scenario.name, s.reason]))).toEqual({
      'otel-collector-failure': expect.stringContaining('the stack has no telemetry service'),
      'memory-pressure':
        'nginx has no memory limit, so a memory hog would press on the whole host; give it one (mem_limit: 256m) to run this',
    });
  });

  it('nginx-golang-postgres: the database faulted by each dependency scenario; instance-loss skipped with why', async () => {
    const prepared = await plan('nginx-golang-postgres');
    expect(prepared.scenarios.filter((s) => s.expandedFrom).map((s) => s.name)).toEqual([
      'dependency-down[db]',
      'dependency-slow[db]',
      'dependency-partition[db]',
    ]);
    expect(prepared.skipped.find((s) => s.scenario.name === 'instance-loss')?.reason).toBe(
      'the application (backend) runs one instance',
    );
  });

  it('runs one expansion asked for by name, and names the runs when the name matches none', async () => {
    const one = await plan('flask-redis', { scenarios: 'dependency-down[redis]' });
    expect(one.scenarios.map((s) => [s.name, s.target.service])).toEqual([
      ['dependency-down[redis]', 'redis'],
    ]);
    await expect(plan('flask-redis', { scenarios: 'dependency-down[db]' })).rejects.toThrow(
      '"dependency-down[db]" is not a run of dependency-down on this stack (runs: dependency-down[redis])',
    );
  });
});
