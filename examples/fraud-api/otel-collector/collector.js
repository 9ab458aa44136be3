// A minimal OTLP/HTTP receiver standing in for the OpenTelemetry Collector.
// It accepts POST /v1/traces, /v1/metrics and /v1/logs (JSON or protobuf),
// counts requests, and counts spans / data points / log records in JSON
// bodies. Spans from JSON bodies are kept in memory (the newest
// TRACE_STORE_MAX_SPANS) and served over Jaeger's HTTP query API, as
// Jaeger all-in-one serves them. Ports follow the real components:
//   4318  OTLP/HTTP receiver
//   8888  the collector's own metrics (Prometheus text) at /metrics
//   13133 health check at /
//   16686 Jaeger query API: /api/traces, /api/traces/{id}, /api/services,
//         /api/services/{service}/operations
'use strict';
const http = require('node:http');
const { SpanStore, spanFromOtlp } = require('./span-store');

const OTLP_PORT = Number(process.env.OTLP_HTTP_PORT || 4318);
const METRICS_PORT = Number(process.env.METRICS_PORT || 8888);
const HEALTH_PORT = Number(process.env.HEALTH_PORT || 13133);
const QUERY_PORT = Number(process.env.QUERY_PORT || 16686);
const MAX_BODY = 16 * 1024 * 1024;
// How long an accepted export waits before its answer: a collector one network hop away, or one
// that processes synchronously. 0 (the default) answers at once. The verdict benchmark's slower
// variant sets it, so that a request path awaiting its export pays a realistic round trip.
const RESPONSE_DELAY_MS = Math.max(0, Number(process.env.OTLP_RESPONSE_DELAY_MS || 0));
const store = new SpanStore(Number(process.env.TRACE_STORE_MAX_SPANS || 100000));

const SIGNALS = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };
const requests = new Map(); // `${signal}|${encoding}|${outcome}` -> count
const accepted = { spans: 0, metric_points: 0, log_records: 0 };
const started = Date.now();

function log(level, message) {
  process.stdout.write(`${new Date().toISOString()} ${level} ${message}\n`);
}

function countRequest(signal, encoding, outcome) {
  const key = `${signal}|${encoding}|${outcome}`;
  requests.set(key, (requests.get(key) || 0) + 1);
}

function countItems(signal, body) {
  if (signal === 'traces') {
    let n = 0;
    for (const rs of body.resourceSpans || []) {
      const resource = (rs.resource && rs.resource.attributes) || [];
      for (const ss of rs.scopeSpans || rs.instrumentationLibrarySpans || []) {
        n += (ss.spans || []).length;
        for (const span of ss.spans || []) {
          const kept = spanFromOtlp(span, resource);
          if (kept) store.add(kept);
        }
      }
    }
    accepted.spans += n;
  } else if (signal === 'metrics') {
    let n = 0;
    for (const rm of body.resourceMetrics || [])
      for (const sm of rm.scopeMetrics || [])
        for (const m of sm.metrics || []) {
          const data = m.sum || m.gauge || m.histogram || m.exponentialHistogram || m.summary || {};
          n += (data.dataPoints || []).length;
        }
    accepted.metric_points += n;
  } else {
    let n = 0;
    for (const rl of body.resourceLogs || [])
      for (const sl of rl.scopeLogs || []) n += (sl.logRecords || []).length;
    accepted.log_records += n;
  }
}

function reply(res, status, contentType, text) {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const receiver = http.createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  const signal = SIGNALS[path];
  if (req.method !== 'POST' || !signal) {
    reply(res, 404, 'text/plain', 'not found\n');
    return;
  }
  const type = String(req.headers['content-type'] || '');
  const encoding = type.includes('json') ? 'json' : 'protobuf';
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= MAX_BODY) chunks.push(c);
  });
  req.on('end', () => {
    if (RESPONSE_DELAY_MS > 0) setTimeout(() => answer(), RESPONSE_DELAY_MS);
    else answer();
  });
  function answer() {
    if (size > MAX_BODY) {
      countRequest(signal, encoding, 'refused');
      reply(res, 413, 'text/plain', 'body too large\n');
      return;
    }
    if (encoding === 'json') {
      try {
        countItems(signal, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        countRequest(signal, encoding, 'refused');
        reply(res, 400, 'application/json', '{"code":3,"message":"invalid JSON"}');
        return;
      }
      countRequest(signal, encoding, 'accepted');
      reply(res, 200, 'application/json', '{}');
    } else {
      // Protobuf bodies are accepted but not decoded: an empty Export*ServiceResponse.
      countRequest(signal, encoding, 'accepted');
      reply(res, 200, 'application/x-protobuf', '');
    }
  }
});
receiver.keepAliveTimeout = 65000;

