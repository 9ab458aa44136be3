// Keep-alive HTTP/1.1 connections to one origin, one request at a time on each (no
// pipelining), with a FIFO of requests waiting for a connection when a limit is set.
// A generator needs no more from a client: every request arrives as bytes encoded ahead
// (template.ts), so a send is one socket write and a response one pass of ResponseParser.
import net from 'node:net';
import tls from 'node:tls';
import { monotonicMs } from '../util/clock';
import { ResponseParseError, ResponseParser, type ParsedResponse } from './http1-response';
import type { ErrorKind } from './types';

export interface Http1Target {
  host: string;
  port: number;
  tls: boolean;
}

export interface Http1PoolOptions {
  /** Maximum connections; null for as many as the outstanding requests need. */
  maxConnections: number | null;
  connectTimeoutMs: number;
  /** From the send (including any wait for a free connection) to the end of the response body. */
  requestTimeoutMs: number;
}

/** Where each exchange ends: a response, or the kind of failure. */
export interface ExchangeOutcome<Context> {
  response(context: Context, status: number, body: Buffer | null): void;
  failure(context: Context, error: ErrorKind): void;
}

/** Maps socket and protocol failures to the error kinds reports count. */
export function classifyError(error: unknown): ErrorKind {
  const code = (error as { code?: string } | null)?.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}

/** An idle connection is retired this long before the server's announced keep-alive timeout. */
const KEEP_ALIVE_MARGIN_MS = 1000;

class Connection<Context> {
  readonly socket: net.Socket;
  readonly parser: ResponseParser;
  connected = false;
  closed = false;
  context: Context | null = null;
  /** When the request in flight was handed to the pool (its timeout runs from there). */
  timedFromMs = 0;
  /** When the server will have dropped this connection if it stays idle. */
  idleExpiryMs = Infinity;
  /** The socket's error, reported when it closes. */
  failure: ErrorKind | null = null;

