// The generator's own HTTP/1.1 client against real loopback servers: connection reuse
// and limits, the servers' ways of ending a response or a connection, TLS, and replies
// that are not HTTP at all.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type LoadSpec, startLoad } from '../../../src/load';

jest.setTimeout(30_000);

interface CountingServer {
  url: string;
  connections: () => number;
  peakOpenConnections: () => number;
  close: () => Promise<void>;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** An HTTP server that counts the TCP connections it accepted and the most open at once. */
async function countingServer(
  handler: http.RequestListener,
  configure: (server: http.Server) => void = () => undefined,
): Promise<CountingServer> {
  const server = http.createServer(handler);
  configure(server);
  let connections = 0;
  let open = 0;
  let peak = 0;
  server.on('connection', (socket) => {
    connections++;
    peak = Math.max(peak, ++open);
    socket.on('close', () => open--);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    connections: () => connections,
    peakOpenConnections: () => peak,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function run(spec: LoadSpec): Promise<ReturnType<Awaited<ReturnType<typeof startLoad>>['result']>> {
  const load = await startLoad(spec);
  await load.done;
  return load.result();
}

describe('the HTTP/1.1 transport', () => {
  it('keeps one connection alive for a closed-model user', async () => {
    const server = await countingServer((_request, response) => response.end('ok'));
    try {
      const { total } = await run({ url: server.url, users: 1, think: 0, duration: '300ms', preconnect: 1 });
      expect(total.completed).toBeGreaterThan(100);
      expect(total.errors).toEqual({});
      expect(server.connections()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('queues requests beyond the connection limit instead of opening more', async () => {
    const server = await countingServer((_request, response) => {
      setTimeout(() => response.end('slow'), 100);
    });
    try {
      const { total } = await run({ url: server.url, rate: '60/s', duration: '500ms', connections: 2 });
      expect(total.scheduled).toBe(30);
      expect(total.errors).toEqual({});
      expect(total.completed).toBe(30);
      expect(server.peakOpenConnections()).toBeLessThanOrEqual(2);
      // Queued behind 100 ms answers on two connections: the wait is in the latency.
      expect(total.maxMs).toBeGreaterThan(300);
    } finally {
      await server.close();
    }
  });

  it('times out requests still waiting for a connection, not only those in flight', async () => {
    // The server never answers: the one allowed connection stays busy for good.
    const server = await countingServer(() => undefined);
    try {
      const started = Date.now();
      const { total } = await run({
        url: server.url,
        rate: '20/s',
        duration: '500ms',
        connections: 1,
        timeout: '300ms',
      });
      expect(total.scheduled).toBe(10);
      expect(total.errors).toEqual({ timeout: 10 });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await server.close();
    }
  });

  it('opens connections as outstanding requests need them when unlimited', async () => {
    const server = await countingServer((_request, response) => {
      setTimeout(() => response.end('slow'), 200);
    });
    try {
      const { total } = await run({ url: server.url, rate: '100/s', duration: '500ms', preconnect: 1 });
      expect(total.errors).toEqual({});
      expect(server.peakOpenConnections()).toBeGreaterThanOrEqual(15);
    } finally {
      await server.close();
    }
  });

  it("retires idle connections before the server's announced keep-alive timeout", async () => {
    const server = await countingServer(
      (_request, response) => response.end('ok'),
      (instance) => {
        instance.keepAliveTimeout = 1000; // announced as "keep-alive: timeout=1"
      },
    );
    try {
      // One request every 1.1 s: each would land on a connection the server is closing.
      const { total } = await run({ url: server.url, rate: '0.9/s', duration: '3.4s', preconnect: 1 });
      expect(total.completed).toBe(4);
      expect(total.errors).toEqual({});
      expect(server.connections()).toBeGreaterThanOrEqual(3);
    } finally {
      await server.close();
    }
  });

  it('reads chunked and close-framed bodies and reconnects after connection: close', async () => {
    const server = await countingServer((request, response) => {
      if (request.url === '/close') {
        response.setHeader('connection', 'close');
        response.end('closing body');
      } else {
        response.write('chunk one, ');
        setTimeout(() => response.end('chunk two'), 2);
      }
    });
    try {
      const chunked = await run({
        url: server.url,
        rate: '50/s',
        duration: '400ms',
        expect: { bodyContains: 'one, chunk two' },
      });
      expect(chunked.total).toMatchObject({ completed: 20, errors: {} });
      const before = server.connections();
      const closing = await run({
        url: `${server.url}close`,
        rate: '50/s',
        duration: '400ms',
        preconnect: 1,
        expect: { bodyContains: 'closing body' },
      });
      expect(closing.total).toMatchObject({ completed: 20, errors: {} });
      expect(server.connections() - before).toBeGreaterThanOrEqual(20);
    } finally {
      await server.close();
    }
  });

  it('sends the method, headers and body it was given', async () => {
    const seen: string[] = [];
    const server = await countingServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push(
          `${request.method} ${request.url} ${request.headers.host} ${request.headers['x-test']} ` +
            `${request.headers['content-type']} ${body}`,
        );
        response.end('{}');
      });
    });
    try {
      const port = new URL(server.url).port;
      await run({
        url: `${server.url}score?x=1`,
        rate: '10/s',
        duration: '200ms',
        request: { method: 'PUT', headers: { 'x-test': 'yes' }, json: { amount: 7 } },
      });
      expect(seen[0]).toBe(`PUT /score?x=1 127.0.0.1:${port} yes application/json {"amount":7}`);
    } finally {
      await server.close();
    }
  });

  it('counts replies that are not HTTP as errors', async () => {
    const server = net.createServer((socket) =>
      socket.on('data', () => socket.write('SSH-2.0-OpenSSH_9\r\n')),
    );
    const port = await listen(server);
    try {
      const { total } = await run({ url: `http://127.0.0.1:${port}/`, rate: '40/s', duration: '250ms' });
      expect(total.errors).toEqual({ other: 10 });
    } finally {
      server.close();
    }
  });

  it('counts requests to a server that went away as refused or reset, and ends on time', async () => {
    const server = await countingServer((_request, response) => response.end('ok'));
    const load = await startLoad({ url: server.url, rate: '100/s', duration: '1s', timeout: '500ms' });
    setTimeout(() => void server.close(), 400);
    const started = Date.now();
    await load.done;
    const { total } = load.result();
    expect(Date.now() - started).toBeLessThan(2500);
    expect(total.scheduled).toBe(100);
    expect(total.completed).toBe(100);
    expect((total.errors.refused ?? 0) + (total.errors.reset ?? 0)).toBeGreaterThanOrEqual(50);
  });

  it('speaks TLS to an https target whose certificate the process trusts', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'load-tls-'));
    const key = path.join(directory, 'key.pem');
    const cert = path.join(directory, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    const server = https.createServer(
      { key: fs.readFileSync(key), cert: fs.readFileSync(cert) },
      (_request, response) => response.end('secure'),
    );
    const port = await listen(server);
    try {
      // NODE_EXTRA_CA_CERTS is read at start-up only, hence a child process.
      const script = `require('./src/load').startLoad({ url: 'https://localhost:${port}/', rate: '40/s', duration: '500ms', expect: { bodyContains: 'secure' } })
        .then((run) => run.done.then(() => console.log(JSON.stringify(run.result().total))))`;
      // Asynchronously: the server answering it lives in this process.
      const output = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--require', require.resolve('tsx/cjs'), '-e', script],
          { cwd: path.resolve(__dirname, '../../..'), env: { ...process.env, NODE_EXTRA_CA_CERTS: cert } },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        ),
      );
      expect(JSON.parse(output)).toMatchObject({ scheduled: 20, completed: 20, errors: {} });
      // Without the certificate trusted, the pre-connect refuses the target before any load.
      await expect(
        startLoad({ url: `https://localhost:${port}/`, rate: '10/s', duration: '1s' }),
      ).rejects.toThrow(/cannot reach https:\/\/localhost:\d+: .*(self-signed|SELF_SIGNED)/i);
    } finally {
      server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
