// A mix against a loopback server: each request sent in its share, with the values its
// generators draw, judged by its own expectation and counted on its own; over worker threads
// the values follow the schedule exactly as one thread would draw them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLoad, type LoadSpec } from '../../../src/load';

jest.setTimeout(30_000);

interface Seen {
  method: string;
  url: string;
  body: string;
}

async function recordingServer(): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', body });
      // /missing answers 404, which its request accepts; /slow answers after 30 ms.
      if (request.url === '/missing') response.writeHead(404).end('no');
      else if (request.url?.startsWith('/slow')) setTimeout(() => response.end('ok'), 30);
      else response.end('ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const MIX: LoadSpec['requests'] = [
  {
    name: 'order',
    weight: 2,
    method: 'POST',
    path: '/orders/{{id}}',
    json: { user: '{{user}}', sku: 'sku-{{user}}' },
    values: { id: { kind: 'sequence', from: 1, step: 1 }, user: { kind: 'pick', values: [7, 8] } },
  },
  { name: 'missing', path: '/missing', expect: { status: [404] } },
  { name: 'slow', path: '/slow?u={{u}}', values: { u: { kind: 'uuid' } } },
];

describe('a request mix', () => {
  let server: Awaited<ReturnType<typeof recordingServer>>;
  beforeEach(async () => (server = await recordingServer()));
  afterEach(() => server.close());

  it('sends each request in its share with its drawn values, and reports each on its own', async () => {
    const run = await startLoad({ url: server.url, rate: '200/s', duration: '2s', requests: MIX });
    await run.done;
    const result = run.result();
    expect(result.total.scheduled).toBe(400);
    expect(result.total.errors).toEqual({});
    const byName = Object.fromEntries((result.total.requests ?? []).map((r) => [r.name, r]));
    expect([byName.order.scheduled, byName.missing.scheduled, byName.slow.scheduled]).toEqual([
      200, 100, 100,
    ]);
    expect(byName.slow.p50Ms).toBeGreaterThanOrEqual(30);
    // Each request's latency is its own: the slow one's 30 ms does not show in the others' middle.
    expect(byName.order.p50Ms).toBeLessThan(byName.slow.p50Ms as number);
    const orders = server.seen.filter((s) => s.method === 'POST');
    expect(orders.map((s) => s.url).sort()).toEqual(
      Array.from({ length: 200 }, (_, i) => `/orders/${i + 1}`).sort(),
    );
    for (const order of orders) {
      const body = JSON.parse(order.body) as { user: number; sku: string };
      expect([7, 8]).toContain(body.user);
      expect(body.sku).toBe(`sku-${body.user}`);
    }
    const uuids = server.seen.filter((s) => s.url.startsWith('/slow?u=')).map((s) => s.url);
    expect(new Set(uuids).size).toBe(100);
    expect(result.requests?.map((r) => [r.name, r.weight])).toEqual([
      ['order', 2],
      ['missing', 1],
      ['slow', 1],
    ]);
    expect(result.phases[0].requests?.map((r) => r.name)).toEqual(['order', 'missing', 'slow']);
  });

  it('judges each request by its own expectation', async () => {
    const run = await startLoad({
      url: server.url,
      rate: '100/s',
      duration: '1s',
      requests: [
        { name: 'ok', path: '/' },
        { name: 'missing', path: '/missing' },
      ],
    });
    await run.done;
    const [ok, missing] = run.result().total.requests ?? [];
    expect([ok.errorRate, missing.errorRate, missing.errors]).toEqual([0, 1, { non2xx: 50 }]);
  });

  it('over two worker threads, draws exactly the values one thread would', async () => {
    const run = await startLoad({
      url: server.url,
      rate: '300/s',
      duration: '2s',
      workers: 2,
      requests: MIX,
    });
    await run.done;
    const result = run.result();
    expect(result.total.requests?.map((r) => r.scheduled)).toEqual([300, 150, 150]);
    const ids = server.seen.filter((s) => s.method === 'POST').map((s) => Number(s.url.split('/')[2]));
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
