// A tiny OTLP/HTTP (JSON) span exporter. Two behaviours:
//  - async (resilient): spans go to a bounded in-memory buffer, a timer ships
//    them every TELEMETRY_EXPORT_INTERVAL_MS; the request path never waits and
//    an outage of the collector costs one WARN line and dropped spans.
//  - blocking (naive): each request awaits the export of its own spans, and a
//    failed export fails the request.
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { config } from './config';
import { log, rateLimited } from './log';
import { exportFailures, spansDropped, spansExported, telemetryBuffer } from './metrics';

type AttrValue = string | number | boolean;

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AttrValue>;
  error?: boolean;
}

const epochOffsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
export const nowNs = (): bigint => process.hrtime.bigint() + epochOffsetNs;

/** trace id (32 hex), span id and a second span id (16 hex each) from one random draw. */
export function newIds(): [string, string, string] {
  const hex = randomBytes(32).toString('hex');
  return [hex.slice(0, 32), hex.slice(32, 48), hex.slice(48, 64)];
}

function attr(key: string, value: AttrValue) {
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  if (typeof value === 'number')
    return Number.isInteger(value)
      ? { key, value: { intValue: value } }
      : { key, value: { doubleValue: value } };
  return { key, value: { stringValue: value } };
}

function toOtlp(spans: Span[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', config.serviceName)] },
        scopeSpans: [
          {
            scope: { name: 'fraud-api', version: '1.0.0' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.parentSpanId ? 1 : 2,
              startTimeUnixNano: s.startNs.toString(),
              endTimeUnixNano: s.endNs.toString(),
              attributes: Object.entries(s.attributes).map(([k, v]) => attr(k, v)),
              status: { code: s.error ? 2 : 1 },
            })),
          },
        ],
      },
    ],
  });
}

export class TelemetryExporter {
  readonly url = new URL(`${config.otlpEndpoint}/v1/traces`);
  private readonly agent: http.Agent;
  private buffer: Span[] = [];
  private inFlight = false;
  private collectorDown = false;
  private droppedThisOutage = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly logBlockingFailure = rateLimited('error', 10, 'Failed to export telemetry');

  constructor(readonly mode: 'async' | 'blocking' | 'off') {
    const Agent = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: mode === 'blocking' ? 128 : 2 });
    if (mode === 'async') {
      this.timer = setInterval(() => void this.flush(), config.telemetryIntervalMs);
      this.timer.unref();
    }
  }

  get state() {
    return { mode: this.mode, collector: this.collectorDown ? 'down' : 'up', buffered: this.buffer.length };
  }

  /** async mode: queue spans; never blocks, drops when the buffer is full. */
  record(spans: Span[]): void {
    if (this.mode !== 'async') return;
    const room = config.telemetryBufferMaxSpans - this.buffer.length;
    if (room < spans.length) {
      const dropped = spans.length - Math.max(room, 0);
      spansDropped.inc({ reason: 'buffer_full' }, dropped);
      this.droppedThisOutage += dropped;
      spans = spans.slice(0, Math.max(room, 0));
    }
    for (const s of spans) this.buffer.push(s);
    telemetryBuffer.set(this.buffer.length);
    // Under heavy load ship early instead of waiting for the timer (like a batch span processor).
    if (this.buffer.length >= config.telemetryBufferMaxSpans / 2 && !this.inFlight && !this.collectorDown) {
      void this.flush();
    }
  }

  /** blocking mode: the caller awaits the export; a failure is thrown to the caller. */
  async exportBlocking(spans: Span[]): Promise<void> {
    if (this.mode !== 'blocking') return;
    try {
      await this.post(toOtlp(spans));
      spansExported.inc(spans.length);
      if (this.collectorDown) {
        this.collectorDown = false;
        log.info(`OTel Collector reachable again (${this.url.href})`);
      }
    } catch (e) {
      exportFailures.inc();
      spansDropped.inc({ reason: 'export_failed' }, spans.length);
      this.collectorDown = true;
      this.logBlockingFailure(
        `Failed to export telemetry to OTel Collector (${this.url.href}): ${(e as Error).message}`,
      );
      throw e;
    }
  }

  async flush(): Promise<void> {
    if (this.inFlight || this.buffer.length === 0) return;
    this.inFlight = true;
    const batch = this.buffer;
    this.buffer = [];
    telemetryBuffer.set(0);
    try {
      await this.post(toOtlp(batch));
      spansExported.inc(batch.length);
      if (this.collectorDown) {
        log.info(
          `OTel Collector reachable again (${this.url.href}): export resumed, ` +
            `${this.droppedThisOutage} spans dropped during the outage`,
        );
        this.collectorDown = false;
      }
      this.droppedThisOutage = 0;
    } catch (e) {
      exportFailures.inc();
      if (!this.collectorDown) {
        this.collectorDown = true;
        log.warn(
          `⚠ Failed to connect to OTel Collector (${this.url.href}: ${(e as Error).message}): telemetry buffered/dropped`,
        );
      }
      // Keep the newest spans that still fit; the rest is lost.
      const merged = batch.concat(this.buffer);
      const overflow = merged.length - config.telemetryBufferMaxSpans;
      if (overflow > 0) {
        spansDropped.inc({ reason: 'export_failed' }, overflow);
        this.droppedThisOutage += overflow;
      }
      this.buffer = overflow > 0 ? merged.slice(overflow) : merged;
      telemetryBuffer.set(this.buffer.length);
    } finally {
      this.inFlight = false;
    }
  }

  private post(body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const transport = this.url.protocol === 'https:' ? https : http;
      const req = transport.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`timeout after ${config.telemetryTimeoutMs}ms`)),
        config.telemetryTimeoutMs,
      );
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => {
          clearTimeout(timer);
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) resolve();
          else reject(new Error(`HTTP ${code}`));
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new Error(err.code && !err.message.includes(err.code) ? `${err.code} ${err.message}` : err.message),
        );
      });
      req.end(body);
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
