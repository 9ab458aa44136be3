// docker/awesome-compose's nginx-golang-postgres as published: the Go backend opens a database
// connection for every request, so while Postgres is stopped requests fail, and once it is back
// they succeed again by themselves. dependency-down[db] judges both: the fault phase fails, the
// recovery holds.
import { projectLeftovers, NOTHING_LEFT } from '../helpers/leftovers';
import { initAndRun } from '../helpers/public-cli';

jest.setTimeout(6 * 60_000);

it('judges dependency-down[db] honestly: errors while Postgres is down, recovered after it is back', async () => {
  const { init, run, results } = await initAndRun('nginx-golang-postgres', [
    '--scenarios',
    'dependency-down[db]',
  ]);
  expect(init.stdout).toContain('  db       dependency   database: postgres (image postgres)\n');
  const scenario = results?.scenarios.find((s) => s.name === 'dependency-down[db]');
  expect({ code: run.code, outcome: scenario?.outcome }).toEqual({ code: 1, outcome: 'fail' });
  const verdict = (source: string) => scenario?.thresholds.find((t) => t.source === source)?.passed;
  expect(verdict('fault: error_rate < 1%')).toBe(false);
  expect(verdict('recovery_time < 30s')).toBe(true);
  expect(verdict('after: error_rate < 1%')).toBe(true);
  expect(await projectLeftovers(results?.project as string)).toEqual(NOTHING_LEFT);
});
