// The gate adopted on the ledger fixture stack (Perl + PostgreSQL + a zipkin telemetry sink, no role labels): `init`, `validate`,
// then the packaged action; the resilient variant passes and the fragile one fails on the
// threshold that states its flaw (__tests__/helpers/adopt.ts).
import {
  checkout,
  expectNothingLeft,
  FRAGILE,
  gateOnLoopbackGitHub,
  initAndValidate,
  results,
  scenario,
  violated,
} from '../helpers/adopt';

jest.setTimeout(15 * 60_000);

const { start, stop, gate } = gateOnLoopbackGitHub();
beforeAll(start);
afterAll(stop);

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

  it('init finds the entry, the database and the telemetry sink (by the port it listens on)', () => {
    expect(said).toMatch(/^ {2}telemetry = zipkin \(zipkin \(port 9411 \(zipkin\)\)\)$/m);
    expect(said).toMatch(
      /^entry: ledger-api, port 9000, path \/ \(it publishes 9000; no service depends on it/m,
    );
    expect(said).toMatch(
      /^ {2}postgres +dependency +database: postgres \(image chaos-fixture-postgres:local\)$/m,
    );
    expect(said).toContain(
      'health check GET /status answering 200 (from the healthcheck of service ledger-api)',
    );
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
