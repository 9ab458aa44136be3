// fraud-api: POST /v1/predict scores a transaction with features read from Redis.
import http from 'node:http';
import { config } from './config';
import { FeatureStore, FeatureStoreError } from './featureStore';
import { log, rateLimited } from './log';
import { httpDuration, httpRequests, leakedBytes, predictions, registry } from './metrics';
import { MODEL_VERSION, score } from './model';
import { newIds, nowNs, Span, TelemetryExporter } from './telemetry';

const store = new FeatureStore();
const exporter = new TelemetryExporter(config.telemetryExport);
const logRequestError = rateLimited('error', 10, 'Prediction failed');
const MAX_BODY = 64 * 1024;
const MIB = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          reject(new HttpError(400, 'body must be a JSON object'));
        } else {
          resolve(parsed as Record<string, unknown>);
        }
      } catch {
        reject(new HttpError(400, 'body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** The feature lookup span's `cache.hit`, unless TRACE_CACHE_HIT=off leaves it out. */
function cacheHit(hit: boolean): { 'cache.hit'?: boolean } {
  return config.traceCacheHit ? { 'cache.hit': hit } : {};
}

async function predict(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const [traceId, rootId, childId] = newIds();
  const start = nowNs();
  const body = await readJson(req);
  const userId = body.user_id;
  if (
    !(typeof userId === 'number' && Number.isInteger(userId) && userId >= 0) &&
    !(typeof userId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(userId))
  ) {
    throw new HttpError(400, 'user_id must be a non-negative integer or an id string');
  }
  const amount = body.amount;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
    throw new HttpError(400, 'amount must be a non-negative number');
  }

  const fetchStart = nowNs();
  let status = 200;
  let payload: Record<string, unknown>;
  let fetchSpan: Span;
  try {
    const result = await store.get(String(userId));
    fetchSpan = {
      traceId,
      spanId: childId,
      parentSpanId: rootId,
      name: 'feature_store.get',
      startNs: fetchStart,
      endNs: nowNs(),
      attributes: {
        ...cacheHit(result.defaulted.length === 0),
        'features.defaulted': result.defaulted.length,
        'redis.outcome': result.redis,
      },
    };
    const { probability, decision } = score(amount, result.features);
    const featuresSource = result.defaulted.length === 0 ? 'cache' : 'default';
    predictions.inc({ decision, features_source: featuresSource });
    payload = {
      user_id: userId,
      fraud_probability: probability,
      decision,
      degraded: featuresSource !== 'cache',
      features_source: featuresSource,
      model_version: MODEL_VERSION,
    };
  } catch (e) {
    if (!(e instanceof FeatureStoreError)) throw e;
    status = 500;
    payload = { error: e.message };
    logRequestError(`Prediction failed for user ${String(userId)}: ${e.message}`);
    fetchSpan = {
      traceId,
      spanId: childId,
      parentSpanId: rootId,
      name: 'feature_store.get',
      startNs: fetchStart,
      endNs: nowNs(),
      attributes: { ...cacheHit(false), error: e.message },
      error: true,
    };
  }
  const rootSpan: Span = {
    traceId,
    spanId: rootId,
    name: 'POST /v1/predict',
    startNs: start,
    endNs: nowNs(),
    attributes: {
      'http.method': 'POST',
      'http.route': '/v1/predict',
      'http.status_code': status,
      'user.id': String(userId),
    },
    error: status >= 500,
  };

  if (exporter.mode === 'blocking') {
    try {
      await exporter.exportBlocking([fetchSpan, rootSpan]);
    } catch (e) {
      send(res, 500, { error: `telemetry export failed: ${(e as Error).message}` });
      return;
    }
  }
  send(res, status, payload);
  exporter.record([fetchSpan, rootSpan]);
}

function health(res: http.ServerResponse): void {
  const redisStatus = store.status;
  const healthy = !config.healthRequiresRedis || redisStatus === 'ready';
  send(res, healthy ? 200 : 503, {
    status: healthy ? (redisStatus === 'ready' ? 'ok' : 'degraded') : 'unhealthy',
    resilience: config.resilient ? 'on' : 'off',
    redis: { status: redisStatus, circuit_breaker: store.breaker?.current ?? 'disabled' },
    telemetry: exporter.state,
    rss_bytes: process.memoryUsage.rss(),
    memory_limit_bytes: config.memoryLimitBytes,
    uptime_seconds: Math.round(process.uptime()),
  });
}

// /debug/leak: memory that is never given back, to drive the OOM scenario.
// Buffers live outside the V8 heap and are filled, so the RSS really grows
// and the kernel's OOM killer (not V8) ends the process at the cgroup limit.
const leaked: Buffer[] = [];
let leakedTotal = 0;

function leakMiB(mb: number): void {
  for (let i = 0; i < mb; i++) {
    const chunk = Buffer.allocUnsafe(MIB);
    chunk.fill(0x78);
    leaked.push(chunk);
  }
  leakedTotal += mb * MIB;
  leakedBytes.set(leakedTotal);
}

function debugLeak(url: URL, res: http.ServerResponse): void {
  const mb = Math.min(Math.max(Number(url.searchParams.get('mb') ?? 10) || 0, 0), 4096);
  const seconds = Math.min(Math.max(Number(url.searchParams.get('seconds') ?? 0) || 0, 0), 600);
  if (seconds > 0) {
    // Leak mb MiB spread evenly over `seconds`, in steps of 100 ms.
    const steps = Math.max(1, Math.round(seconds * 10));
    let done = 0;
    let step = 0;
    const timer = setInterval(() => {
      step++;
      const target = Math.round((mb * step) / steps);
      leakMiB(target - done);
      done = target;
      if (step >= steps) clearInterval(timer);
    }, 100);
    log.warn(`/debug/leak: leaking ${mb} MiB over ${seconds}s`);
    send(res, 202, { leaking_mb: mb, over_seconds: seconds, leaked_mb: Math.round(leakedTotal / MIB) });
    return;
  }
  leakMiB(mb);
  log.warn(`/debug/leak: leaked ${mb} MiB (total ${Math.round(leakedTotal / MIB)} MiB)`);
  send(res, 200, { leaked_mb: Math.round(leakedTotal / MIB), rss_bytes: process.memoryUsage.rss() });
}

const server = http.createServer((req, res) => {
  const started = process.hrtime.bigint();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  let route = 'other';
  res.on('finish', () => {
    const labels = { route, method, status: String(res.statusCode) };
    httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    httpRequests.inc(labels);
  });

  const handle = async (): Promise<void> => {
    if (url.pathname === '/v1/predict') {
      route = '/v1/predict';
      if (method !== 'POST') throw new HttpError(405, 'use POST');
      // The switchable defect (config.hangAfterRedisRestart): hold the request open, answer never.
      if (store.hung) return new Promise<void>(() => undefined);
      await predict(req, res);
    } else if (url.pathname === '/healthz') {
      route = '/healthz';
      health(res);
    } else if (url.pathname === '/metrics') {
      route = '/metrics';
      send(res, 200, await registry.metrics(), registry.contentType);
    } else if (url.pathname === '/debug/leak' && config.enableDebugLeak) {
      route = '/debug/leak';
      debugLeak(url, res);
    } else {
      throw new HttpError(404, 'not found');
    }
  };
  handle().catch((e: unknown) => {
    if (res.headersSent) return;
    if (e instanceof HttpError) {
      send(res, e.status, { error: e.message });
    } else {
      log.error(`Unhandled error on ${method} ${url.pathname}: ${(e as Error).stack ?? String(e)}`);
      send(res, 500, { error: 'internal error' });
    }
  });
});
server.keepAliveTimeout = 65_000;

server.listen(config.port, () => {
  log.info(
    `fraud-api listening on :${config.port} (resilience=${config.resilient ? 'on' : 'off'} ` +
      `fallback=${config.featureFallback ? 'on' : 'off'} ` +
      `breaker=${config.circuitBreaker ? `on(${config.breakerFailureThreshold} failures, ${config.breakerOpenMs}ms)` : 'off'} ` +
      `redis_timeout=${config.redisTimeoutMs}ms backoff=${config.redisBackoff} telemetry=${config.telemetryExport} ` +
      `debug_leak=${config.enableDebugLeak ? 'on' : 'off'} memory_limit=${config.memoryLimitBytes})`,
  );
});

let stopping = false;
function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  log.info(`${signal} received: shutting down`);
  exporter.stop();
  server.close(() => process.exit(0));
  void store.close();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
