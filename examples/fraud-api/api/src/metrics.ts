// Prometheus metrics (prom-client). Names are a contract with the alert rules
// in ../../monitoring/alert-rules.yml and with the chaos scenarios.
import client from 'prom-client';
import { config } from './config';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry }); // process_resident_memory_bytes, nodejs_* ...

export const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route, method and status code',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5, 10, 30,
  ],
  registers: [registry],
});

export const httpRequests = new client.Counter({
  name: 'http_requests_total',
  help: 'HTTP requests by route, method and status code',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
});

export const cacheHits = new client.Counter({
  name: 'feature_cache_hits_total',
  help: 'Feature lookups answered by Redis',
  registers: [registry],
});

export const cacheMisses = new client.Counter({
  name: 'feature_cache_misses_total',
  help: 'Feature lookups not answered by Redis (reason: not_found, redis_error, breaker_open)',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const redisErrors = new client.Counter({
  name: 'redis_errors_total',
  help: 'Redis failures by kind (timeout, connection, other)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const breakerOpen = new client.Gauge({
  name: 'redis_circuit_breaker_open',
  help: '1 while the Redis circuit breaker is open (or half-open), else 0',
  registers: [registry],
});

export const redisReconnects = new client.Counter({
  name: 'redis_reconnect_attempts_total',
  help: 'Reconnect attempts scheduled by the Redis client',
  registers: [registry],
});

export const redisConnected = new client.Gauge({
  name: 'redis_connected',
  help: '1 while the Redis client connection is ready, else 0',
  registers: [registry],
});

export const memoryLimit = new client.Gauge({
  name: 'process_memory_limit_bytes',
  help: 'Memory limit of the container (MEMORY_LIMIT_BYTES or the cgroup limit; 0 if unknown)',
  registers: [registry],
});
memoryLimit.set(config.memoryLimitBytes);

export const leakedBytes = new client.Gauge({
  name: 'debug_leaked_bytes',
  help: 'Bytes deliberately retained by /debug/leak',
  registers: [registry],
});

export const predictions = new client.Counter({
  name: 'predictions_total',
  help: 'Predictions served by decision and features source',
  labelNames: ['decision', 'features_source'] as const,
  registers: [registry],
});

export const spansExported = new client.Counter({
  name: 'telemetry_spans_exported_total',
  help: 'Spans accepted by the OTLP collector',
  registers: [registry],
});

export const spansDropped = new client.Counter({
  name: 'telemetry_spans_dropped_total',
  help: 'Spans dropped (reason: buffer_full, export_failed)',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const exportFailures = new client.Counter({
  name: 'telemetry_export_failures_total',
  help: 'Failed OTLP export requests',
  registers: [registry],
});

export const telemetryBuffer = new client.Gauge({
  name: 'telemetry_buffer_spans',
  help: 'Spans waiting in the in-memory export buffer',
  registers: [registry],
});

export const resilienceInfo = new client.Gauge({
  name: 'fraud_api_resilience_info',
  help: 'Resilience settings of this process (value is always 1)',
  labelNames: ['resilience', 'fallback', 'breaker', 'backoff', 'telemetry_export'] as const,
  registers: [registry],
});
resilienceInfo
  .labels({
    resilience: config.resilient ? 'on' : 'off',
    fallback: config.featureFallback ? 'on' : 'off',
    breaker: config.circuitBreaker ? 'on' : 'off',
    backoff: config.redisBackoff,
    telemetry_export: config.telemetryExport,
  })
  .set(1);
