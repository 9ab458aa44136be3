// The packaged action on the example stack, run as the Actions runner runs it
// (__tests__/helpers/action-runner.ts): the gate fails the naive stack and passes the
// resilient one, with outputs, the job summary and one sticky comment updated in place.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HEAD_SHA, PR_NUMBER, runPackagedAction, type ActionRun } from '../helpers/action-runner';
import { GitHubApiServer } from '../helpers/github-api-server';
import { projectLeftovers, NOTHING_LEFT } from '../helpers/leftovers';

const NAIVE = 'examples/fraud-api/docker-compose.yml\nexamples/fraud-api/docker-compose.naive.yml';
const RESILIENT = 'examples/fraud-api/docker-compose.yml';
jest.setTimeout(600_000);

/** The example's inputs for a gate run of one scenario, as the workflow gives them. */
function runAction(apiUrl: string, composeFile: string): Promise<ActionRun> {
  return runPackagedAction({
    apiUrl,
    inputs: {
      'config-file': 'examples/fraud-api/chaos-action.yml',
      'compose-file': composeFile,
      suite: 'auto',
      scenarios: 'otel-collector-failure',
      scale: '0.5',
      'github-token': 'ghs_e2e_token',
      comment: 'true',
      'fail-on-violation': 'true',
      'full-suite-label': 'chaos:full',
      'results-dir': mkdtempSync(path.join(tmpdir(), 'chaos-action-results-')),
      'working-directory': '.',
    },
  });
}

describe('the packaged action on a pull request', () => {
  const github = new GitHubApiServer({ tokenKind: 'installation', token: 'ghs_e2e_token' });
  let apiUrl: string;
  beforeAll(async () => {
    apiUrl = await github.start();
  });
  afterAll(() => github.stop());

  let naive: ActionRun;
  let resilient: ActionRun;

  it('fails the check on the naive stack, with outputs, summary and one sticky comment', async () => {
    naive = await runAction(apiUrl, NAIVE);
    expect(naive.main.code).not.toBe(0);
    expect(naive.main.stdout).toMatch(
      /::error::chaos gate failed: \d+ threshold\(s\) violated in otel-collector-failure/,
    );
    // An annotation on the scenario file line of the violated threshold.
    expect(naive.main.stdout).toMatch(
      /^::error title=chaos%3A otel-collector-failure violated its SLO,file=scenarios\/otel-collector-failure\.yml,line=\d+::fault: error_rate < 0\.1%25: actual [\d.]+%25, limit < 0\.1%25$/m,
    );
    expect(naive.outputs.result).toBe('fail');
    expect(Number(naive.outputs.violations)).toBeGreaterThan(0);
    expect(existsSync(naive.outputs['results-json'])).toBe(true);
    expect(existsSync(naive.outputs['report-path'])).toBe(true);
    const results = JSON.parse(readFileSync(naive.outputs['results-json'], 'utf8'));
    expect(results.outcome).toBe('fail');
    expect(results.commit).toBe(HEAD_SHA);
    expect(naive.summary).toContain('otel-collector-failure');
    expect(naive.summary).toContain('❌');
    const comments = github.commentsOn(PR_NUMBER);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('❌');
    expect(comments[0].body).toContain(HEAD_SHA.slice(0, 7));
    expect(comments[0].body).toContain('https://github.example/acme/shop/actions/runs/4242');
  });

  it('passes on the resilient stack and updates the same comment in place', async () => {
    resilient = await runAction(apiUrl, RESILIENT);
    expect(resilient.main.code).toBe(0);
    expect(resilient.outputs.result).toBe('pass');
    expect(resilient.outputs.violations).toBe('0');
    const comments = github.commentsOn(PR_NUMBER);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('✅');
    expect(comments[0].body).not.toContain('❌ fail');
    expect(github.requestsTo('PATCH', /\/repos\/acme\/shop\/issues\/comments\/\d+$/)).toHaveLength(1);
    expect(github.requestsTo('POST', /\/repos\/acme\/shop\/issues\/7\/comments$/)).toHaveLength(1);
  });

  it('leaves no container, network or volume of either run after the post step', async () => {
    for (const run of [naive, resilient]) {
      expect(run.post.code).toBe(0);
      const project = run.state['compose-project'];
      expect(project).toMatch(/^chaos-/);
      expect(await projectLeftovers(project)).toEqual(NOTHING_LEFT);
    }
  });
});

describe('the packaged action on a fork pull request (read-only token)', () => {
  const github = new GitHubApiServer({ tokenKind: 'installation', forbidWrites: true });
  afterAll(() => github.stop());

  it('writes the report to the job summary with a warning, and the gate still decides', async () => {
    const run = await runAction(await github.start(), RESILIENT);
    expect(run.main.code).toBe(0);
    expect(run.outputs.result).toBe('pass');
    expect(run.main.stdout).toMatch(/::warning::.*(403|fork|read-only|not accessible)/i);
    expect(github.comments).toHaveLength(0);
    expect(run.summary).toContain('otel-collector-failure');
    expect(run.post.code).toBe(0);
    expect(await projectLeftovers(run.state['compose-project'])).toEqual(NOTHING_LEFT);
  });
});
