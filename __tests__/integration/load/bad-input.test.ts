// Acceptance: bad input is refused with a clear error before any load starts.
import { LoadSpecError, TargetUnreachableError, startLoad, type LoadSpec } from '../../../src/load';
import { type TestServer, closedPortUrl, startServer } from './servers';

describe('bad load specs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_request, response) => response.end('ok'));
  });
  afterAll(() => server.close());

  it.each<[string, Partial<LoadSpec>, RegExp]>([
    ['a rate of 0', { rate: '0/s', duration: '5s' }, /rate: must be > 0/],
    ['a negative duration', { rate: '10/s', duration: '-5s' }, /duration: .*"-5s"/],
    ['an unparsable duration', { rate: '10/s', duration: 'soon' }, /duration: "soon" is not a duration/],
    [
      'an unparsable stage duration',
      { stages: [{ rate: '10/s', duration: '5 parsecs' }] },
      /stages\[0\]\.duration/,
    ],
    ['a negative think time', { users: 3, duration: '1s', think: '-1s' }, /think: /],
  ])('refuses %s before sending anything', async (_label, fields, message) => {
    await expect(startLoad({ url: server.url, ...fields })).rejects.toThrow(LoadSpecError);
    await expect(startLoad({ url: server.url, ...fields })).rejects.toThrow(message);
    expect(server.hits()).toBe(0);
  });

  it('refuses a malformed URL', async () => {
    await expect(startLoad({ url: 'http//127.0.0.1:80/', rate: '10/s', duration: '1s' })).rejects.toThrow(
      /url: "http\/\/127\.0\.0\.1:80\/" is not a valid URL/,
    );
  });

  it('refuses an unreachable target at pre-connect, quickly', async () => {
    const url = await closedPortUrl();
    const started = Date.now();
    const attempt = startLoad({ url, rate: '10/s', duration: '1s' });
    await expect(attempt).rejects.toThrow(TargetUnreachableError);
    await expect(startLoad({ url, rate: '10/s', duration: '1s' })).rejects.toThrow(
      /cannot reach .*ECONNREFUSED/,
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('sends nothing at pre-connect: connections open, no request', async () => {
    const run = await startLoad({ url: server.url, rate: '1/s', duration: '1s', preconnect: 4 });
    // The first send is planned at t0 and goes out on the next tick; nothing went before it.
    expect(server.hits()).toBe(0);
    await run.done;
    expect(server.hits()).toBe(1);
  });
});
