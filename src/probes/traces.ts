// Reads spans from a trace store over Jaeger's HTTP query API (the one Jaeger all-in-one serves
// on :16686, and the example's OTLP sink serves too): GET /api/traces?service=&operation=&start=
// &end=&limit=, times in epoch microseconds, answer { data: [ { traceID, spans, processes } ] }.
// A thin edge: it asks and flattens; it never judges. Every call has a short timeout.
import { jsonOf, probeRequest } from './client';

export class TraceStoreError extends Error {}

/** Jaeger's HTTP query port (all-in-one's UI and API). */
export const JAEGER_QUERY_PORT = 16686;

/** A span as this probe hands it on: epoch times, the tags as a flat map. */
export interface StoreSpan {
  traceId: string;
  spanId: string;
  operation: string;
  service: string | null;
  startEpochMs: number;
  durationMs: number;
  attributes: Record<string, string | number | boolean>;
}

interface JaegerTag {
  key: string;
  type?: string;
  value: unknown;
}
interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  /** Epoch microseconds. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags?: JaegerTag[] | null;
  processID?: string;
  process?: { serviceName?: string } | null;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[] | null;
  processes?: Record<string, { serviceName?: string }> | null;
}

export interface SpanQuery {
  service: string;
  operation: string;
  startEpochMs: number;
  endEpochMs: number;
  /** Most traces one answer may hold (Jaeger's `limit`; its default is 100). */
  limit: number;
}

function tagValue(tag: JaegerTag): string | number | boolean | null {
  const v = tag.value;
  switch (tag.type) {
    case 'bool':
      return typeof v === 'boolean' ? v : String(v) === 'true';
    case 'int64':
    case 'float64':
      return typeof v === 'number' ? v : Number(v);
    default:
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;
  }
}

/**
 * The spans named `operation` of `service` that started in [start, end], and whether the
 * answer was cut at `limit` traces. A trace in the answer holds all its spans: only the asked
 * service's spans of that name are returned.
 */
export async function findSpans(
  baseUrl: string,
  query: SpanQuery,
  timeoutMs = 5000,
): Promise<{ spans: StoreSpan[]; truncated: boolean }> {
  const response = await probeRequest(`${baseUrl.replace(/\/$/, '')}/api/traces`, {
    query: {
      service: query.service,
      operation: query.operation,
      start: Math.floor(query.startEpochMs * 1000),
      end: Math.ceil(query.endEpochMs * 1000),
      limit: query.limit,
    },
    timeoutMs,
  }).catch((error: Error) => {
    throw new TraceStoreError(`trace store ${baseUrl} did not answer: ${error.message}`);
  });
  const body = jsonOf(response.text) as
    { data?: JaegerTrace[] | null; errors?: { msg?: string }[] | null } | undefined;
  if (response.status !== 200 || !body || typeof body !== 'object') {
    const why = body?.errors?.[0]?.msg ?? `HTTP ${response.status}`;
    throw new TraceStoreError(`trace store ${baseUrl}: /api/traces failed: ${why}`);
  }
  const traces = body.data ?? [];
  const spans: StoreSpan[] = [];
  for (const trace of traces) {
    for (const span of trace.spans ?? []) {
      if (span.operationName !== query.operation) continue;
      const process = span.process ?? (span.processID ? trace.processes?.[span.processID] : undefined);
      const service = process?.serviceName ?? null;
      if (service !== null && service !== query.service) continue;
      const startEpochMs = span.startTime / 1000;
      if (startEpochMs < query.startEpochMs || startEpochMs > query.endEpochMs) continue;
      const attributes: StoreSpan['attributes'] = {};
      for (const tag of span.tags ?? []) {
        const value = tagValue(tag);
        if (value !== null) attributes[tag.key] = value;
      }
      spans.push({
        traceId: span.traceID,
        spanId: span.spanID,
        operation: span.operationName,
        service,
        startEpochMs,
        durationMs: span.duration / 1000,
        attributes,
      });
    }
  }
  return { spans, truncated: traces.length >= query.limit };
}
