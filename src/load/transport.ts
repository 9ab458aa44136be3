// The HTTP side of the generator: undici over keep-alive connections that are
// opened before t0, and a per-request handler that classifies the outcome. Opening
// the first connection is also the reachability check: it happens before any load,
// and it sends nothing but a TCP (or TLS) handshake.
//
// The handler uses undici's callback interface (onConnect/onHeaders/onData/onComplete/
// onError): undici 7 calls it directly, while the newer onResponse* interface goes
// through an adapter per request, which costs throughput at tens of thousands req/s.
import net, { type Socket } from 'node:net';
import { Client, Pool, buildConnector, type Dispatcher } from 'undici';
import type { ErrorKind, ResponseExpectation } from './types';

export class TargetUnreachableError extends Error {}

export interface PreparedRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | null;
  expect: ResponseExpectation | null;
}

/** Where a finished request reports: its context (whatever send() was given) and error kind, if any. */
export interface OutcomeSink<Context> {
  settle(context: Context, error: ErrorKind | null): void;
}

export interface TransportOptions {
  /** Maximum connections; null for as many as the outstanding requests need. */
  connections: number | null;
  preconnect: number;
  timeoutMs: number;
}

/** Maps transport failures to the error kinds reports count. */
export function classifyError(error: unknown): ErrorKind {
  const code = (error as { code?: string } | null)?.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'reset';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}

function valueAtPath(document: unknown, path: string): unknown {
  let value: unknown = document;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** True when a 2xx body meets the expectation (substring, and JSON fields equal by value). */
export function bodyMatches(body: string, expect: ResponseExpectation): boolean {
  if (expect.bodyContains !== undefined && !body.includes(expect.bodyContains)) return false;
  if (expect.json) {
    let document: unknown;
    try {
      document = JSON.parse(body);
    } catch {
      return false;
    }
    for (const [path, expected] of Object.entries(expect.json)) {
      if (JSON.stringify(valueAtPath(document, path)) !== JSON.stringify(expected)) return false;
    }
  }
  return true;
}

class ExchangeHandler<Context> {
  private status = 0;
  private chunks: Buffer[] | null;

  constructor(
    private readonly sink: OutcomeSink<Context>,
    private readonly context: Context,
    private readonly expect: ResponseExpectation | null,
  ) {
    this.chunks = expect ? [] : null;
  }

  onConnect(): void {}

  onHeaders(status: number): boolean {
    this.status = status;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    let error: ErrorKind | null = null;
    if (this.status < 200 || this.status > 299) error = 'non2xx';
    else if (this.expect && !bodyMatches(Buffer.concat(this.chunks ?? []).toString('utf8'), this.expect)) {
      error = 'body_mismatch';
    }
    this.sink.settle(this.context, error);
  }

  onError(error: Error): void {
    this.sink.settle(this.context, classifyError(error));
  }

  onUpgrade(): void {}
}

let parserWarm: Promise<void> | null = null;

/**
 * undici compiles its WebAssembly HTTP parser on a process's first connection, which
 * blocks the event loop for tens of milliseconds: enough to make the first sends of a
 * run late. One request to a throwaway in-process responder pays that before t0,
 * without sending anything to the target.
 */
export function warmUpHttpParser(): Promise<void> {
  parserWarm ??= (async () => {
    const responder = net.createServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n'));
    });
    await new Promise<void>((resolve) => responder.listen(0, '127.0.0.1', resolve));
    const { port } = responder.address() as net.AddressInfo;
    const client = new Client(`http://127.0.0.1:${port}`);
    try {
      await client.request({ path: '/', method: 'GET' }).then((response) => response.body.dump());
    } catch {
      // A failed warm-up only costs the first sends some lateness; the run can go on.
    } finally {
      await client.destroy();
      responder.close();
    }
  })();
  return parserWarm;
}

export class HttpTransport<Context> {
  private readonly options: Dispatcher.DispatchOptions;
  private readonly expect: ResponseExpectation | null;
  /** One connection per closed-model user: skips the pool's search for a free connection (~15 % faster). */
  private readonly lanes: Client[] = [];

  private constructor(
    request: PreparedRequest,
    private readonly sink: OutcomeSink<Context>,
    private readonly pool: Pool,
    private readonly connect: buildConnector.connector,
    private readonly spareSockets: Socket[],
    timeoutMs: number,
  ) {
    this.expect = request.expect;
    this.options = {
      origin: request.origin,
      path: request.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      body: request.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    };
  }

  /** Opens `preconnect` connections (failing clearly if the target is unreachable), then the pool. */
  static async open<Context>(
    request: PreparedRequest,
    sink: OutcomeSink<Context>,
    options: TransportOptions,
  ): Promise<HttpTransport<Context>> {
    const connectTimeout = Math.min(options.timeoutMs, 10_000);
    const connector = buildConnector({ timeout: connectTimeout, keepAlive: true });
    const origin = new URL(request.origin);
    const connectOptions: buildConnector.Options = {
      hostname: origin.hostname.replace(/^\[|\]$/g, ''),
      host: origin.host,
      protocol: origin.protocol,
      port: origin.port,
    };
    const openSocket = (): Promise<Socket> =>
      new Promise((resolve, reject) =>
        connector(connectOptions, (error, socket) => (error ? reject(error) : resolve(socket as Socket))),
      );
    const spare: Socket[] = [];
    await warmUpHttpParser();
    try {
      spare.push(await openSocket());
      const rest = await Promise.all(Array.from({ length: Math.max(0, options.preconnect - 1) }, openSocket));
      spare.push(...rest);
    } catch (error) {
      for (const socket of spare) socket.destroy();
      const code = (error as { code?: string }).code;
      throw new TargetUnreachableError(
        `cannot reach ${request.origin}: ${code ?? ''} ${(error as Error).message}`
          .replace(/\s+/g, ' ')
          .trim(),
      );
    }
    // Pre-opened sockets are handed to the first connections; any further ones are dialled
    // as usual. A spare that the server closed while idle is skipped.
    const connect: buildConnector.connector = (connectArgs, callback) => {
      while (spare.length) {
        const socket = spare.pop() as Socket;
        // Asynchronously, as a real dial would: undici ignores a resume that happens inside its own connect call.
        if (!socket.destroyed && socket.readyState === 'open')
          return process.nextTick(callback, null, socket);
        socket.destroy();
      }
      connector(connectArgs, callback);
    };
    const pool = new Pool(request.origin, {
      connections: options.connections,
      connect,
      keepAliveTimeout: 60_000,
      pipelining: 1,
    });
    return new HttpTransport(request, sink, pool, connect, spare, options.timeoutMs);
  }

  /** Sends one request; with a lane (a closed-model user's index) it goes over that lane's own connection. */
  send(context: Context, lane: number | null = null): void {
    const handler = new ExchangeHandler(this.sink, context, this.expect);
    if (lane === null) {
      this.pool.dispatch(this.options, handler);
      return;
    }
    let client = this.lanes[lane];
    if (!client) {
      client = new Client(this.options.origin as string, {
        connect: this.connect,
        keepAliveTimeout: 60_000,
        pipelining: 1,
      });
      this.lanes[lane] = client;
    }
    client.dispatch(this.options, handler);
  }

  async close(): Promise<void> {
    for (const socket of this.spareSockets.splice(0)) socket.destroy();
    await Promise.all([this.pool.destroy(), ...this.lanes.map((client) => client.destroy())]);
  }
}
