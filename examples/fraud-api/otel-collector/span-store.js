// The collector's span store: the newest spans received over OTLP/JSON, in a ring of fixed
// size (the oldest go first), answered in Jaeger's JSON model (the shape of Jaeger's
// /api/traces: traces of spans with operationName, startTime and duration in microseconds,
// typed tags, and a processes map that spans point into with processID).
'use strict';

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** OTLP/JSON ids are hex; some exporters send base64 (the protobuf JSON mapping). */
function hexId(id, length) {
  if (typeof id !== 'string' || id === '') return '';
  if (new RegExp(`^[0-9a-fA-F]{${length}}$`).test(id)) return id.toLowerCase();
  const bytes = Buffer.from(id, 'base64');
  return bytes.length * 2 === length ? bytes.toString('hex') : '';
}

/** OTLP AnyValue → a Jaeger tag ({ key, type, value }). */
function tag(key, anyValue) {
  const v = anyValue || {};
  if ('boolValue' in v) return { key, type: 'bool', value: Boolean(v.boolValue) };
  if ('intValue' in v) return { key, type: 'int64', value: Number(v.intValue) };
  if ('doubleValue' in v) return { key, type: 'float64', value: Number(v.doubleValue) };
  if ('stringValue' in v) return { key, type: 'string', value: String(v.stringValue) };
  return {
    key,
    type: 'string',
    value: JSON.stringify(v.arrayValue || v.kvlistValue || v.bytesValue || null),
  };
}

/** Nanoseconds (a string or number in OTLP/JSON) → microseconds. */
function micros(nanos) {
  try {
    return Number(BigInt(String(nanos || 0)) / 1000n);
  } catch {
    return NaN;
  }
}

/** One OTLP/JSON span and its resource's attributes → a stored span, or null when unusable. */
function spanFromOtlp(span, resourceAttributes) {
  const traceID = hexId(span.traceId, 32);
  const spanID = hexId(span.spanId, 16);
  const startTime = micros(span.startTimeUnixNano);
  const endTime = micros(span.endTimeUnixNano);
  if (!traceID || !spanID || !span.name || !Number.isFinite(startTime)) return null;
  const serviceAttr = (resourceAttributes || []).find((a) => a.key === 'service.name');
  const serviceName =
    (serviceAttr && serviceAttr.value && serviceAttr.value.stringValue) || 'unknown_service';
  const tags = (span.attributes || []).map((a) => tag(a.key, a.value));
  const kind = SPAN_KINDS[Number(span.kind) || 0];
  if (kind && kind !== 'unspecified') tags.push({ key: 'span.kind', type: 'string', value: kind });
  const statusCode = span.status && Number(span.status.code);
  if (statusCode === 2) {
    tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
    tags.push({ key: 'error', type: 'bool', value: true });
  }
  const parent = hexId(span.parentSpanId, 16);
  return {
    traceID,
    spanID,
    operationName: String(span.name),
    references: parent ? [{ refType: 'CHILD_OF', traceID, spanID: parent }] : [],
    startTime,
    duration: Number.isFinite(endTime) ? Math.max(0, endTime - startTime) : 0,
    tags,
    serviceName,
    processTags: (resourceAttributes || []).map((a) => tag(a.key, a.value)),
  };
}

class SpanStore {
  constructor(capacity) {
    this.capacity = Math.max(1, capacity);
    this.ring = new Array(this.capacity);
    this.next = 0;
    this.size = 0;
  }

  add(span) {
    this.ring[this.next] = span;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  *all() {
    const first = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) yield this.ring[(first + i) % this.capacity];
  }

  /**
   * Jaeger's search: the traces holding a span of `service` (named `operation`, when given)
   * that started in [start, end] (microseconds), the most recent first, at most `limit`;
   * each trace with all its stored spans.
   */
  find({ service, operation, start, end, limit }) {
    const newest = new Map(); // traceID -> latest matching start
    for (const s of this.all()) {
      if (s.serviceName !== service || (operation && s.operationName !== operation)) continue;
      if (s.startTime < start || s.startTime > end) continue;
      newest.set(s.traceID, Math.max(newest.get(s.traceID) || 0, s.startTime));
    }
    const chosen = [...newest]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit > 0 ? limit : newest.size)
      .map(([id]) => id);
    return this.traces(new Set(chosen));
  }

  trace(traceID) {
    return this.traces(new Set([traceID]))[0] || null;
  }

  traces(ids) {
    const byTrace = new Map();
    for (const s of this.all()) {
      if (!ids.has(s.traceID)) continue;
      if (!byTrace.has(s.traceID)) byTrace.set(s.traceID, []);
      byTrace.get(s.traceID).push(s);
    }
    const out = [];
    for (const id of ids) {
      const spans = byTrace.get(id);
      if (!spans) continue;
      const processes = {};
      const processOf = new Map();
      const jaegerSpans = spans.map((s) => {
        if (!processOf.has(s.serviceName)) {
          const pid = `p${processOf.size + 1}`;
          processOf.set(s.serviceName, pid);
          processes[pid] = { serviceName: s.serviceName, tags: s.processTags };
        }
        return {
          traceID: s.traceID,
          spanID: s.spanID,
          flags: 1,
          operationName: s.operationName,
          references: s.references,
          startTime: s.startTime,
          duration: s.duration,
          tags: s.tags,
          logs: [],
          processID: processOf.get(s.serviceName),
          warnings: null,
        };
      });
      out.push({ traceID: id, spans: jaegerSpans, processes, warnings: null });
    }
    return out;
  }

  services() {
    return [...new Set([...this.all()].map((s) => s.serviceName))].sort();
  }

  operations(service) {
    return [
      ...new Set([...this.all()].filter((s) => s.serviceName === service).map((s) => s.operationName)),
    ].sort();
  }
}

module.exports = { SpanStore, spanFromOtlp };
