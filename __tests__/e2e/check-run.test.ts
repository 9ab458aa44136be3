// The check run `chaos` (and report mode's `chaos report`), warning thresholds and fork-safe
// reporting, through the packaged action run the way the runner runs it
// (__tests__/helpers/action-runner.ts) against a loopback server that speaks GitHub's
// check-run, comment and pull-request endpoints with their limits.
//
// One small stack (the notes fixture: a Node API on Redis) in a fresh checkout that plays the
// user's repository, with two short load-only scenarios of its own: a warning that is always
// violated, and an error that is always violated. Three runs of the gate (about 25 s each) and
// one report-mode run, which starts no Docker.
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../../src/results';
import { HEAD_SHA, PR_NUMBER, runPackagedAction, type ActionRun } from '../helpers/action-runner';
import { GitHubApiServer } from '../helpers/github-api-server';
import { NOTHING_LEFT, projectLeftovers } from '../helpers/leftovers';

const root = path.join(__dirname, '../..');
jest.setTimeout(10 * 60_000);

/** A load-only scenario (1 s warm-up, 3 s baseline, 1 s after) judged on its baseline phase. */
const scenario = (name: string, thresholds: string[]): string =>
  [
    `name: ${name}`,
    `title: ${name}`,
    'hypothesis: The notes API answers under a little load.',
    'target: { role: api }',
    'fault: { type: none }',
    'load:',
    '  request: { method: GET, path: /notes/7, expect: { status: 200 } }',
    '  rate: 20/s',
    'phases: { warmup: 1s, baseline: 3s, fault: 1s, recovery: 0s, after: 1s }',
    'steady-state:',
    '  - http: { path: /ping, status: 200 }',
    'thresholds:',
    ...thresholds.map((t) => `  - ${t}`),
    '',
  ].join('\n');

/** The notes fixture as a user's repository, with its chaos scenarios under chaos/. */
function checkout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaos-check-run-'));
  cpSync(path.join(root, '__tests__/fixtures/stacks/notes'), dir, { recursive: true });
  mkdirSync(path.join(dir, 'chaos'));
  // Line 14: the always-violated warning (no request may complete: some always do).
  writeFileSync(
    path.join(dir, 'chaos/warn-only.yml'),
    scenario('warn-only', [
      'baseline: error_rate < 5%',
      "{ threshold: 'baseline: requests < 1', severity: warning }",
    ]),
  );
  writeFileSync(
    path.join(dir, 'chaos/hard-fail.yml'),
    scenario('hard-fail', ['baseline: error_rate < 5%', 'baseline: requests < 1']),
  );
  return dir;
}

const FORK_EVENT = {
  name: 'pull_request',
  payload: {
    action: 'synchronize',
    number: PR_NUMBER,
    pull_request: {
      number: PR_NUMBER,
      head: { sha: HEAD_SHA, repo: { full_name: 'mallory/shop', fork: true } },
      base: { repo: { full_name: 'acme/shop' } },
      labels: [],
    },
    repository: { name: 'shop', owner: { login: 'acme' } },
  },
};

/** The chaos-report workflow's event: the gate workflow's run completed for the fork's head. */
const WORKFLOW_RUN_EVENT = {
  name: 'workflow_run',
  payload: {
    action: 'completed',
    workflow_run: {
      id: 4242,
      event: 'pull_request',
      head_sha: HEAD_SHA,
      head_repository: { full_name: 'mallory/shop' },
      html_url: 'https://github.example/acme/shop/actions/runs/4242',
      pull_requests: [],
      conclusion: 'failure',
    },
    repository: { name: 'shop', owner: { login: 'acme' } },
  },
};

function gate(
  apiUrl: string,
  workspace: string,
  scenarioName: string,
  resultsDir: string,
  event?: { name: string; payload: Record<string, unknown> },
): Promise<ActionRun> {
  return runPackagedAction({
    apiUrl,
    workspace,
    event,
    inputs: {
      'compose-file': 'docker-compose.yml',
      'service-map': 'api=notes, cache=notes-redis',
      'scenarios-dir': 'chaos',
      scenarios: scenarioName,
      'health-path': '/ping',
      'github-token': 'ghs_e2e_token',
      'results-dir': resultsDir,
    },
  });
}

