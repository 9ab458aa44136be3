// The gate on stacks it has never seen, as a new user adopts it: `chaos-action init` on the
// stack's compose file, `validate`, then the packaged action the way the runner runs it. Three
// fixture stacks that differ from the example and from each other (Python + nginx + memcached
// without telemetry or Prometheus; Perl + PostgreSQL + a zipkin sink; Node + a Redis without a
// healthcheck; __tests__/fixtures/stacks/README.md), each resilient and deliberately fragile:
// the resilient one passes and the fragile one fails on the threshold that states its flaw.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult, ScenarioResult } from '../../src/results';
import { execCommand } from '../../src/util/exec';
import { runPackagedAction, type ActionRun } from '../helpers/action-runner';
import { GitHubApiServer } from '../helpers/github-api-server';
import { NOTHING_LEFT, projectLeftovers } from '../helpers/leftovers';

const root = path.join(__dirname, '../..');
const cli = path.join(root, 'dist/cli/index.js');
const FRAGILE = 'docker-compose.yml\ndocker-compose.fragile.yml';
jest.setTimeout(15 * 60_000);

/** A fresh checkout of one fixture stack, as a user's repository. */
function checkout(stack: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `chaos-adopt-${stack}-`));
  cpSync(path.join(root, '__tests__/fixtures/stacks', stack), dir, { recursive: true });
  return dir;
}

async function initAndValidate(dir: string): Promise<string> {
  const init = await execCommand(process.execPath, [cli, 'init'], { cwd: dir });
  expect({ code: init.code, stderr: init.stderr }).toEqual({ code: 0, stderr: '' });
  const validate = await execCommand(process.execPath, [cli, 'validate', 'chaos-action.yml'], { cwd: dir });
  expect({ code: validate.code, stdout: validate.stdout, stderr: validate.stderr }).toMatchObject({
    code: 0,
    stdout: expect.stringContaining('chaos-action.yml (run config)'),
  });
  return init.stdout;
}

function results(run: ActionRun): RunResult {
  return JSON.parse(readFileSync(run.outputs['results-json'], 'utf8')) as RunResult;
}

