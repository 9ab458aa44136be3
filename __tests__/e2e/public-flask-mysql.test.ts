// docker/awesome-compose's nginx-flask-mysql as published: the Flask app opens one MariaDB
// connection on its first request and keeps it forever. After its database restarts it never
// serves again, and dependency-down[db] must fail on recovery, saying so.
import { projectLeftovers, NOTHING_LEFT } from '../helpers/leftovers';
import { initAndRun } from '../helpers/public-cli';

jest.setTimeout(6 * 60_000);

it('fails dependency-down[db] on recovery: the application never reconnects', async () => {
  const { init, run, results } = await initAndRun('nginx-flask-mysql', [
    '--scenarios',
    'dependency-down[db]',
  ]);
  expect(init.stdout).toContain('  db       dependency   database: mariadb (image mariadb:10-focal)\n');
  // Ready means serving: no healthcheck on the entry, so the run waits for it to answer.
  expect(run.stderr).toMatch(
    /stack: waiting up to 2m00s for proxy to serve: GET http:\/\/\S+\/ answering any status below 500/,
  );
  expect(run.stderr).toMatch(/stack: serving after /);
  const scenario = results?.scenarios.find((s) => s.name === 'dependency-down[db]');
  expect({ code: run.code, outcome: scenario?.outcome }).toEqual({ code: 1, outcome: 'fail' });
  expect(scenario?.reason).toMatch(
    /^\d thresholds? violated \(first: recovery_time < 30s: > \S+ \(not recovered by the end of the run\), limit < 30s\)$/,
  );
  expect(scenario?.title).toBe('Dependency down: db (database, mariadb)');
  expect(await projectLeftovers(results?.project as string)).toEqual(NOTHING_LEFT);
});
