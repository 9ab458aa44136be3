// Report mode (the chaos-report workflow publishing a fork's results) through the packaged
// action, handed crafted artifacts (issue 27): what a fork's stack can write into results.json
// must not reach the comment, the job summary or the check run as markup, mentions or links;
// the check it writes is `chaos report`, never better than the gate run's own conclusion and
// always concluded; and it runs on the workflow_run event only. No Docker: report mode starts
// none, and the artifacts are written here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../src/results';
import { HEAD_SHA, PR_NUMBER, runPackagedAction, type ActionRun } from '../helpers/action-runner';
import { GitHubApiServer, type FakeCheckRun } from '../helpers/github-api-server';
import {
  bareUrls,
  markdownProblems,
  plainTextProblems,
  REPORT_JOB_ENV,
  workflowCommandProblems,
  workflowRunEvent,
  writeArtifact,
} from '../helpers/report-artifact';
import { buildRun, buildScenario, buildThreshold, longLogs } from '../helpers/sample-results';

jest.setTimeout(120_000);

const TOKEN = 'ghs_report_token';
const HOSTILE =
  '<img src="https://evil.example/px.gif"> @octocat [click](https://evil.example) https://evil.example/a #12 \n::add-mask::x';

let github: GitHubApiServer;
let apiUrl: string;

beforeEach(async () => {
  github = new GitHubApiServer({
    tokenKind: 'installation',
    token: TOKEN,
    pulls: [{ number: PR_NUMBER, state: 'open', headSha: HEAD_SHA }],
  });
  apiUrl = await github.start();
});
afterEach(() => github.stop());

function report(
  artifact: { workspace: string; resultsDir: string },
  event = workflowRunEvent('failure'),
): Promise<ActionRun> {
  return runPackagedAction({
    apiUrl,
    workspace: artifact.workspace,
    event,
    env: REPORT_JOB_ENV,
    inputs: { mode: 'report', 'results-dir': artifact.resultsDir, 'github-token': TOKEN },
  });
}

/** Every text this run put on GitHub, and what is wrong with any of it. */
function surfaces(run: ActionRun): { problems: string[]; comment: string; check: FakeCheckRun | undefined } {
  const check = github.checkRunsOn(HEAD_SHA)[0];
  const comment = github.commentsOn(PR_NUMBER)[0]?.body ?? '';
  const problems = [
    ...markdownProblems(comment).map((p) => `comment: ${p}`),
    ...markdownProblems(run.summary).map((p) => `summary: ${p}`),
    ...markdownProblems(check?.output.summary ?? '').map((p) => `check summary: ${p}`),
    ...markdownProblems(check?.output.text ?? '').map((p) => `check text: ${p}`),
    ...[
      check?.output.title ?? '',
      ...(check?.annotations ?? []).flatMap((a) => [a.title ?? '', a.message, a.path]),
    ]
      .flatMap((t) => [...plainTextProblems(t), ...bareUrls(t).map((u) => `URL ${u}`)])
      .map((p) => `check title or annotation: ${p}`),
    ...workflowCommandProblems(run.main.stdout, TOKEN).map((p) => `log: ${p}`),
  ];
  return { problems, comment, check };
}