async function expectNothingLeft(run: ActionRun): Promise<void> {
  expect(run.post.code).toBe(0);
  expect(await projectLeftovers(run.state['compose-project'])).toEqual(NOTHING_LEFT);
}

describe('the check run and warnings on a pull request of the repository', () => {
  const github = new GitHubApiServer({
    tokenKind: 'installation',
    token: 'ghs_e2e_token',
    pulls: [{ number: PR_NUMBER, state: 'open', headSha: HEAD_SHA }],
  });
  let apiUrl: string;
  let workspace: string;
  beforeAll(async () => {
    apiUrl = await github.start();
    workspace = checkout();
  });
  afterAll(() => github.stop());

  it('passes a warning-only violation: exit 0, warnings=1, a neutral check run with a warning annotation, ⚠ in the comment', async () => {
    const run = await gate(
      apiUrl,
      workspace,
      'warn-only',
      mkdtempSync(path.join(tmpdir(), 'chaos-results-')),
    );
    expect({ code: run.main.code, tail: run.main.code === 0 ? '' : run.main.stdout.slice(-3000) }).toEqual({
      code: 0,
      tail: '',
    });
    expect(run.outputs.result).toBe('pass');
    expect(run.outputs.violations).toBe('0');
    expect(run.outputs.warnings).toBe('1');
    const results = JSON.parse(readFileSync(run.outputs['results-json'], 'utf8')) as RunResult;
    expect(results.warnings).toBe(1);
    expect(results.scenarios[0].thresholds[1]).toMatchObject({ passed: false, severity: 'warning' });

    // One check run, in progress first, then neutral, with one warning annotation on line 14.
    const checks = github.checkRunsOn(HEAD_SHA);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({
      name: 'chaos',
      statuses: ['in_progress', 'completed'],
      conclusion: 'neutral',
    });
    expect(checks[0].annotations).toEqual([
      expect.objectContaining({ path: 'chaos/warn-only.yml', start_line: 14, annotation_level: 'warning' }),
    ]);
    expect(checks[0].output.title).toMatch(/^✅ chaos gate passed with 1 warning ⚠/);
    expect(checks[0].output.text).toContain('⚠ <code>baseline: requests &lt; 1</code> (warning)');

    // The warning annotation in the log, on the repository file.
    expect(run.main.stdout).toMatch(
      /^::warning title=chaos%3A warn-only broke a warning threshold,file=chaos\/warn-only\.yml,line=14::baseline: requests < 1: actual \d+/m,
    );
    expect(run.main.stdout).not.toMatch(/^::error/m);

    const [comment] = github.commentsOn(PR_NUMBER);
    expect(comment.body).toContain('chaos gate passed with 1 warning ⚠');
    expect(comment.body).toMatch(/\| ⚠ \| <code>baseline: requests &lt; 1<\/code> <sub>warning<\/sub> \|/);
    // The scenario file links to its line at the PR's head commit, not an absolute runner path.
    expect(comment.body).toContain(
      `[chaos/warn-only.yml:14](https://github.example/acme/shop/blob/${HEAD_SHA}/chaos/warn-only.yml#L14)`,
    );
    expect(comment.body).not.toContain(workspace);
    expect(run.summary).toContain('passed with 1 warning');
    await expectNothingLeft(run);
  });

  it('fails an error violation: the check run concludes failure with a failure annotation', async () => {
    const run = await gate(
      apiUrl,
      workspace,
      'hard-fail',
      mkdtempSync(path.join(tmpdir(), 'chaos-results-')),
    );
    expect(run.main.code).not.toBe(0);
    expect(run.outputs.result).toBe('fail');
    expect(run.outputs.warnings).toBe('0');
    const checks = github.checkRunsOn(HEAD_SHA);
    expect(checks).toHaveLength(2);
    expect(checks[1]).toMatchObject({
      name: 'chaos',
      statuses: ['in_progress', 'completed'],
      conclusion: 'failure',
    });
    expect(checks[1].annotations).toEqual([
      expect.objectContaining({ path: 'chaos/hard-fail.yml', start_line: 14, annotation_level: 'failure' }),
    ]);
    // The same sticky comment, updated.
    expect(github.commentsOn(PR_NUMBER)).toHaveLength(1);
    expect(github.commentsOn(PR_NUMBER)[0].body).toContain('❌ chaos gate failed');
    await expectNothingLeft(run);
  });
});