function metricsText() {
  const lines = [
    '# HELP otelcol_receiver_accepted_spans_total Spans accepted (counted in JSON bodies)',
    '# TYPE otelcol_receiver_accepted_spans_total counter',
    `otelcol_receiver_accepted_spans_total{receiver="otlp",transport="http"} ${accepted.spans}`,
    '# HELP otelcol_receiver_accepted_metric_points_total Metric data points accepted (JSON bodies)',
    '# TYPE otelcol_receiver_accepted_metric_points_total counter',
    `otelcol_receiver_accepted_metric_points_total{receiver="otlp",transport="http"} ${accepted.metric_points}`,
    '# HELP otelcol_receiver_accepted_log_records_total Log records accepted (JSON bodies)',
    '# TYPE otelcol_receiver_accepted_log_records_total counter',
    `otelcol_receiver_accepted_log_records_total{receiver="otlp",transport="http"} ${accepted.log_records}`,
    '# HELP otelcol_receiver_requests_total OTLP/HTTP export requests by signal, encoding and outcome',
    '# TYPE otelcol_receiver_requests_total counter',
  ];
  for (const [key, n] of requests) {
    const [signal, encoding, outcome] = key.split('|');
    lines.push(
      `otelcol_receiver_requests_total{signal="${signal}",encoding="${encoding}",outcome="${outcome}"} ${n}`,
    );
  }
  lines.push(
    '# HELP trace_store_spans Spans held in memory for the query API',
    '# TYPE trace_store_spans gauge',
    `trace_store_spans ${store.size}`,
    '# HELP otelcol_process_uptime_seconds Seconds since the receiver started',
    '# TYPE otelcol_process_uptime_seconds counter',
    `otelcol_process_uptime_seconds ${(Date.now() - started) / 1000}`,
  );
  return lines.join('\n') + '\n';
}

const metrics = http.createServer((req, res) => {
  if ((req.url || '').split('?')[0] === '/metrics')
    reply(res, 200, 'text/plain; version=0.0.4', metricsText());
  else reply(res, 404, 'text/plain', 'not found\n');
});

const health = http.createServer((req, res) => {
  reply(
    res,
    200,
    'application/json',
    JSON.stringify({ status: 'Server available', uptime_s: process.uptime() }),
  );
});

// Jaeger's query API: the envelope and error shape of its HTTP handler.
function jaegerReply(res, status, data, error) {
  const body = {
    data: error ? null : data,
    total: error || !Array.isArray(data) ? 0 : data.length,
    limit: 0,
    offset: 0,
    errors: error ? [{ code: status, msg: error }] : null,
  };
  reply(res, status, 'application/json', JSON.stringify(body));
}

const query = http.createServer((req, res) => {
  const url = new URL(req.url || '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '');
  if (req.method !== 'GET') return jaegerReply(res, 405, null, 'use GET');
  if (path === '/api/traces') {
    const q = url.searchParams;
    const service = q.get('service') || '';
    if (!service) return jaegerReply(res, 400, null, "parameter 'service' is required");
    const nowUs = Date.now() * 1000;
    const int = (name, fallback) => {
      const raw = q.get(name);
      if (raw === null || raw === '') return fallback;
      return /^\d+$/.test(raw) ? Number(raw) : NaN;
    };
    const start = int('start', nowUs - 2 * 24 * 3600 * 1e6);
    const end = int('end', nowUs);
    const limit = int('limit', 100);
    for (const [name, v] of [
      ['start', start],
      ['end', end],
      ['limit', limit],
    ])
      if (!Number.isFinite(v)) return jaegerReply(res, 400, null, `unable to parse param '${name}'`);
    const traces = store.find({ service, operation: q.get('operation') || '', start, end, limit });
    return jaegerReply(res, 200, traces);
  }
  const byId = /^\/api\/traces\/([0-9a-fA-F]{1,32})$/.exec(path);
  if (byId) {
    const trace = store.trace(byId[1].toLowerCase().padStart(32, '0'));
    return trace ? jaegerReply(res, 200, [trace]) : jaegerReply(res, 404, null, 'trace not found');
  }
  if (path === '/api/services') return jaegerReply(res, 200, store.services());
  const ops = /^\/api\/services\/([^/]+)\/operations$/.exec(path);
  if (ops) return jaegerReply(res, 200, store.operations(decodeURIComponent(ops[1])));
  return jaegerReply(res, 404, null, 'not found');
});

receiver.listen(OTLP_PORT, () => log('INFO', `OTLP/HTTP receiver listening on :${OTLP_PORT}`));
query.listen(QUERY_PORT, () => log('INFO', `Jaeger query API on :${QUERY_PORT}/api/traces`));
metrics.listen(METRICS_PORT, () => log('INFO', `metrics on :${METRICS_PORT}/metrics`));
health.listen(HEALTH_PORT, () => log('INFO', `health check on :${HEALTH_PORT}/`));

let last = { ...accepted };
setInterval(() => {
  if (
    accepted.spans !== last.spans ||
    accepted.metric_points !== last.metric_points ||
    accepted.log_records !== last.log_records
  ) {
    log(
      'INFO',
      `accepted spans=${accepted.spans} metric_points=${accepted.metric_points} log_records=${accepted.log_records}`,
    );
    last = { ...accepted };
  }
}, 10000).unref();

function shutdown(signal) {
  log('INFO', `${signal} received: shutting down`);
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
