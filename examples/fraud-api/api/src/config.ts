// Every knob of the API comes from the environment. RESILIENCE=on|off picks
// the defaults of the individual knobs; each knob can still be set on its own.
import { readFileSync } from 'node:fs';

const env = process.env;

function flag(name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return ['1', 'on', 'true', 'yes'].includes(raw.trim().toLowerCase());
}

function int(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return Math.floor(n);
}

function choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new Error(`${name} must be one of ${allowed.join('|')}, got "${raw}"`);
  }
  return raw as T;
}

/** The memory limit of the container: MEMORY_LIMIT_BYTES, else the cgroup's limit, else 0. */
function memoryLimit(): number {
  const fromEnv = int('MEMORY_LIMIT_BYTES', 0);
  if (fromEnv > 0) return fromEnv;
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const n = Number(readFileSync(file, 'utf8').trim());
      // cgroup v1 reports "no limit" as a huge number.
      if (Number.isFinite(n) && n > 0 && n < 2 ** 50) return n;
    } catch {
      // not this cgroup version
    }
  }
  return 0;
}

const resilient = choice('RESILIENCE', ['on', 'off'] as const, 'on') === 'on';

export const config = {
  resilient,
  port: int('PORT', 8000),
  logLevel: choice('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
  redisUrl: env.REDIS_URL || 'redis://redis:6379',
  /** On a cache miss or a Redis failure, score with default features instead of failing. */
  featureFallback: flag('FEATURE_FALLBACK', resilient),
  /** Per-command timeout of Redis calls. */
  redisTimeoutMs: int('REDIS_TIMEOUT_MS', resilient ? 1000 : 30000),
  redisConnectTimeoutMs: int('REDIS_CONNECT_TIMEOUT_MS', resilient ? 1000 : 10000),
  circuitBreaker: flag('CIRCUIT_BREAKER', resilient),
  breakerFailureThreshold: Math.max(1, int('BREAKER_FAILURE_THRESHOLD', 3)),
  breakerOpenMs: int('BREAKER_OPEN_MS', 10000),
  /** exponential: 1 s, 2 s, 4 s, 8 s (capped) between reconnect attempts; none: a fixed short delay. */
  redisBackoff: choice('REDIS_BACKOFF', ['exponential', 'none'] as const, resilient ? 'exponential' : 'none'),
  redisBackoffBaseMs: int('REDIS_BACKOFF_BASE_MS', 1000),
  redisBackoffMaxMs: int('REDIS_BACKOFF_MAX_MS', 8000),
  redisRetryDelayMs: int('REDIS_RETRY_DELAY_MS', 20),
  /** async: batched, never on the request path; blocking: each request awaits its own export. */
  telemetryExport: choice(
    'TELEMETRY_EXPORT',
    ['async', 'blocking', 'off'] as const,
    resilient ? 'async' : 'blocking',
  ),
  otlpEndpoint: (env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://otel-collector:4318').replace(/\/+$/, ''),
  serviceName: env.OTEL_SERVICE_NAME || 'fraud-api',
  telemetryIntervalMs: Math.max(100, int('TELEMETRY_EXPORT_INTERVAL_MS', 1000)),
  telemetryTimeoutMs: int('TELEMETRY_EXPORT_TIMEOUT_MS', resilient ? 2000 : 30000),
  telemetryBufferMaxSpans: Math.max(1, int('TELEMETRY_BUFFER_MAX_SPANS', 4096)),
  /** Put `cache.hit` on the feature_store.get span; off: a blind span (the trace check's red case). */
  traceCacheHit: flag('TRACE_CACHE_HIT', true),
  /** Report 503 on /healthz while Redis is not connected (the naive coupling). */
  healthRequiresRedis: flag('HEALTH_REQUIRES_REDIS', !resilient),
  enableDebugLeak: flag('ENABLE_DEBUG_LEAK', false),
  memoryLimitBytes: memoryLimit(),
  cacheMissLogPerSec: int('CACHE_MISS_LOG_PER_SEC', 5),
  /**
   * A defect to test recovery checks against (off by default): once Redis has come back after
   * the connection was lost, /v1/predict stops answering (each request is held open, as behind
   * a client wedged by the reconnect), while /healthz keeps answering 200.
   * docker-compose.hang-after-restart.yml turns it on.
   */
  hangAfterRedisRestart: flag('HANG_AFTER_REDIS_RESTART', false),
};

export type Config = typeof config;
