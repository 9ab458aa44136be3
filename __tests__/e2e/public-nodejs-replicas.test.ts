// docker/awesome-compose's nginx-nodejs-redis as published: nginx in front of two Node instances
// built from one context. instance-loss[web] kills one; nginx sends its requests to the other.
import { projectLeftovers, NOTHING_LEFT } from '../helpers/leftovers';
import { initAndRun } from '../helpers/public-cli';

jest.setTimeout(6 * 60_000);

it("passes instance-loss[web]: nginx sends the killed instance's requests to the other, which restarts", async () => {
  const { init, run, results } = await initAndRun('nginx-nodejs-redis', [
    '--scenarios',
    'instance-loss[web]',
  ]);
  expect(init.stdout).toContain('application: web, 2 instances (web1, web2)\n');
  const scenario = results?.scenarios.find((s) => s.name === 'instance-loss[web]');
  expect(scenario?.title).toBe('Instance lost: web1, one of web1, web2');
  // The kill acted on web1 alone, and its restart policy brought it back.
  expect(scenario?.fault?.targets).toEqual([expect.stringMatching(/^web1\//)]);
  expect(scenario?.fault?.evidence).toEqual([
    expect.stringMatching(/web1-1 died on SIGKILL/),
    expect.stringMatching(/web1-1 running again/),
  ]);
  expect({ code: run.code, outcome: scenario?.outcome }).toEqual({ code: 0, outcome: 'pass' });
  expect(scenario?.thresholds.map((t) => [t.source, t.passed])).toEqual([
    ['recovery_time < 30s', true],
    ['after: error_rate < 1%', true],
    ['fault: error_rate < 1%', true],
  ]);
  expect(await projectLeftovers(results?.project as string)).toEqual(NOTHING_LEFT);
});
