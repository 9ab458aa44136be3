// The HTTP side of the generator: the mix's requests, encoded ahead (mix.ts), a pool of
// keep-alive HTTP/1.1 connections opened before t0, and the rule that turns each exchange into
// an outcome (success, or an error kind) by the expectation of the request it was. Opening the
// first connection is also the reachability check: it happens before any load and sends
// nothing but a TCP (or TLS) handshake.
//
// Our own client rather than undici: on one core undici peaks at about half of wrk's
// rate against nginx, which would make the generator, not the system, the bottleneck of
// a spike test. The pool in http1-pool.ts does only what a generator needs.
import { Http1Pool, type ExchangeOutcome } from './http1-pool';
import type { PreparedMix } from './mix';
import type { ErrorKind, ResponseExpectation } from './types';

export class TargetUnreachableError extends Error {}

/** What the transport needs of a send's context: which request of the mix it is. */
export interface SendContext {
  readonly entry: number;
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

export class HttpTransport<Context extends SendContext> implements ExchangeOutcome<Context> {
  private constructor(
    private readonly sink: OutcomeSink<Context>,
    private readonly mix: PreparedMix,
    private pool: Http1Pool<Context> | null,
  ) {}

  /** Opens `preconnect` connections (failing clearly if the target is unreachable) before any load. */
  static async open<Context extends SendContext>(
    mix: PreparedMix,
    sink: OutcomeSink<Context>,
    options: TransportOptions,
  ): Promise<HttpTransport<Context>> {
    const origin = new URL(mix.origin);
    const secure = origin.protocol === 'https:';
    const transport = new HttpTransport(sink, mix, null);
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
      },
      transport,
    );
    try {
      await pool.preconnect(Math.max(1, options.preconnect));
    } catch (error) {
      await pool.close();
      const code = (error as { code?: string }).code;
      throw new TargetUnreachableError(
        `cannot reach ${mix.origin}: ${code ?? ''} ${(error as Error).message}`.replace(/\s+/g, ' ').trim(),
      );
    }
    transport.pool = pool;
    return transport;
  }

  /** Sends the `ordinal`-th request of the context's entry (its values follow the ordinal). */
  send(context: Context, ordinal: number): void {
    const entry = this.mix.entries[context.entry];
    (this.pool as Http1Pool<Context>).send(
      context,
      entry.request.bytes(ordinal),
      entry.bodyCheck !== null,
      entry.bodiless,
    );
  }

  response(context: Context, status: number, body: Buffer | null): void {
    const entry = this.mix.entries[context.entry];
    let error: ErrorKind | null = null;
    const is2xx = status >= 200 && status <= 299;
    const accepted = entry.acceptedStatuses ? entry.acceptedStatuses.has(status) : is2xx;
    if (!accepted) error = is2xx ? 'unexpected_status' : 'non2xx';
    else if (entry.bodyCheck && !bodyMatches(body?.toString('utf8') ?? '', entry.bodyCheck))
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