function scenario(run: ActionRun, name: string): ScenarioResult {
  const found = results(run).scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no result for ${name}: ${run.main.stdout.slice(-3000)}`);
  return found;
}

const violated = (s: ScenarioResult): string[] =>
  s.thresholds.filter((t) => t.passed === false).map((t) => t.source);

async function expectNothingLeft(run: ActionRun): Promise<void> {
  expect(run.post.code).toBe(0);
  expect(await projectLeftovers(run.state['compose-project'])).toEqual(NOTHING_LEFT);
}

describe('adopting the gate on stacks that are not the example', () => {
  const github = new GitHubApiServer({ tokenKind: 'installation', token: 'ghs_e2e_token' });
  let apiUrl: string;
  const gate = (workspace: string, inputs: Record<string, string> = {}): Promise<ActionRun> =>
    runPackagedAction({
      apiUrl,
      workspace,
      inputs: { 'github-token': 'ghs_e2e_token', scale: '0.5', comment: 'false', ...inputs },
    });
  beforeAll(async () => {
    apiUrl = await github.start();
  });
  afterAll(() => github.stop());

  describe('storefront: no telemetry service, no Prometheus', () => {
    const dir = checkout('storefront');
    let said = '';
    beforeAll(async () => {
      said = await initAndValidate(dir);
    });

    it('init infers the roles, the health check and the port, and says what it could not', () => {
      expect(said).toMatch(
        /^ {2}api {7}= storefront \(it publishes port 8080 and has an HTTP healthcheck\)$/m,
      );
      expect(said).toMatch(/^ {2}cache {5}= memcached \(its name "memcached"\)$/m);
      expect(said).toContain('health check GET /health (from the healthcheck of service storefront)');
      expect(said).toMatch(/not inferred: a telemetry service: otel-collector-failure is skipped/);
    });

    it("passes the default suite with init's output alone: load-test passes, otel-collector-failure is skipped", async () => {
      const run = await gate(dir);
      expect({ code: run.main.code, result: run.outputs.result }).toEqual({ code: 0, result: 'pass' });
      expect(scenario(run, 'load-test').outcome).toBe('pass');
      expect(scenario(run, 'otel-collector-failure')).toMatchObject({
        outcome: 'skipped',
        reason: expect.stringContaining(
          'no telemetry service; to run it, map one (service-map: telemetry=SERVICE)',
        ),
      });
      expect(run.summary).toContain('⏭');
      await expectNothingLeft(run);
    });

    it('fails the fragile variant on latency under the load test, with the real request', async () => {
      const run = await gate(dir, { 'compose-file': FRAGILE, request: 'GET /item/42' });
      expect(run.main.code).not.toBe(0);
      expect(run.outputs.result).toBe('fail');
      expect(violated(scenario(run, 'load-test'))).toContain('p95 < 500ms');
      await expectNothingLeft(run);
    });
  });

  describe('ledger: PostgreSQL and a zipkin telemetry sink, no role labels', () => {
    const dir = checkout('ledger');
    const request = {
      request: 'POST /entries',
      'request-json': '{"account":"acc-7","amount_cents":1250}',
      'expect-status': '201',
    };
    let said = '';
    beforeAll(async () => {
      said = await initAndValidate(dir);
    });

    it('init finds the api and the telemetry sink by name', () => {
      expect(said).toMatch(/^ {2}telemetry = zipkin \(its name "zipkin"\)$/m);
      expect(said).toMatch(/^ {2}api {7}= ledger-api \(it publishes port 9000/m);
      expect(said).toContain('health check GET /status (from the healthcheck of service ledger-api)');
    });

    it('passes the default suite on the resilient variant', async () => {
      const run = await gate(dir, request);
      expect({ code: run.main.code, result: run.outputs.result }).toEqual({ code: 0, result: 'pass' });
      expect(results(run).scenarios.map((s) => `${s.name} ${s.outcome}`)).toEqual([
        'otel-collector-failure pass',
        'load-test pass',
      ]);
      await expectNothingLeft(run);
    });

    it('fails the fragile variant: a telemetry outage becomes customer-facing errors', async () => {
      const run = await gate(dir, { ...request, 'compose-file': FRAGILE });
      expect(run.outputs.result).toBe('fail');
      const otel = scenario(run, 'otel-collector-failure');
      expect(otel.outcome).toBe('fail');
      expect(violated(otel)).toContain('fault: error_rate < 0.1%');
      await expectNothingLeft(run);
    });
  });

  describe('notes: a Redis without a healthcheck', () => {
    const dir = checkout('notes');
    const inputs = { request: 'GET /notes/7', scenarios: 'redis-failure' };
    let said = '';
    beforeAll(async () => {
      said = await initAndValidate(dir);
    });

    it('init maps the cache by name although it has no healthcheck', () => {
      expect(said).toMatch(/^ {2}cache {5}= notes-redis \(its name "notes-redis"\)$/m);
      expect(said).toMatch(/^ {2}api {7}= notes \(/m);
    });

    it('passes redis-failure on the resilient variant', async () => {
      const run = await gate(dir, inputs);
      expect({ code: run.main.code, result: run.outputs.result }).toEqual({ code: 0, result: 'pass' });
      await expectNothingLeft(run);
    });

    it('fails redis-failure on the fragile variant: requests fail instead of degrading', async () => {
      const run = await gate(dir, { ...inputs, 'compose-file': FRAGILE });
      expect(run.outputs.result).toBe('fail');
      expect(violated(scenario(run, 'redis-failure'))).toContain('fault: error_rate < 1%');
      await expectNothingLeft(run);
    });
  });
});
