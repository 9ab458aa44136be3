// The gate adopted on the notes fixture stack (Node + a Redis without a healthcheck): `init`, `validate`,
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

describe('notes: a Redis without a healthcheck', () => {
  const dir = checkout('notes');
  const inputs = { request: 'GET /notes/7', scenarios: 'redis-failure' };
  let said = '';
  beforeAll(async () => {
    said = await initAndValidate(dir);
  });

  it('init maps the cache by its image although it has no healthcheck', () => {
    expect(said).toMatch(/^ {2}cache {5}= notes-redis \(redis \(image chaos-fixture-redis:local\)\)$/m);
    expect(said).toMatch(/^ {2}api {7}= notes \(the entry: /m);
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
