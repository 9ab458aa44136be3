// The proxy on loopback against an in-process echo server: no Docker, real sockets.
import net from 'node:net';
import { ToxicProxy } from '../../../src/faults/network/proxy';
import type { Toxic } from '../../../src/faults/network/toxics';

let echo: net.Server;
let echoPort: number;
let proxy: ToxicProxy;
let proxyPort: number;

beforeEach(async () => {
  echo = net.createServer((socket) => {
    // reset_peer resets this side too; the echo server just lets it go.
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as net.AddressInfo).port;
  proxy = new ToxicProxy({ name: 'echo', upstream: () => ({ host: '127.0.0.1', port: echoPort }) });
  [{ port: proxyPort }] = await proxy.listen(['127.0.0.1']);
});

afterEach(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

function add(
  id: string,
  toxic: Toxic,
  direction: 'downstream' | 'upstream' | 'both' = 'downstream',
  toxicity = 1,
) {
  proxy.addToxic({ id, toxic, direction, toxicity, sources: null });
}

/** Sends a line through the proxy; resolves with the elapsed ms and how the exchange ended. */
function roundTrip(
  payload = 'ping\n',
  timeoutMs = 2000,
): Promise<{ ms: number; outcome: string; data: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(proxyPort, '127.0.0.1', () => socket.write(payload));
    let data = '';
    const done = (outcome: string) => {
      socket.destroy();
      resolve({ ms: performance.now() - started, outcome, data });
    };
    socket.setTimeout(timeoutMs, () => done('timeout'));
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.length >= payload.length) done('reply');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
    socket.on('end', () => done('closed'));
  });
}

test('without toxics the proxy passes data through and counts the attempt and the bytes', async () => {
  const result = await roundTrip();
  expect(result).toMatchObject({ outcome: 'reply', data: 'ping\n' });
  const totals = proxy.totals();
  expect(totals.attempts).toBe(1);
  expect(totals.bytesUpstream).toBe(5);
  expect(proxy.connectionsPerSecond()[0].attempts).toBe(1);
});

test('latency delays the reply by at least the delay; removing it restores the timing', async () => {
  add('l', { type: 'latency', delayMs: 80, jitterMs: 0 });
  expect((await roundTrip()).ms).toBeGreaterThanOrEqual(79);
  proxy.removeToxic('l');
  expect((await roundTrip()).ms).toBeLessThan(79);
});

test('latency both ways adds it twice', async () => {
  add('l', { type: 'latency', delayMs: 50, jitterMs: 0 }, 'both');
  expect((await roundTrip()).ms).toBeGreaterThanOrEqual(99);
});

test('down resets new connections and counts them as refused', async () => {
  add('d', { type: 'down' });
  const result = await roundTrip();
  expect(result.outcome).toBe('ECONNRESET');
  expect(proxy.totals().refused).toBe(1);
});

test('stall holds the data until the toxic is removed', async () => {
  add('s', { type: 'stall', timeoutMs: 0 });
  const pending = roundTrip('x\n', 2000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  proxy.removeToxic('s');
  const result = await pending;
  expect(result.outcome).toBe('reply');
  expect(result.ms).toBeGreaterThanOrEqual(195);
});

test('stall with a timeout closes the connection after it', async () => {
  add('s', { type: 'stall', timeoutMs: 100 });
  const result = await roundTrip('x\n', 2000);
  expect(result.outcome).toBe('closed');
  expect(result.ms).toBeGreaterThanOrEqual(95);
});

test('reset_peer resets the connection after resetAfterMs', async () => {
  add('r', { type: 'reset_peer', resetAfterMs: 50 }, 'both');
  // Nothing sent, so nothing comes back: the connection just sits until the reset.
  const result = await roundTrip('', 2000);
  expect(result.outcome).toBe('ECONNRESET');
  expect(result.ms).toBeGreaterThanOrEqual(45);
});

test('bandwidth paces the data at the rate', async () => {
  add('b', { type: 'bandwidth', rateBytesPerSecond: 2000 });
  const result = await roundTrip('y'.repeat(400) + '\n');
  expect(result.outcome).toBe('reply');
  expect(result.ms).toBeGreaterThanOrEqual(190);
});

test('toxicity 0 leaves connections alone; a probe port gets every toxic anyway', async () => {
  add('l', { type: 'latency', delayMs: 150, jitterMs: 0 }, 'downstream', 0);
  expect((await roundTrip()).ms).toBeLessThan(149);
  const localPort = 40000 + Math.floor(Math.random() * 10000);
  proxy.expectProbe(localPort);
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const socket = net.connect({ port: proxyPort, host: '127.0.0.1', localPort }, () => socket.write('p\n'));
    socket.on('data', () => {
      socket.destroy();
      resolve();
    });
  });
  expect(performance.now() - started).toBeGreaterThanOrEqual(149);
  expect(proxy.sawProbe(localPort)).toBe(true);
});

test('a target that is down is counted as an upstream failure and the client is reset', async () => {
  await new Promise((resolve) => echo.close(resolve));
  echo = net.createServer();
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const result = await roundTrip('x\n', 2000);
  expect(result.outcome).toBe('ECONNRESET');
  expect(proxy.totals()).toMatchObject({ attempts: 1, upstreamFailed: 1 });
});
