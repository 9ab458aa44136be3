// Each failure is counted under its own kind, over the scheduled requests.
import { startLoad, type LoadSpec } from '../../../src/load';
import { type TestServer, startServer } from './servers';

jest.setTimeout(30_000);

describe('error kinds', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((request, response) => {
      if (request.url === '/fail') response.writeHead(503).end('busy');
      else if (request.url === '/hang') setTimeout(() => response.end('late'), 1500);
      else if (request.url === '/reset') request.socket.destroy();
      else if (request.url === '/json')
        response.end(JSON.stringify({ result: { ok: request.method === 'POST' } }));
      else response.end('all good');
    });
  });
  afterAll(() => server.close());

  const run = async (
    fields: Partial<LoadSpec>,
  ): Promise<ReturnType<Awaited<ReturnType<typeof startLoad>>['result']>> => {
    const load = await startLoad({ url: server.url, rate: '40/s', duration: '500ms', ...fields });
    await load.done;
    return load.result();
  };

  it('counts non-2xx responses', async () => {
    const { total } = await run({ request: { path: '/fail' } });
    expect(total.errors).toEqual({ non2xx: 20 });
    expect(total.errorRate).toBe(1);
  });

  it('counts timeouts', async () => {
    const { total } = await run({ request: { path: '/hang' }, timeout: '300ms' });
    expect(total.errors).toEqual({ timeout: 20 });
    expect(total.p50Ms).toBeGreaterThanOrEqual(300);
  });

  it('counts connection resets', async () => {
    const { total } = await run({ request: { path: '/reset' } });
    expect(total.errors).toEqual({ reset: 20 });
  });

  it('accepts exactly the statuses of an expect.status list', async () => {
    expect((await run({ request: { path: '/fail' }, expect: { status: [200, 503] } })).total.errors).toEqual(
      {},
    );
    expect((await run({ expect: { status: [201] } })).total.errors).toEqual({ unexpected_status: 20 });
    expect((await run({ request: { path: '/fail' }, expect: { status: [200] } })).total.errors).toEqual({
      non2xx: 20,
    });
  });

  it('checks expected body text and JSON fields', async () => {
    expect((await run({ expect: { bodyContains: 'good' } })).total.errors).toEqual({});
    expect((await run({ expect: { bodyContains: 'great' } })).total.errors).toEqual({ body_mismatch: 20 });
    const posted = await run({
      request: { method: 'POST', path: '/json', json: { amount: 1 } },
      expect: { json: { 'result.ok': true } },
    });
    expect(posted.total.errors).toEqual({});
    const got = await run({ request: { path: '/json' }, expect: { json: { 'result.ok': true } } });
    expect(got.total.errors).toEqual({ body_mismatch: 20 });
  });

  it('drops sends beyond the outstanding cap instead of queueing them', async () => {
    const { total } = await run({ request: { path: '/hang' }, maxOutstanding: 5, timeout: '2s' });
    expect(total.scheduled).toBe(20);
    expect(total.errors).toEqual({ dropped: 15 });
    expect(total.completed).toBe(5);
  });
});
