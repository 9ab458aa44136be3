// Trace checks: spans read from the tracing role's store, judged on the spans that started in
// the phase's window.
//
// Evidence: those spans. No span there is no evidence (inconclusive, never a pass); a store that
// cut its answer at its limit leaves standing only what the spans seen already decide.
import type { ObservedSpan, ScenarioObservations } from '../observations';
import { compare, traceKey, type AttributeValue, type Comparator, type Threshold } from '../thresholds';
import { phaseWindow, SKIPPED, unknown, type Evidence, type Verdict } from './evidence';

export type TraceThreshold = Extract<Threshold, { kind: 'trace_attribute' | 'trace_count' }>;
type SpanAttribute = ObservedSpan['attributes'][string];

/** Whether a span's attribute satisfies `op value`; a span without it satisfies nothing. */
export function attributeHolds(
  actual: SpanAttribute | undefined,
  op: Comparator,
  expected: AttributeValue,
): boolean {
  if (actual === undefined) return false;
  if (typeof expected === 'number') {
    const n =
      typeof actual === 'number'
        ? actual
        : typeof actual === 'string' && actual.trim()
          ? Number(actual)
          : NaN;
    return Number.isFinite(n) && compare(n, op, expected);
  }
  // A store may type a tag differently from the literal (a "false" string): compare the text.
  const same = typeof actual === typeof expected ? actual === expected : String(actual) === String(expected);
  return op === '==' ? same : op === '!=' ? !same : false;
}

const literal = (v: AttributeValue): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** The values an attribute took over the spans, most frequent first: `false ×120, true ×3`. */
function attributeValues(spans: readonly ObservedSpan[], key: string): string {
  const counts = new Map<string, number>();
  for (const span of spans) {
    const v = span.attributes[key];
    const text = v === undefined ? '(absent)' : literal(v);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([v, n]) => `${v} ×${n}`)
    .join(', ');
}

export function evalTrace(t: TraceThreshold, obs: ScenarioObservations): Verdict {
  const limit =
    t.kind === 'trace_count'
      ? `count ${t.op} ${t.value}`
      : `${t.quantifier} ${t.attribute} ${t.op} ${literal(t.value)}`;
  if (!obs.traces) return unknown(limit, `${SKIPPED} the stack has no tracing role (no trace store to read)`);
  const read = obs.traces[traceKey(t.service, t.operation)];
  if (!read) return unknown(limit, `spans ${t.operation} of ${t.service} were not read`);
  if (read.error) return unknown(limit, `the trace store could not be read: ${read.error}`);
  const window = phaseWindow(obs, t.phase);
  if (t.phase !== null && !window) return unknown(limit, `the ${t.phase} phase was not observed`);
  const fromMs = window?.startMs ?? 0;
  const toMs = window?.endMs ?? obs.endMs;
  const where = t.phase === null ? 'the scenario' : `the ${t.phase} phase`;
  const spans = read.spans.filter((s) => s.startMs >= fromMs && s.startMs < toMs);
  const evidence: Evidence = {
    count: spans.length,
    of: `${t.operation} span of ${t.service} started in ${where}`,
  };
  const cut = 'the trace store cut its answer at its limit, so spans are missing';
  if (t.kind === 'trace_count') {
    const passed = compare(spans.length, t.op, t.value);
    // A lower bound decides only `>`/`>=` passes and `<`/`<=`/`==` failures beyond the limit.
    if (read.truncated && !(passed ? t.op === '>' || t.op === '>=' : ['<', '<=', '=='].includes(t.op)))
      return unknown(limit, `${cut}: ${spans.length} counted`);
    return { passed, actual: `${spans.length} spans`, limit, value: spans.length, evidence };
  }
  const holding = spans.filter((s) => attributeHolds(s.attributes[t.attribute], t.op, t.value)).length;
  const passed = t.quantifier === 'all' ? holding === spans.length : holding > 0;
  // `all` passing and `any` failing are claims about every span: a cut answer cannot make them.
  if (read.truncated && passed === (t.quantifier === 'all'))
    return unknown(limit, `${cut}: ${holding} of ${spans.length} seen hold`);
  return {
    passed,
    actual: `${holding} of ${spans.length} spans`,
    limit,
    value: holding,
    detail: `${t.attribute}: ${attributeValues(spans, t.attribute)}`,
    evidence,
  };
}
