// What the entry answers (src/stack/entry-probe.ts) and the ready wait (src/scenario/readiness.ts),
// against small HTTP servers on loopback: no Docker.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isHealthPath, parameterFreeGets, probeEntry } from '../../../src/stack/entry-probe';
import { notServingReason, waitUntilServing } from '../../../src/scenario/readiness';

function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}
const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

const OPENAPI = {
  openapi: '3.0.0',
  paths: {
    '/healthz': { get: {} },
    '/items': { get: { parameters: [{ name: 'limit', in: 'query' }] } },
    '/items/{id}': { get: {} },
    '/search': { get: { parameters: [{ name: 'q', in: 'query', required: true }] } },
    '/orders': { post: {} },
    '/catalog': { get: {} },
  },
};

describe('the entry probe', () => {
  it('reads the parameter-free GETs of an OpenAPI document', () => {
    expect(parameterFreeGets(OPENAPI)).toEqual(['/healthz', '/items', '/catalog']);
    expect(parameterFreeGets({ swagger: '2.0', basePath: '/api/', paths: { '/pets': { get: {} } } })).toEqual(
      ['/api/pets'],
    );
    expect(isHealthPath('/healthz')).toBe(true);
    expect(isHealthPath('/v1/status')).toBe(true);
    expect(isHealthPath('/items')).toBe(false);
  });

  it('takes / when it answers 2xx with a body', async () => {
    const { url, server } = await serve((_, res) => res.end('hello'));
    servers.push(server);
    expect(await probeEntry(url)).toEqual({
      root: 'status 200, 5 bytes',
      links: [],
      request: { path: '/', why: '/ answered status 200, 5 bytes' },
      openapi: null,
    });
  });

  it('lists the same-origin links of / when it answers an HTML page, from the one answer it reads', async () => {
    let calls = 0;
    const { url, server } = await serve((req, res) => {
      if (req.url === '/') calls += 1;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<a href="/posts">posts</a> <a href="https://example.org/">out</a> <a href="about">about</a>');
    });
    servers.push(server);
    expect((await probeEntry(url)).links).toEqual(['/posts', '/about']);
    expect(calls).toBe(1);
  });

  it('else the first parameter-free GET of its OpenAPI document that is no health endpoint', async () => {
    const { url, server } = await serve((req, res) => {
      if (req.url === '/v3/api-docs') return res.end(JSON.stringify(OPENAPI));
      if (req.url === '/healthz') return res.end('ok');
      if (req.url === '/items') return res.end('[]');
      res.statusCode = 404;
      res.end();
    });
    servers.push(server);
    const probe = await probeEntry(url);
    expect(probe.openapi).toEqual({ path: '/v3/api-docs', operations: ['/healthz', '/items', '/catalog'] });
    expect(probe.request).toEqual({
      path: '/items',
      why: 'from /v3/api-docs: answered status 200, 2 bytes (/ answered status 404, 0 bytes)',
    });
  });
});

describe('ready means serving', () => {
  it('waits through refusals and 502s until the entry answers twice in a row', async () => {
    let calls = 0;
    const { url, server } = await serve((_, res) => {
      calls += 1;
      if (calls <= 2) return res.socket?.destroy();
      res.statusCode = calls <= 4 ? 502 : 404; // 404 is below 500: the application answers
      res.end();
    });
    servers.push(server);
    const ready = await waitUntilServing({ targetUrl: url, path: '/', status: '< 500' }, 60_000, {
      intervalMs: 10,
    });
    expect(ready).toMatchObject({ ok: true, last: 'status 404' });
    expect(calls).toBe(6);
  });

  it('gives up at the bound, saying how long it waited and what it answered last', async () => {
    const { url, server } = await serve((_, res) => {
      res.statusCode = 503;
      res.end();
    });
    servers.push(server);
    let now = 0;
    const check = { targetUrl: url, path: '/', status: '< 500' };
    const ready = await waitUntilServing(check, 3000, {
      now: () => now,
      sleep: async () => {
        now += 1000;
      },
    });
    expect(ready).toEqual({ ok: false, waitedMs: 3000, last: 'status 503, expected below 500' });
    expect(notServingReason(check, ready)).toBe(
      `the stack never served: GET ${url}/ answering any status below 500 did not hold within 3s (last answer: status 503, expected below 500)`,
    );
  });
});
