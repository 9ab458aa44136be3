// An in-process TCP proxy with Toxiproxy-style toxics, and counting: every connection
// attempt and every byte toward the target is counted per second, toxic or not, so the
// runner can read "connection attempts per second to redis during recovery" from it.
// Toxics can be added and removed while connections are live (they stack on a counting
// proxy installed for a whole scenario).
import net from 'node:net';
import { monotonicMs, sleep } from '../../util/clock';
import {
  appliesToFlow,
  bandwidthSlices,
  type Flow,
  latencyMs,
  releaseAtMs,
  rollToxicity,
  type ToxicEntry,
  transmitMs,
} from './toxics';

export interface ProxySecond {
  /** Start of the second on the engine's monotonic clock (ms). */
  atMs: number;
  /** Connections accepted from clients: each one is a connection attempt toward the target. */
  attempts: number;
  /** Attempts refused by a `down` toxic. */
  refused: number;
  /** Attempts whose onward connection to the target failed (target stopped, paused, gone). */
  upstreamFailed: number;
  bytesUpstream: number;
  bytesDownstream: number;
}

export interface UpstreamAddress {
  host: string;
  port: number;
}

export interface ProxyOptions {
  name: string;
  /** Where to connect onward; asked per connection, so a target that moved can be followed. */
  upstream: () => UpstreamAddress;
  /** How long to wait for the target to accept before resetting the client. */
  upstreamConnectTimeoutMs?: number;
  onUpstreamFailure?: () => void;
}

interface Connection {
  client: net.Socket;
  upstream: net.Socket;
  sourceIp: string;
  sourcePort: number;
  rolls: Map<string, boolean>;
  timers: Map<string, NodeJS.Timeout>;
  closed: boolean;
}

const HIGH_WATER_BYTES = 1 << 20;

