// The gate adopted on the storefront fixture stack (Python + nginx + memcached, without telemetry or Prometheus): `init`, `validate`,
// then the packaged action; the resilient variant passes and the fragile one fails on the
// threshold that states its flaw (__tests__/helpers/adopt.ts).
import {
  checkout,
  expectNothingLeft,
  FRAGILE,
  gateOnLoopbackGitHub,
  initAndValidate,
  scenario,
  violated,
} from '../helpers/adopt';

jest.setTimeout(15 * 60_000);

const { start, stop, gate } = gateOnLoopbackGitHub();
beforeAll(start);
afterAll(stop);

describe('storefront: no telemetry service, no Prometheus', () => {
  const dir = checkout('storefront');
  let said = '';
  beforeAll(async () => {
    said = await initAndValidate(dir);
  });

  it('init infers the roles, the health check and the port, and says what it could not', () => {
    expect(said).toMatch(
      /^ {2}api {7}= storefront \(the entry: it publishes 8080; no service depends on it; its healthcheck is an HTTP request\)$/m,
    );
    expect(said).toMatch(/^ {2}cache {5}= memcached \(memcached \(image chaos-fixture-memcached:local\)\)$/m);
    expect(said).toContain(
      'health check GET /health answering 200 (from the healthcheck of service storefront)',
    );
    expect(said).toMatch(/no telemetry dependency: otel-collector-failure is skipped/);
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
