import { LoadSpecError, validateLoadSpec } from '../../../src/load/spec';
import type { LoadSpec } from '../../../src/load/types';

const URL = 'http://127.0.0.1:8080/v1/predict';

function problemsOf(spec: LoadSpec): string[] {
  try {
    validateLoadSpec(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(LoadSpecError);
    return (error as LoadSpecError).problems;
  }
  throw new Error('expected the spec to be refused');
}

describe('validateLoadSpec', () => {
  it('resolves an open-model spec', () => {
    const spec = validateLoadSpec({
      url: URL,
      rate: '50/s',
      duration: '2s',
      request: { method: 'post', json: { amount: 1 } },
    });
    expect(spec.model).toBe('open');
    expect(spec.arrivals?.totalArrivals).toBe(100);
    expect(spec.mix.origin).toBe('http://127.0.0.1:8080');
    expect(spec.mix.entries[0]).toMatchObject({
      name: 'POST /v1/predict',
      path: '/v1/predict',
      method: 'POST',
    });
    expect(spec.mix.entries[0].request.fixed?.toString('latin1')).toBe(
      'POST /v1/predict HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nuser-agent: chaos-action-load\r\n' +
        'content-type: application/json\r\ncontent-length: 12\r\n\r\n{"amount":1}',
    );
  });

  it('refuses a rate of 0', () => {
    expect(problemsOf({ url: URL, rate: '0/s', duration: '10s' })).toEqual([
      expect.stringMatching(/^rate: must be > 0/),
    ]);
  });

  it('refuses negative and unparsable durations, naming the field', () => {
    expect(problemsOf({ url: URL, rate: 10, duration: '-5s' })).toEqual([
      expect.stringMatching(/^duration: .*-5s/),
    ]);
    expect(problemsOf({ url: URL, rate: 10, duration: 'ten seconds' })).toEqual([
      expect.stringMatching(/^duration: .*not a duration/),
    ]);
    expect(problemsOf({ url: URL, stages: [{ rate: 10, duration: '10x' }] })).toEqual([
      expect.stringMatching(/^stages\[0\]\.duration/),
    ]);
    expect(problemsOf({ url: URL, users: 5, duration: '5s', think: '-1s' })).toEqual([
      expect.stringMatching(/^think/),
    ]);
    expect(problemsOf({ url: URL, rate: 10, duration: '0s' })).toEqual([
      expect.stringMatching(/^duration: must be > 0/),
    ]);
  });

  it('refuses malformed URLs', () => {
    expect(problemsOf({ url: 'http//127.0.0.1', rate: 10, duration: '1s' })).toEqual([
      expect.stringMatching(/^url: .* is not a valid URL/),
    ]);
    expect(problemsOf({ url: 'ftp://127.0.0.1/', rate: 10, duration: '1s' })).toEqual([
      expect.stringMatching(/must use http or https/),
    ]);
  });

  it('refuses headers that would corrupt the request or contradict its framing', () => {
    const request = (headers: Record<string, string>) => ({
      url: URL,
      rate: 10,
      duration: '1s',
      request: { headers },
    });
    expect(problemsOf(request({ 'x-trace': 'a\r\nx-injected: 1' }))).toEqual([
      'request.headers.x-trace: must be a single-line string',
    ]);
    expect(problemsOf(request({ 'bad name': 'x' }))).toEqual([
      'request.headers: "bad name" is not a valid header name',
    ]);
    expect(problemsOf(request({ 'Content-Length': '3' }))).toEqual([
      'request.headers.Content-Length: set by the load generator itself; remove it',
    ]);
    expect(
      validateLoadSpec(
        request({ authorization: 'Bearer x', 'x-id': '1' }),
      ).mix.entries[0].request.fixed?.toString(),
    ).toContain('authorization: Bearer x\r\nx-id: 1\r\n\r\n');
  });

  it('refuses ambiguous or missing models and lists every problem at once', () => {
    expect(problemsOf({ url: URL, rate: 10, users: 5, duration: '1s' })[0]).toMatch(/not both/);
    expect(problemsOf({ url: URL })[0]).toMatch(/give rate\/stages/);
    expect(problemsOf({ url: 'nope', rate: 0, duration: 'x' })).toHaveLength(3);
  });

  it('takes turns (interleave) only in the closed model, on slot 0 or 1', () => {
    const interleave = { slot: 1 as const, startAtMs: 5000 };
    expect(validateLoadSpec({ url: URL, users: 5, duration: '4s', interleave }).interleave).toEqual(
      interleave,
    );
    expect(problemsOf({ url: URL, rate: 10, duration: '4s', interleave })).toEqual([
      'interleave: only the closed model (users/userStages) takes turns',
    ]);
    expect(
      problemsOf({ url: URL, users: 5, duration: '4s', interleave: { slot: 2 as 0, startAtMs: Number.NaN } }),
    ).toEqual([
      'interleave.slot: must be 0 or 1 (got 2)',
      'interleave.startAtMs: must be a time on monotonicMs() (got NaN)',
    ]);
  });

  it('resolves a closed model with one connection per user', () => {
    const spec = validateLoadSpec({ url: URL, users: 20, think: '1s', duration: '10s' });
    expect(spec.model).toBe('closed');
    expect(spec.connections).toBe(20);
    expect(spec.thinkMs).toBe(1000);
    expect(spec.users?.usersAt(5000)).toBe(20);
  });
});
