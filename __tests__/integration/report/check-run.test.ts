// The check run over real HTTP: @actions/github's Octokit → the loopback server, which enforces
// GitHub's limits (50 annotations per request, 65,535 characters of summary and text; the client
// sends at most 50 in all) and
// answers 403 to a token without checks: write.
import {
  checkAnnotations,
  checkOutput,
  completeCheckRun,
  startCheckRun,
  type CheckAnnotation,
} from '../../../src/report/check-run';
import { GitHubApiServer } from '../../helpers/github-api-server';
import { buildRun, buildScenario, buildThreshold, longLogs } from '../../helpers/sample-results';

const SHA = 'c0ffee0000000000000000000000000000000042';
let stdout: string[] = [];

beforeEach(() => {
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => jest.restoreAllMocks());

async function withServer(
  options: ConstructorParameters<typeof GitHubApiServer>[0],
  fn: (server: GitHubApiServer, target: Parameters<typeof startCheckRun>[0]) => Promise<void>,
): Promise<void> {
  const server = new GitHubApiServer(options);
  const baseUrl = await server.start();
  try {
    await fn(server, { token: 't', owner: 'acme', repo: 'shop', headSha: SHA, baseUrl });
  } finally {
    await server.stop();
  }
}

const annotations = (n: number): CheckAnnotation[] =>
  Array.from({ length: n }, (_, i) => ({
    path: 'chaos/a.yml',
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: 'failure',
    title: `t${i}`,
    message: `m${i}`,
  }));

describe('the check run over HTTP', () => {
  it('completes with the conclusion and at most 50 annotations in one request, however many are given', async () => {
    await withServer({}, async (server, target) => {
      const started = await startCheckRun(target, null);
      expect(started.status).toBe('started');
      const id = (started as { id: number }).id;
      const done = await completeCheckRun(target, id, {
        conclusion: 'failure',
        output: { title: 'x', summary: 'y', text: 'z' },
        annotations: annotations(121),
      });
      expect(done).toEqual({ status: 'completed' });
      const patches = server.requestsTo('PATCH', /\/check-runs\/\d+$/);
      expect(
        patches.map((r) => (r.body as { output: { annotations: unknown[] } }).output.annotations.length),
      ).toEqual([50]);
      expect(server.checkRuns[0]).toMatchObject({
        statuses: ['in_progress', 'completed'],
        conclusion: 'failure',
      });
      expect(server.checkRuns[0].annotations.map((a) => a.title)).toEqual(
        Array.from({ length: 50 }, (_, i) => `t${i}`),
      );
    });
  });

  it('is refused by the server past 50 annotations or 65,535 characters of summary (the limits the client keeps)', async () => {
    await withServer({}, async (server, target) => {
      const started = (await startCheckRun(target, null)) as { id: number };
      const octokitLike = await fetch(`${target.baseUrl}/repos/acme/shop/check-runs/${started.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ output: { title: 'x', summary: 'y', annotations: annotations(51) } }),
      });
      expect(octokitLike.status).toBe(422);
      expect(server.checkRuns[0].annotations).toHaveLength(0);
      const tooLong = await fetch(`${target.baseUrl}/repos/acme/shop/check-runs/${started.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ output: { title: 'x', summary: 'y'.repeat(65_536) } }),
      });
      expect(tooLong.status).toBe(422);
      expect(server.checkRuns[0].output.summary).toBe('The chaos scenarios are running.');
    });
  });

  it('fits a huge run into the summary and text limits the server enforces', async () => {
    const scenarios = Array.from({ length: 30 }, (_, i) =>
      buildScenario(
        { name: `s${i}` },
        {
          outcome: 'fail',
          logMatches: longLogs(200, 400),
          thresholds: Array.from({ length: 80 }, (_, j) =>
            buildThreshold({ source: `fault: p95 < ${j}ms ${'x'.repeat(60)}`, passed: false, line: j + 1 }),
          ),
        },
      ),
    );
    const run = buildRun(scenarios);
    const locate = (file: string, line: number | null) => ({ text: `${file}:${line}`, url: null });
    await withServer({}, async (server, target) => {
      const { id } = (await startCheckRun(target, null)) as { id: number };
      const all = checkAnnotations(run, (file) => ({ text: file, repoPath: file }));
      expect(all).toHaveLength(50);
      const done = await completeCheckRun(target, id, {
        conclusion: 'failure',
        output: checkOutput(run, locate),
        annotations: all,
      });
      expect(done).toEqual({ status: 'completed' });
      expect(server.requestsTo('PATCH', /\/check-runs\/\d+$/)).toHaveLength(1);
      expect(server.checkRuns[0].output.summary!.length).toBeLessThanOrEqual(65_535);
      expect(server.checkRuns[0].output.text!.length).toBeLessThanOrEqual(65_535);
    });
  });

  it('writes one note and goes on when the token has no checks: write (403)', async () => {
    await withServer({ checksPermission: false }, async (server, target) => {
      expect(await startCheckRun(target, null)).toEqual({ status: 'forbidden' });
      expect(
        await completeCheckRun(target, 1, {
          conclusion: 'success',
          output: { title: 'x', summary: 'y', text: '' },
          annotations: [],
        }),
      ).toEqual({ status: 'forbidden' });
      expect(stdout.join('')).toMatch(
        /check run: not written \(HTTP 403: Resource not accessible by integration/,
      );
      expect(server.checkRuns).toHaveLength(0);
    });
  });
});
