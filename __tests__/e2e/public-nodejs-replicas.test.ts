// docker/awesome-compose's nginx-nodejs-redis as published: nginx in front of two Node instances
// built from one context. instance-loss[web] kills one; nginx sends its requests to the other.
import { projectLeftovers, NOTHING_LEFT } from '../helpers/leftovers';
import { initAndRun } from '../helpers/public-cli';

jest.setTimeout(6 * 60_000);

it('runs instance-loss[web] on one of the two instances, judged on recovery and on the fault phase', async () => {
  const { init, run, results } = await initAndRun('nginx-nodejs-redis', ['--scenario', 'instance-loss[web]']);
  expect(init.stdout).toContain('application: web, 2 instances (web1, web2)\n');
  const scenario = results?.scenarios.find((s) => s.name === 'instance-loss[web]');
  expect(scenario?.title).toBe('Instance lost: web1, one of web1, web2');
  expect(scenario?.fault).toMatchObject({ type: 'kill' });
  expect(['pass', 'fail']).toContain(scenario?.outcome);
  expect(scenario?.thresholds.map((t) => [t.source, typeof t.passed])).toEqual([
    ['recovery_time < 30s', 'boolean'],
    ['after: error_rate < 1%', 'boolean'],
    ['fault: error_rate < 1%', 'boolean'],
  ]);
  expect(run.code).toBe(scenario?.outcome === 'pass' ? 0 : 1);
  expect(await projectLeftovers(results?.project as string)).toEqual(NOTHING_LEFT);
});