describe('finding 1: what a results file says reaches GitHub as text', () => {
  it('renders hostile names, reasons, values and paths escaped everywhere: comment, summary, check summary, text and annotations', async () => {
    const scenario = buildScenario(
      { name: 'cache-down @octocat' },
      {
        title: HOSTILE,
        hypothesis: HOSTILE,
        outcome: 'fail',
        reason: HOSTILE,
        notes: [HOSTILE],
        logMatches: [{ service: 'api', line: HOSTILE, atMs: null }],
        thresholds: [
          buildThreshold({
            passed: false,
            source: `fault: p95 < 500ms ${HOSTILE}`,
            actual: HOSTILE,
            limit: HOSTILE,
            file: `/home/runner/work/shop/shop/chaos/${HOSTILE}.yml`,
          }),
        ],
      },
    );
    const run = await report(writeArtifact(buildRun([scenario])));
    expect({ code: run.main.code, stderr: run.main.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.outputs.result).toBe('fail');
    const { problems, comment, check } = surfaces(run);
    expect(comment).toContain('octocat');
    expect(check?.output.text).toContain('octocat');
    expect(problems).toEqual([]);
  });

  it('refuses a results file whose phase is not a phase (it would reach a table as HTML), concluding the check failed with why', async () => {
    const results = JSON.parse(JSON.stringify(buildRun([buildScenario()]))) as RunResult;
    (results.scenarios[0].phases[1] as { phase: string }).phase = '<img src="https://evil.example/px.gif">';
    const run = await report(writeArtifact(results), workflowRunEvent('success'));
    expect(run.main.code).toBe(1);
    expect(run.main.stdout).toMatch(
      /::error::chaos-action: .*fork-results\/results\.json: scenarios\[0\]\.phases\[1\]\.phase: expected one of "warmup", "baseline", "fault", "recovery", "after"/,
    );
    expect(github.comments).toHaveLength(0);
    const [check] = github.checkRunsOn(HEAD_SHA);
    expect(check).toMatchObject({
      name: 'chaos report',
      statuses: ['in_progress', 'completed'],
      conclusion: 'failure',
    });
    expect(check.output.summary).toContain('scenarios\\[0\\].phases\\[1\\].phase');
    expect(surfaces(run).problems).toEqual([]);
  });
});

describe("finding 2: the report's check run cannot stand in for the gate", () => {
  it('is named `chaos report`, recomputes "pass" beside a violated threshold into a failure', async () => {
    const scenario = buildScenario(
      { name: 'cache-down' },
      { outcome: 'pass', thresholds: [buildThreshold({ passed: false })] },
    );
    const forged = buildRun([scenario], { outcome: 'pass', violations: 0 });
    const run = await report(writeArtifact(forged), workflowRunEvent('success'));
    expect(run.outputs.result).toBe('fail');
    expect(github.checkRunsOn(HEAD_SHA)).toEqual([
      expect.objectContaining({ name: 'chaos report', conclusion: 'failure' }),
    ]);
    expect(github.commentsOn(PR_NUMBER)[0].body).toContain('❌ chaos gate failed');
  });

  it('is never better than the gate run: a passing results file after a failed gate run concludes failure', async () => {
    const run = await report(writeArtifact(buildRun([buildScenario()])), workflowRunEvent('failure'));
    expect(run.outputs.result).toBe('pass');
    expect(github.checkRunsOn(HEAD_SHA)).toEqual([
      expect.objectContaining({ name: 'chaos report', conclusion: 'failure' }),
    ]);
  });

  it('says success only when the results and the gate run both do', async () => {
    await report(writeArtifact(buildRun([buildScenario()])), workflowRunEvent('success'));
    expect(github.checkRunsOn(HEAD_SHA)).toEqual([
      expect.objectContaining({ name: 'chaos report', conclusion: 'success' }),
    ]);
  });
});

describe('finding 5: the check is concluded on every path, and what it costs is capped', () => {
  it('a log line that is null in a report over the comment limit is refused; the check does not stay in progress', async () => {
    const scenario = buildScenario({}, { outcome: 'fail', logMatches: longLogs(400, 400) });
    const results = JSON.parse(JSON.stringify(buildRun([scenario]))) as RunResult;
    (results.scenarios[0].logMatches[0] as { line: unknown }).line = null;
    const run = await report(writeArtifact(results));
    expect(run.main.code).toBe(1);
    expect(github.checkRunsOn(HEAD_SHA)).toEqual([
      expect.objectContaining({ statuses: ['in_progress', 'completed'], conclusion: 'failure' }),
    ]);
  });

  it('a results file over 16 MiB is not read; the check concludes failure saying so', async () => {
    const huge = `${JSON.stringify(buildRun()).slice(0, -1)}, "pad": "${'x'.repeat(16 * 1024 * 1024)}"}`;
    const run = await report(writeArtifact(huge));
    expect(run.main.stdout).toMatch(/results\.json: \d+ bytes, more than the 16777216 a report reads/);
    expect(github.checkRunsOn(HEAD_SHA)[0]).toMatchObject({ conclusion: 'failure' });
  });

  it('5,000 violated thresholds cost one completion with 50 annotations', async () => {
    const thresholds = Array.from({ length: 1_000 }, (_, i) =>
      buildThreshold({ passed: false, line: i + 1 }),
    );
    const scenarios = Array.from({ length: 5 }, (_, i) =>
      buildScenario({ name: `s${i}` }, { outcome: 'fail', thresholds }),
    );
    const run = await report(writeArtifact(buildRun(scenarios)));
    expect(run.outputs.violations).toBe('5000');
    expect(github.requestsTo('PATCH', /\/check-runs\/\d+$/)).toHaveLength(1);
    expect(github.checkRunsOn(HEAD_SHA)[0].annotations).toHaveLength(50);
    expect(github.checkRunsOn(HEAD_SHA)[0].output.text).toContain(
      '4950 more violated threshold(s) than the 50 annotations a check run gets',
    );
  });
});

describe('finding 8: report mode runs on the workflow_run event only', () => {
  it.each(['pull_request_target', 'push', 'workflow_dispatch'])(
    'refuses %s (the commit would come from the artifact): no check run, no comment',
    async (name) => {
      const event = { name, payload: { repository: { name: 'shop', owner: { login: 'acme' } } } };
      const run = await report(writeArtifact(buildRun([buildScenario()])), event);
      expect(run.main.code).toBe(1);
      expect(run.main.stdout).toContain(`mode report runs on the workflow_run event`);
      expect(github.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    },
  );

  it('links only where the event points: the run page and files at the head commit', async () => {
    const results = buildRun([buildScenario()], { runUrl: 'https://evil.example/acme/shop/actions/runs/1' });
    const run = await report(writeArtifact(results), workflowRunEvent('success'));
    const { problems, comment } = surfaces(run);
    expect(comment).toContain('(https://github.example/acme/shop/actions/runs/4242)');
    expect(problems).toEqual([]);
    expect(
      readFileSync(path.join(path.dirname(run.outputs['results-json']), 'results.json'), 'utf8'),
    ).toContain('evil.example');
  });
});