function normaliseIp(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

export class ToxicProxy {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<Connection>();
  private readonly toxics = new Map<string, ToxicEntry>();
  private readonly seconds = new Map<number, ProxySecond>();
  /** Source ports of proof probes: every toxic applies to them, whatever its toxicity. */
  private readonly probePorts = new Set<number>();
  private readonly seenPorts = new Set<number>();
  readonly listening: { host: string; port: number }[] = [];

  constructor(private readonly options: ProxyOptions) {}

  /** Listens on each host address (a Docker network's gateway) on an ephemeral port. */
  async listen(hosts: string[]): Promise<{ host: string; port: number }[]> {
    for (const host of hosts) {
      const server = net.createServer((socket) => this.accept(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: 0 }, () => resolve());
      });
      this.servers.push(server);
      this.listening.push({ host, port: (server.address() as net.AddressInfo).port });
    }
    return this.listening;
  }

  addToxic(entry: ToxicEntry): void {
    this.toxics.set(entry.id, entry);
    for (const connection of this.connections) this.armTimers(connection, entry);
  }

  removeToxic(id: string): void {
    this.toxics.delete(id);
    for (const connection of this.connections) {
      const timer = connection.timers.get(id);
      if (timer) clearTimeout(timer);
      connection.timers.delete(id);
    }
  }

  hasToxics(): boolean {
    return this.toxics.size > 0;
  }

  /** Marks a source port as a proof probe's: all toxics apply to it. */
  expectProbe(sourcePort: number): void {
    this.probePorts.add(sourcePort);
  }

  /** Whether a connection from this source port reached the proxy (the DNAT works). */
  sawProbe(sourcePort: number): boolean {
    return this.seenPorts.has(sourcePort);
  }

  /** Per-second counters, oldest first; seconds with no traffic are absent. */
  connectionsPerSecond(): ProxySecond[] {
    return [...this.seconds.values()].sort((a, b) => a.atMs - b.atMs).map((s) => ({ ...s }));
  }

  totals(): Omit<ProxySecond, 'atMs'> {
    const sum = { attempts: 0, refused: 0, upstreamFailed: 0, bytesUpstream: 0, bytesDownstream: 0 };
    for (const s of this.seconds.values()) {
      sum.attempts += s.attempts;
      sum.refused += s.refused;
      sum.upstreamFailed += s.upstreamFailed;
      sum.bytesUpstream += s.bytesUpstream;
      sum.bytesDownstream += s.bytesDownstream;
    }
    return sum;
  }

  async close(): Promise<void> {
    for (const connection of this.connections) this.destroy(connection, false);
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    this.servers.length = 0;
  }

  private count(field: keyof Omit<ProxySecond, 'atMs'>, amount = 1): void {
    const second = Math.floor(monotonicMs() / 1000);
    let bucket = this.seconds.get(second);
    if (!bucket) {
      bucket = {
        atMs: second * 1000,
        attempts: 0,
        refused: 0,
        upstreamFailed: 0,
        bytesUpstream: 0,
        bytesDownstream: 0,
      };
      this.seconds.set(second, bucket);
    }
    bucket[field] += amount;
  }

  private applies(connection: Connection, entry: ToxicEntry): boolean {
    if (entry.sources && !entry.sources.has(connection.sourceIp)) return false;
    if (this.probePorts.has(connection.sourcePort)) return true;
    let rolled = connection.rolls.get(entry.id);
    if (rolled === undefined) {
      rolled = rollToxicity(entry.toxicity, Math.random());
      connection.rolls.set(entry.id, rolled);
    }
    return rolled;
  }

  private activeFor(connection: Connection, flow: Flow | null): ToxicEntry[] {
    return [...this.toxics.values()].filter(
      (entry) => (flow === null || appliesToFlow(entry.direction, flow)) && this.applies(connection, entry),
    );
  }

  private accept(client: net.Socket): void {
    this.count('attempts');
    const sourcePort = client.remotePort ?? 0;
    this.seenPorts.add(sourcePort);
    const upstream = new net.Socket();
    const connection: Connection = {
      client,
      upstream,
      sourceIp: normaliseIp(client.remoteAddress),
      sourcePort,
      rolls: new Map(),
      timers: new Map(),
      closed: false,
    };
    // An error on either side (a reset, a failed connect) resets the other side at once.
    client.on('error', () => this.destroy(connection, true));
    upstream.on('error', () => this.destroy(connection, true));
    let closes = 0;
    const onClose = () => {
      closes += 1;
      if (closes === 2) this.forget(connection);
    };
    client.once('close', onClose);
    upstream.once('close', onClose);
    if (this.activeFor(connection, null).some((entry) => entry.toxic.type === 'down')) {
      this.count('refused');
      this.forget(connection);
      client.resetAndDestroy();
      return;
    }
    this.connections.add(connection);
    const target = this.options.upstream();
    let connected = false;
    const connectTimer = setTimeout(() => {
      if (!connected) upstream.destroy(new Error('upstream connect timeout'));
    }, this.options.upstreamConnectTimeoutMs ?? 1000);
    upstream.once('error', () => {
      if (!connected) {
        this.count('upstreamFailed');
        this.options.onUpstreamFailure?.();
      }
    });
    upstream.connect({ host: target.host, port: target.port }, () => {
      connected = true;
      clearTimeout(connectTimer);
    });
    upstream.once('close', () => clearTimeout(connectTimer));
    this.pipe(connection, client, upstream, 'upstream');
    this.pipe(connection, upstream, client, 'downstream');
    for (const entry of this.toxics.values()) this.armTimers(connection, entry);
  }

  /** Timers for the toxics that act on the whole connection: stall's timeout and reset_peer. */
  private armTimers(connection: Connection, entry: ToxicEntry): void {
    if (connection.closed || connection.timers.has(entry.id) || !this.applies(connection, entry)) return;
    const { toxic } = entry;
    if (toxic.type === 'reset_peer') {
      // 0 resets at once, before any byte can pass (a timer would race the first reply).
      if (toxic.resetAfterMs <= 0) this.destroy(connection, true);
      else
        connection.timers.set(
          entry.id,
          setTimeout(() => this.destroy(connection, true), toxic.resetAfterMs),
        );
    } else if (toxic.type === 'stall' && toxic.timeoutMs > 0) {
      connection.timers.set(
        entry.id,
        setTimeout(() => this.destroy(connection, false), toxic.timeoutMs),
      );
    } else if (toxic.type === 'down') {
      // A connection already open when the target goes "down" is cut as well.
      this.destroy(connection, true);
    }
  }

  /** Both sides closed normally: drop the bookkeeping. */
  private forget(connection: Connection): void {
    connection.closed = true;
    for (const timer of connection.timers.values()) clearTimeout(timer);
    this.connections.delete(connection);
    this.probePorts.delete(connection.sourcePort);
  }

  private destroy(connection: Connection, reset: boolean): void {
    if (connection.closed) return;
    this.forget(connection);
    if (reset) {
      if (!connection.client.destroyed) connection.client.resetAndDestroy();
      if (!connection.upstream.destroyed && connection.upstream.readyState === 'open')
        connection.upstream.resetAndDestroy();
      else connection.upstream.destroy();
    } else {
      connection.client.destroy();
      connection.upstream.destroy();
    }
  }

  /**
   * Moves data from `source` to `sink` through the toxics for this flow, chunk by chunk in
   * arrival order; the end of the stream travels the same way, so a FIN is delayed too.
   */
  private pipe(connection: Connection, source: net.Socket, sink: net.Socket, flow: Flow): void {
    const queue: { data: Buffer | null; arrivedAtMs: number }[] = [];
    let queuedBytes = 0;
    let pumping = false;
    let lastReleaseMs = 0;
    const field = flow === 'upstream' ? 'bytesUpstream' : 'bytesDownstream';

    const pump = async () => {
      if (pumping) return;
      pumping = true;
      try {
        while (queue.length > 0 && !connection.closed) {
          const item = queue[0];
          const toxics = this.activeFor(connection, flow);
          for (const entry of toxics) {
            if (entry.toxic.type === 'latency') {
              const release = releaseAtMs(
                item.arrivedAtMs,
                latencyMs(entry.toxic.delayMs, entry.toxic.jitterMs, Math.random()),
                lastReleaseMs,
              );
              lastReleaseMs = release;
              // libuv's timers run on a millisecond clock and may fire a fraction early:
              // a latency toxic must never deliver before its delay.
              for (let left = release - monotonicMs(); left > 0; left = release - monotonicMs()) {
                await sleep(Math.ceil(left));
              }
            }
          }
          while (
            !connection.closed &&
            this.activeFor(connection, flow).some((e) => e.toxic.type === 'stall')
          ) {
            await sleep(20);
          }
          if (connection.closed) return;
          queue.shift();
          if (item.data === null) {
            sink.end();
            return;
          }
          queuedBytes -= item.data.length;
          const bandwidth = this.activeFor(connection, flow).find((e) => e.toxic.type === 'bandwidth');
          if (bandwidth && bandwidth.toxic.type === 'bandwidth') {
            let offset = 0;
            for (const size of bandwidthSlices(item.data.length, bandwidth.toxic.rateBytesPerSecond)) {
              await sleep(transmitMs(size, bandwidth.toxic.rateBytesPerSecond));
              if (connection.closed) return;
              sink.write(item.data.subarray(offset, offset + size));
              offset += size;
            }
          } else if (!sink.write(item.data)) {
            await new Promise<void>((resolve) => {
              sink.once('drain', resolve);
              sink.once('close', resolve);
            });
          }
          this.count(field, item.data.length);
          if (queuedBytes < HIGH_WATER_BYTES && source.isPaused()) source.resume();
        }
      } finally {
        pumping = false;
      }
    };

    source.on('data', (data: Buffer) => {
      queue.push({ data, arrivedAtMs: monotonicMs() });
      queuedBytes += data.length;
      if (queuedBytes >= HIGH_WATER_BYTES) source.pause();
      void pump();
    });
    source.on('end', () => {
      queue.push({ data: null, arrivedAtMs: monotonicMs() });
      void pump();
    });
  }
}