describe('a pull request from a fork, published by the chaos-report workflow (mode: report)', () => {
  const github = new GitHubApiServer({
    tokenKind: 'installation',
    token: 'ghs_e2e_token',
    forbidWrites: true,
    pulls: [{ number: PR_NUMBER, state: 'open', headSha: HEAD_SHA }],
  });
  let apiUrl: string;
  beforeAll(async () => {
    apiUrl = await github.start();
  });
  afterAll(() => github.stop());

  it('saves results, report and PR metadata on the read-only run, then posts one comment and one check run', async () => {
    const workspace = checkout();
    const resultsDir = path.join(workspace, 'chaos-results');
    // The pull request's checkout puts a symlink where the metadata goes (issue 27, finding 6):
    // the file is written in its place, and what it points to is left as it was.
    mkdirSync(resultsDir);
    const victim = path.join(workspace, 'victim.sh');
    writeFileSync(victim, 'echo untouched\n');
    symlinkSync(victim, path.join(resultsDir, 'pull-request.json'));
    const fork = await gate(apiUrl, workspace, 'hard-fail', resultsDir, FORK_EVENT);
    expect(fork.main.code).not.toBe(0);
    expect(fork.outputs.result).toBe('fail');
    expect(fork.main.stdout).toMatch(/check run: not written \(HTTP 403/);
    expect(fork.main.stdout).toMatch(/pull request from a fork \(mallory\/shop\)/);
    expect(github.comments).toHaveLength(0);
    expect(github.checkRuns).toHaveLength(0);
    for (const file of ['results.json', 'report.md', 'pull-request.json']) {
      expect(existsSync(path.join(resultsDir, file))).toBe(true);
    }
    expect(readFileSync(victim, 'utf8')).toBe('echo untouched\n');
    expect(lstatSync(path.join(resultsDir, 'pull-request.json')).isFile()).toBe(true);
    expect(JSON.parse(readFileSync(path.join(resultsDir, 'pull-request.json'), 'utf8'))).toMatchObject({
      number: PR_NUMBER,
      headSha: HEAD_SHA,
      repository: 'acme/shop',
      headRepository: 'mallory/shop',
      fork: true,
    });
    await expectNothingLeft(fork);

    // The artifact, downloaded by the second workflow into a directory of the base checkout.
    const base = mkdtempSync(path.join(tmpdir(), 'chaos-report-'));
    cpSync(resultsDir, path.join(base, 'fork-results'), { recursive: true });
    github.options.forbidWrites = false;
    const report = await runPackagedAction({
      apiUrl,
      workspace: base,
      event: WORKFLOW_RUN_EVENT,
      env: { GITHUB_WORKFLOW: 'chaos-report', GITHUB_JOB: 'publish', GITHUB_RUN_ID: '4343' },
      inputs: { mode: 'report', 'results-dir': 'fork-results', 'github-token': 'ghs_e2e_token' },
    });
    expect({ code: report.main.code, stderr: report.main.stderr }).toEqual({ code: 0, stderr: '' });
    expect(report.main.stdout).not.toMatch(/docker|compose up/i);
    expect(report.outputs.result).toBe('fail');
    expect(report.state['compose-project']).toBeUndefined();

    const comments = github.commentsOn(PR_NUMBER);
    expect(comments).toHaveLength(1);
    // The marker of the gate's workflow and job: a later run of the gate updates this comment.
    expect(comments[0].body).toContain('<!-- chaos-action:sticky workflow=chaos job=gate -->');
    expect(comments[0].body).toContain('❌ chaos gate failed');
    expect(comments[0].body).toContain('https://github.example/acme/shop/actions/runs/4242');
    // Its own check, `chaos report`: the gate's `chaos` stays the gate job's to write.
    const checks = github.checkRunsOn(HEAD_SHA);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({
      name: 'chaos report',
      conclusion: 'failure',
      owner: 'acme',
      repo: 'shop',
    });
    expect(checks[0].annotations).toEqual([
      expect.objectContaining({ path: 'chaos/hard-fail.yml', start_line: 14, annotation_level: 'failure' }),
    ]);
    expect(github.requestsTo('GET', /\/repos\/acme\/shop\/pulls\/7$/)).toHaveLength(1);
  });
});
