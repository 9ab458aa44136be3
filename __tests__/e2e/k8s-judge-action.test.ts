// `mode: judge` through the packaged action, run the way the runner runs it: a scenario
// rendered by the packaged CLI (`render k8s`), a Kubernetes run played into a real Prometheus
// (__tests__/helpers/k8s-run.ts), then the Action judges it without Docker and publishes what
// the compose path publishes: outputs, results.json, the check run `chaos`, the sticky comment
// and the gate.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RenderedRun } from '../../src/k8s/render';
import type { RunResult } from '../../src/results';
import { execCommand } from '../../src/util/exec';
import { HEAD_SHA, PR_NUMBER, runPackagedAction } from '../helpers/action-runner';
import { GitHubApiServer } from '../helpers/github-api-server';
import {
  K8S_SCENARIO,
  startPrometheus,
  streamRun,
  workflowNodes,
  type RunningPrometheus,
} from '../helpers/k8s-run';

const root = path.join(__dirname, '../..');
jest.setTimeout(5 * 60_000);

describe('the packaged action in mode judge', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaos-k8s-e2e-'));
  const github = new GitHubApiServer({
    tokenKind: 'installation',
    token: 'ghs_e2e_token',
    pulls: [{ number: PR_NUMBER, state: 'open', headSha: HEAD_SHA }],
  });
  let prometheus: RunningPrometheus | null = null;
  let apiUrl = '';
  beforeAll(async () => {
    apiUrl = await github.start();
    prometheus = await startPrometheus(dir);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await github.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('judges a rendered run from its nodes and Prometheus: exit 1, result fail, a failing check run and one comment', async () => {
    // The user's repository: a scenario of its own and a run config with the request.
    const workspace = path.join(dir, 'repo');
    mkdirSync(path.join(workspace, 'chaos'), { recursive: true });
    writeFileSync(path.join(workspace, 'chaos/k8s-judge.yml'), K8S_SCENARIO);
    writeFileSync(
      path.join(workspace, 'chaos-action.yml'),
      'compose-file: docker-compose.yml\nscenarios-dir: chaos\nrequest: GET /healthz\nhealth-path: /healthz\n',
    );
    const rendered = await execCommand(
      process.execPath,
      [
        path.join(root, 'dist/cli/index.js'),
        ...['render', 'k8s', '--scenarios', 'k8s-judge', '--namespace', 'shop', '--out', 'rendered'],
        ...['--target-url', 'http://web.shop.svc:8080', '--service-map', 'api=app=web,cache=app=redis'],
        ...['--parallelism', '2', '--run-id', 'e2e-1', '--remote-write', `${prometheus!.url}/api/v1/write`],
      ],
      { cwd: workspace },
    );
    expect({ code: rendered.code, err: rendered.stderr }).toEqual({ code: 0, err: '' });
    const run = JSON.parse(readFileSync(path.join(workspace, 'rendered/render.json'), 'utf8')) as RenderedRun;
    const { testId, workflow } = run.scenarios[0];
    expect(readFileSync(path.join(workspace, 'rendered/k8s-judge/testrun.yaml'), 'utf8')).toContain(
      `--tag testid=${testId}`,
    );

    const t0 = await streamRun(prometheus!.url, testId, prometheus!.diagnose);
    writeFileSync(
      path.join(workspace, 'nodes.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: workflowNodes(workflow, t0) }),
    );

    const action = await runPackagedAction({
      apiUrl,
      workspace,
      inputs: {
        mode: 'judge',
        'k8s-rendered': 'rendered',
        'k8s-nodes': 'nodes.json',
        'prometheus-url': prometheus!.url,
        'results-dir': 'chaos-results',
        'github-token': 'ghs_e2e_token',
      },
    });
    expect(action.main.code).toBe(1);
    expect(action.main.stdout).toMatch(
      /^::error::chaos gate failed: 2 threshold\(s\) violated in k8s-judge/m,
    );
    expect(action.outputs).toMatchObject({ result: 'fail', violations: '2', warnings: '0' });
    const results = JSON.parse(readFileSync(action.outputs['results-json'], 'utf8')) as RunResult;
    expect(results.scenarios[0].thresholds.filter((t) => t.passed === false).map((t) => t.source)).toEqual([
      'fault: p95 < 100ms',
      'fault: error_rate < 5%',
    ]);

    const checks = github.checkRunsOn(HEAD_SHA);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({
      name: 'chaos',
      statuses: ['in_progress', 'completed'],
      conclusion: 'failure',
    });
    expect(checks[0].annotations.map((a) => a.start_line)).toHaveLength(2);
    const comments = github.commentsOn(PR_NUMBER);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('k8s-judge');
    expect(comments[0].body).toContain('judged from Kubernetes');
    expect(action.summary).toContain('k8s-judge');
  });
});
