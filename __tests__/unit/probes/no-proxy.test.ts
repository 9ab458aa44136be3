// The probes talk to the stack's own addresses directly: a proxy named in the environment, or a
// global dispatcher that proxies (what NODE_USE_ENV_PROXY installs), never sees their requests.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EnvHttpProxyAgent, getGlobalDispatcher, request, setGlobalDispatcher } from 'undici';
import { probeHttp } from '../../../src/probes/http';
import { prometheusAlerts, queryInstant } from '../../../src/probes/prometheus';
import { findSpans } from '../../../src/probes/traces';

/** A server that answers with `answer(path)` and records the paths it was asked for. */
async function recordingServer(
  answer: (path: string) => unknown,
): Promise<{ url: string; seen: string[]; close: () => void }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer((req.url ?? '').split('?')[0])));
  });
  // A proxy is asked with CONNECT (undici tunnels every request through its proxy): refused here.
  server.on('connect', (req: http.IncomingMessage, socket: Socket) => {
    seen.push(`CONNECT ${req.url ?? ''}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => server.close() };
}

/** What Prometheus and Jaeger's query API answer, by path. */
function stackAnswer(path: string): unknown {
  if (path === '/api/v1/query')
    return {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { job: 'api' }, value: [1, '3'] }] },
    };
  if (path === '/api/v1/alerts') return { status: 'success', data: { alerts: [] } };
  if (path === '/api/traces') return { data: [] };
  return { ok: true };
}

describe('probes and proxies', () => {
  const saved = { env: { ...process.env }, dispatcher: getGlobalDispatcher() };
  let stack: Awaited<ReturnType<typeof recordingServer>>;
  let proxy: Awaited<ReturnType<typeof recordingServer>>;

  beforeAll(async () => {
    stack = await recordingServer(stackAnswer);
    proxy = await recordingServer(() => ({}));
    process.env.HTTP_PROXY = proxy.url;
    process.env.http_proxy = proxy.url;
    process.env.HTTPS_PROXY = proxy.url;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    setGlobalDispatcher(new EnvHttpProxyAgent());
  });
  afterAll(() => {
    setGlobalDispatcher(saved.dispatcher);
    process.env = saved.env;
    stack.close();
    proxy.close();
  });

  it('a request on the global dispatcher goes to the proxy here (the set-up proxies)', async () => {
    const before = proxy.seen.length;
    await request(`${stack.url}/through-the-proxy`).then(
      (response) => response.body.text(),
      () => 'refused by the proxy',
    );
    expect(proxy.seen.slice(before)).toEqual([`CONNECT ${new URL(stack.url).host}`]);
  });

  it('Prometheus, the trace store and the HTTP probe are asked directly', async () => {
    const before = proxy.seen.length;
    expect(await queryInstant(stack.url, 'up')).toEqual([{ labels: { job: 'api' }, value: 3 }]);
    expect(await prometheusAlerts(stack.url)).toEqual([]);
    const spans = await findSpans(stack.url, {
      service: 'api',
      operation: 'get',
      startEpochMs: 0,
      endEpochMs: 1,
      limit: 10,
    });
    expect(spans).toEqual({ spans: [], truncated: false });
    expect((await probeHttp({ url: `${stack.url}/healthz` })).ok).toBe(true);
    expect(proxy.seen.length).toBe(before);
    expect(stack.seen.map((p) => p.split('?')[0])).toEqual([
      '/api/v1/query',
      '/api/v1/alerts',
      '/api/traces',
      '/healthz',
    ]);
  });
});
