// The packaged action run the way the Actions runner runs it: `node dist/index.js` with
// INPUT_* variables, a pull_request event file, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY /
// GITHUB_STATE files and GITHUB_API_URL pointing at a loopback server that speaks GitHub's
// REST endpoints; then `node dist/post/index.js` with the state the main step saved.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execCommand, type ExecResult } from '../../src/util/exec';
import { GitHubApiServer } from '../helpers/github-api-server';
import { projectLeftovers, NOTHING_LEFT } from '../helpers/leftovers';

const root = path.join(__dirname, '../..');
const NAIVE = 'examples/fraud-api/docker-compose.yml\nexamples/fraud-api/docker-compose.naive.yml';
const RESILIENT = 'examples/fraud-api/docker-compose.yml';
const PR_NUMBER = 7;
const HEAD_SHA = 'c0ffee0000000000000000000000000000000042';
jest.setTimeout(600_000);

interface ActionRun {
  main: ExecResult;
  post: ExecResult;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

/** Reads the runner's `name<<delimiter` file format (GITHUB_OUTPUT, GITHUB_STATE). */
function readCommandFile(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  if (!existsSync(file)) return values;
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]);
    values[name] = value.join('\n');
  }
  return values;
}

async function runAction(apiUrl: string, composeFile: string): Promise<ActionRun> {
  const work = mkdtempSync(path.join(tmpdir(), 'chaos-action-e2e-'));
  const files = {
    event: path.join(work, 'event.json'),
    output: path.join(work, 'output'),
    summary: path.join(work, 'summary.md'),
    state: path.join(work, 'state'),
  };
  for (const file of [files.output, files.summary, files.state]) writeFileSync(file, '');
  writeFileSync(
    files.event,
    JSON.stringify({
      action: 'synchronize',
      number: PR_NUMBER,
      pull_request: { number: PR_NUMBER, head: { sha: HEAD_SHA }, labels: [{ name: 'bug' }] },
      repository: { name: 'shop', owner: { login: 'acme' } },
    }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    EXTRA_CA_CERTS_PEM: process.env.EXTRA_CA_CERTS_PEM,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: 'merge000000000000000000000000000000000000',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_API_URL: apiUrl,
    GITHUB_WORKFLOW: 'chaos',
    GITHUB_JOB: 'gate',
    GITHUB_WORKSPACE: root,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    RUNNER_TEMP: work,
    'INPUT_CONFIG-FILE': 'examples/fraud-api/chaos-action.yml',
    'INPUT_COMPOSE-FILE': composeFile,
    INPUT_SUITE: 'auto',
    INPUT_SCENARIOS: 'otel-collector-failure',
    INPUT_SCALE: '0.5',
    'INPUT_GITHUB-TOKEN': 'ghs_e2e_token',
    INPUT_COMMENT: 'true',
    'INPUT_FAIL-ON-VIOLATION': 'true',
    'INPUT_FULL-SUITE-LABEL': 'chaos:full',
    'INPUT_RESULTS-DIR': path.join(work, 'results'),
    'INPUT_WORKING-DIRECTORY': '.',
  };
  const main = await execCommand(process.execPath, [path.join(root, 'dist/index.js')], { env, cwd: root });
  const state = readCommandFile(files.state);
  const stateEnv = Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
  const post = await execCommand(process.execPath, [path.join(root, 'dist/post/index.js')], {
    env: { ...env, ...stateEnv },
    cwd: root,
  });
  return {
    main,
    post,
    outputs: readCommandFile(files.output),
    state,
    summary: readFileSync(files.summary, 'utf8'),
  };
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
