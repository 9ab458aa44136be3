// The HTTP side of the generator: the prepared request encoded once, a pool of keep-alive
// HTTP/1.1 connections opened before t0, and the rule that turns each exchange into an
// outcome (success, or an error kind). Opening the first connection is also the
// reachability check: it happens before any load and sends nothing but a TCP (or TLS)
// handshake.
//
// Our own client rather than undici: on one core undici peaks at about half of wrk's
// rate against nginx, which would make the generator, not the system, the bottleneck of
// a spike test. The pool in http1-pool.ts does only what a generator needs.
import { Http1Pool, type ExchangeOutcome } from './http1-pool';
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

/** The request as bytes on the wire: request line, host, the caller's headers, length, body. */
export function encodeRequest(request: PreparedRequest): Buffer {
  const origin = new URL(request.origin);
  const given = new Set(Object.keys(request.headers).map((name) => name.toLowerCase()));
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  if (!given.has('host')) head += `host: ${origin.host}\r\n`;
  if (!given.has('user-agent')) head += 'user-agent: chaos-action-load\r\n';
  for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`;
  if (request.body) head += `content-length: ${request.body.length}\r\n`;
  else if (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH')
    head += 'content-length: 0\r\n';
  head += '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return request.body ? Buffer.concat([headBytes, request.body]) : headBytes;
}

export class HttpTransport<Context> implements ExchangeOutcome<Context> {
  private readonly acceptedStatuses: Set<number> | null;
  /** The expectation when it looks at bodies (text or JSON fields); only then are bodies kept. */
  readonly bodyCheck: ResponseExpectation | null;

  private constructor(
    private readonly sink: OutcomeSink<Context>,
    expect: ResponseExpectation | null,
    private pool: Http1Pool<Context> | null,
  ) {
    this.acceptedStatuses = expect?.status?.length ? new Set(expect.status) : null;
    this.bodyCheck = expect && (expect.bodyContains !== undefined || expect.json) ? expect : null;
  }

  /** Opens `preconnect` connections (failing clearly if the target is unreachable) before any load. */
  static async open<Context>(
    request: PreparedRequest,
    sink: OutcomeSink<Context>,
    options: TransportOptions,
  ): Promise<HttpTransport<Context>> {
    const origin = new URL(request.origin);
    const secure = origin.protocol === 'https:';
    const transport = new HttpTransport(sink, request.expect, null);
    const pool = new Http1Pool<Context>(
      {
        host: origin.hostname.replace(/^\[|\]$/g, ''),
        port: Number(origin.port) || (secure ? 443 : 80),
        tls: secure,
      },
      {
        maxConnections: options.connections,
        connectTimeoutMs: Math.min(options.timeoutMs, 10_000),
        requestTimeoutMs: options.timeoutMs,
        requestBytes: encodeRequest(request),
        collectBody: transport.bodyCheck !== null,
        bodiless: request.method === 'HEAD',
      },
      transport,
    );
    try {
      await pool.preconnect(Math.max(1, options.preconnect));
    } catch (error) {
      await pool.close();
      const code = (error as { code?: string }).code;
      throw new TargetUnreachableError(
        `cannot reach ${request.origin}: ${code ?? ''} ${(error as Error).message}`
          .replace(/\s+/g, ' ')
          .trim(),
      );
    }
    transport.pool = pool;
    return transport;
  }

  send(context: Context): void {
    (this.pool as Http1Pool<Context>).send(context);
  }

  response(context: Context, status: number, body: Buffer | null): void {
    let error: ErrorKind | null = null;
    const is2xx = status >= 200 && status <= 299;
    const accepted = this.acceptedStatuses ? this.acceptedStatuses.has(status) : is2xx;
    if (!accepted) error = is2xx ? 'unexpected_status' : 'non2xx';
    else if (this.bodyCheck && !bodyMatches(body?.toString('utf8') ?? '', this.bodyCheck))
      error = 'body_mismatch';
    this.sink.settle(context, error);
  }

  failure(context: Context, error: ErrorKind): void {
    this.sink.settle(context, error);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