  constructor(pool: Http1Pool<Context>, target: Http1Target, options: Http1PoolOptions, readBuffer: Buffer) {
    const { connectTimeoutMs } = options;
    this.parser = new ResponseParser((response) => pool.onResponse(this, response));
    const socket = target.tls
      ? tls.connect({
          host: target.host,
          port: target.port,
          servername: net.isIP(target.host) ? undefined : target.host,
          ALPNProtocols: ['http/1.1'],
        })
      : net.connect({
          host: target.host,
          port: target.port,
          // Reads land in the pool's one buffer and go straight to the parser, skipping the
          // stream's per-chunk Buffer and 'data' event: about a tenth of the cost of a request.
          onread: {
            buffer: readBuffer,
            callback: (length, buffer) => this.received(buffer as Buffer, length),
          },
        });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(connectTimeoutMs);
    socket.once('timeout', () => {
      if (this.connected) return;
      const error = Object.assign(new Error(`connect timed out after ${connectTimeoutMs}ms`), {
        code: 'ETIMEDOUT',
      });
      socket.destroy(error);
    });
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      socket.setTimeout(0);
      socket.setKeepAlive(true, 60_000);
      pool.onConnected(this);
    });
    if (target.tls) socket.on('data', (chunk: Buffer) => this.received(chunk, chunk.length));
    socket.on('error', (error) => {
      this.failure ??= classifyError(error);
    });
    socket.once('close', () => pool.onClosed(this));
  }

  /** Bytes arrived (in a buffer that is reused for the next read: the parser copies what it keeps). */
  received(buffer: Buffer, length: number): boolean {
    try {
      this.parser.feed(buffer, length);
    } catch (error) {
      this.failure = error instanceof ResponseParseError ? 'other' : classifyError(error);
      this.socket.destroy();
    }
    return true;
  }

  /**
   * Sends one request's bytes. `collectBody` keeps the response's body (for checks), `bodiless`
   * says it has none (HEAD); both are the request's, so the parser is told at each send.
   */
  write(
    context: Context,
    bytes: Buffer | string,
    collectBody: boolean,
    bodiless: boolean,
    timedFromMs: number = monotonicMs(),
  ): void {
    this.context = context;
    this.timedFromMs = timedFromMs;
    this.parser.expect(collectBody, bodiless);
    this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

interface Waiter<Context> {
  context: Context;
  bytes: Buffer | string;
  collectBody: boolean;
  bodiless: boolean;
  /** When it started waiting for a connection, for its timeout. */
  sinceMs: number;
}

/** A FIFO of waiting requests that does not shift arrays (it can hold thousands during a stall). */
class WaitQueue<Item> {
  private items: Item[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: Item): void {
    this.items.push(item);
  }

  peek(): Item | undefined {
    return this.head === this.items.length ? undefined : this.items[this.head];
  }

  shift(): Item | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as Item;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  drain(): Item[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

export class Http1Pool<Context> {
  private readonly connections = new Set<Connection<Context>>();
  private readonly idle: Connection<Context>[] = [];
  private readonly waiting = new WaitQueue<Waiter<Context>>();
  private dialling = 0;
  /** Shared by every connection's reads: callbacks run one at a time and nothing keeps a view of it. */
  private readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  private closing = false;
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(
    private readonly target: Http1Target,
    private readonly options: Http1PoolOptions,
    private readonly outcome: ExchangeOutcome<Context>,
  ) {
    // Timeouts are checked by one sweep rather than a timer per request: at 100k req/s a
    // timer each would cost more than the request. The sweep's period bounds the overshoot.
    const sweepMs = Math.min(100, Math.max(5, Math.round(options.requestTimeoutMs / 20)));
    this.sweepTimer = setInterval(() => this.sweepTimeouts(), sweepMs);
    this.sweepTimer.unref();
  }

  /** Opens `count` connections before any load; rejects with the first one's error. */
  async preconnect(count: number): Promise<void> {
    const open = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const connection = this.dial();
        connection.socket.once(this.target.tls ? 'secureConnect' : 'connect', () => resolve());
        connection.socket.once('error', reject);
      });
    await open();
    await Promise.all(Array.from({ length: Math.max(0, count - 1) }, open));
  }

  /** Sends a request: its bytes, or its text (written as UTF-8, which ASCII heads are). */
  send(context: Context, bytes: Buffer | string, collectBody: boolean, bodiless: boolean): void {
    const connection = this.takeIdle();
    if (connection) {
      connection.write(context, bytes, collectBody, bodiless);
      return;
    }
    this.waiting.push({ context, bytes, collectBody, bodiless, sinceMs: monotonicMs() });
    this.dialForWaiting();
  }

  /** Closes every connection; requests still waiting or in flight are not reported. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweepTimer);
    this.waiting.drain();
    const closed = [...this.connections].map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.closed) return resolve();
          connection.socket.once('close', () => resolve());
          connection.destroy();
        }),
    );
    await Promise.all(closed);
  }

  onConnected(connection: Connection<Context>): void {
    this.dialling--;
    this.release(connection);
  }

  onResponse(connection: Connection<Context>, response: ParsedResponse): void {
    const context = connection.context;
    if (context === null) {
      // Bytes nobody asked for: the connection's framing can no longer be trusted.
      connection.failure = 'other';
      connection.destroy();
      return;
    }
    connection.context = null;
    if (!response.keepAlive) connection.destroy();
    else {
      if (response.keepAliveTimeoutMs !== null)
        connection.idleExpiryMs = monotonicMs() + response.keepAliveTimeoutMs - KEEP_ALIVE_MARGIN_MS;
      this.release(connection);
    }
    this.outcome.response(context, response.status, response.body);
  }

  onClosed(connection: Connection<Context>): void {
    connection.closed = true;
    this.connections.delete(connection);
    // A server closing idle connections (after a spike, say) must not leave them parked here.
    const idleIndex = this.idle.indexOf(connection);
    if (idleIndex >= 0) this.idle.splice(idleIndex, 1);
    if (!connection.connected) this.dialling--;
    if (connection.context !== null) {
      try {
        // A body framed by close completes here, through onResponse, which takes the context.
        connection.parser.end();
      } catch {
        // Cut short mid-response: reported below as the socket's failure.
      }
    }
    const context = connection.context;
    connection.context = null;
    if (context !== null) {
      this.outcome.failure(context, connection.failure ?? 'reset');
    } else if (!connection.connected && !this.closing) {
      // A dial that never connected fails the oldest request waiting for a connection.
      const waiter = this.waiting.shift();
      if (waiter !== undefined) this.outcome.failure(waiter.context, connection.failure ?? 'refused');
    }
    if (!this.closing) this.dialForWaiting();
  }

  private dial(): Connection<Context> {
    const connection = new Connection(this, this.target, this.options, this.readBuffer);
    this.connections.add(connection);
    this.dialling++;
    return connection;
  }

  /** Dials for requests that no connection (open or being dialled) will take, within the limit. */
  private dialForWaiting(): void {
    const limit = this.options.maxConnections ?? Infinity;
    while (this.waiting.length > this.dialling && this.connections.size < limit) this.dial();
  }

  /** Gives a free connection the oldest waiting request, or parks it as idle. */
  private release(connection: Connection<Context>): void {
    if (this.closing) return connection.destroy();
    const waiter = this.waiting.shift();
    if (waiter !== undefined) {
      connection.write(waiter.context, waiter.bytes, waiter.collectBody, waiter.bodiless, waiter.sinceMs);
      return;
    }
    this.idle.push(connection);
  }

  private takeIdle(): Connection<Context> | null {
    while (this.idle.length > 0) {
      const connection = this.idle.pop() as Connection<Context>;
      // Ended by the server, with its 'close' still to come: it cannot take a request.
      if (connection.socket.destroyed || !connection.socket.writable) continue;
      if (connection.idleExpiryMs !== Infinity && monotonicMs() >= connection.idleExpiryMs) {
        // The server is about to drop it; a request on it could race that close.
        connection.destroy();
        continue;
      }
      return connection;
    }
    return null;
  }

  private sweepTimeouts(): void {
    const now = monotonicMs();
    // A request that waited a whole timeout for a connection (all busy at the limit, or the
    // target not accepting) times out too; the queue is in arrival order, so only its head is checked.
    for (let oldest = this.waiting.peek(); oldest !== undefined; oldest = this.waiting.peek()) {
      if (now - oldest.sinceMs < this.options.requestTimeoutMs) break;
      this.waiting.shift();
      this.outcome.failure(oldest.context, 'timeout');
    }
    for (const connection of this.connections) {
      if (connection.context === null || now - connection.timedFromMs < this.options.requestTimeoutMs)
        continue;
      const context = connection.context;
      connection.context = null;
      connection.destroy();
      this.outcome.failure(context, 'timeout');
    }
  }
}
