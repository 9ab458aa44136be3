// The threshold parser: k6's syntax (`p(95)<500`, `rate<0.01`) and readable forms with units,
// phases, alerts, logs, containers, PromQL and proxy connection counts. Pure: text in, the typed
// AST of ./thresholds out, or a ConfigError that names the file, line and field. docs/scenarios.md
// has the grammar.
import { ConfigError } from '../config/errors';
import { didYouMean } from '../config/suggest';
import { parseDurationValue, parsePercent, parseRate, UnitError } from '../config/units';
import { PHASE_ORDER, type PhaseName } from '../results';
import { compileLogPattern } from './log-pattern';
import {
  METRIC_UNITS,
  TIMELINE_METRICS,
  type AlertAggregate,
  type MetricUnit,
  type ThresholdBase,
  type Comparator,
  type GuardCondition,
  type LoadMetric,
  type RegressionMetric,
  type Threshold,
  type ThresholdKind,
  type TimelineMetric,
  type Where,
} from './thresholds';

const REGRESSION_METRICS: readonly RegressionMetric[] = [
  'p95',
  'p99',
  'p90',
  'p50',
  'max',
  'avg',
  'error_rate',
];

/** Every metric word the parser knows, in suggestion order (p95 wins ties). */
const METRIC_WORDS: Record<string, LoadMetric | 'recovery_time' | 'mttr'> = {
  p95: 'p95',
  p99: 'p99',
  p90: 'p90',
  p50: 'p50',
  max: 'max',
  avg: 'avg',
  mean: 'avg',
  med: 'p50',
  median: 'p50',
  error_rate: 'error_rate',
  errors: 'errors',
  requests: 'requests',
  scheduled: 'scheduled',
  rps: 'rps',
  achieved_rate: 'rps',
  rate_achieved: 'rate_achieved',
  late: 'late',
  recovery_time: 'recovery_time',
  mttr: 'mttr',
  // k6 names without a metric prefix: `rate<0.01` is http_req_failed's rate, `count` is http_reqs'.
  rate: 'error_rate',
  count: 'requests',
};
const MEASURED_PERCENTILES: Record<string, LoadMetric> = {
  '50': 'p50',
  '90': 'p90',
  '95': 'p95',
  '99': 'p99',
};

const K6_METRICS = ['http_req_duration', 'http_req_failed', 'http_reqs'] as const;

class ParseError extends Error {}
const fail = (message: string): never => {
  throw new ParseError(message);
};

const PREFIX = /^(stage\s+[^\s:]+|[A-Za-z_][\w-]*)\s*:(?!:)\s*(.*)$/s;

interface Prefix {
  phase: PhaseName | null;
  stage: string | null;
  k6: (typeof K6_METRICS)[number] | null;
  body: string;
}

function splitPrefix(text: string): Prefix {
  const m = PREFIX.exec(text);
  if (!m) return { phase: null, stage: null, k6: null, body: text };
  const head = m[1];
  const body = m[2].trim();
  if (head.startsWith('stage')) return { phase: null, stage: head.replace(/^stage\s+/, ''), k6: null, body };
  if ((PHASE_ORDER as readonly string[]).includes(head))
    return { phase: head as PhaseName, stage: null, k6: null, body };
  if ((K6_METRICS as readonly string[]).includes(head)) {
    return { phase: null, stage: null, k6: head as (typeof K6_METRICS)[number], body };
  }
  return fail(
    `unknown phase "${head}"${didYouMean(head, [...PHASE_ORDER, ...K6_METRICS])}; ` +
      `a prefix is a phase (${PHASE_ORDER.join(', ')}) or "stage NAME"`,
  );
}

function unquote(text: string, example: string): string {
  const m = /^(["'])((?:\\.|(?!\1).)*)\1$/s.exec(text.trim());
  if (!m) return fail(`expected a quoted text, got ${text.trim() || 'nothing'} (write it like ${example})`);
  return m[2].replace(/\\(.)/g, '$1');
}

function regexLiteral(text: string, example: string): { pattern: string; flags: string } {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(text.trim());
  if (!m) return fail(`expected a /regex/, got ${text.trim() || 'nothing'} (write it like ${example})`);
  if (/[^imsu]/.test(m[2])) return fail(`regex flags "${m[2]}" are not supported (use i, m, s, u)`);
  try {
    compileLogPattern(m[1], m[2]);
  } catch (error) {
    return fail(`invalid regex /${m[1]}/: ${(error as Error).message}`);
  }
  return { pattern: m[1], flags: m[2] };
}

function duration(text: string, bare: 'ms' | null = null): number {
  try {
    return parseDurationValue(text.trim(), bare);
  } catch (error) {
    return fail((error as Error).message);
  }
}

function count(text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return fail(`"${t}" is not a whole number ≥ 0`);
  return Number(t);
}

function number(text: string): number {
  const t = text.trim();
  if (!/^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(t)) return fail(`"${t}" is not a number`);
  return Number(t);
}

function operator(text: string): { left: string; op: Comparator; right: string } | null {
  const m = /^(.*?)\s*(<=|>=|==|!=|=<|=>|<|>|=)\s*(.*)$/s.exec(text);
  if (!m) return null;
  const op = m[2];
  if (op === '=') return fail(`"=" is not a comparison; write == (e.g. error_rate == 0)`);
  if (op === '=<' || op === '=>') return fail(`"${op}" is not a comparison; write ${op[1]}=`);
  return { left: m[1].trim(), op: op as Comparator, right: m[3].trim() };
}

const OP_HINT = 'write it like p95 < 500ms';

function metricValue(
  metric: LoadMetric | 'recovery_time' | 'mttr',
  unit: MetricUnit | 'duration',
  text: string,
): number {
  try {
    switch (unit) {
      case 'ms':
        return parseDurationValue(text, 'ms');
      case 'duration':
        return parseDurationValue(text, null);
      case 'ratio':
        return parsePercent(text);
      case 'count':
        return count(text);
      case 'rps':
        return text.includes('/') ? parseRate(text) : number(text);
    }
  } catch (error) {
    if (error instanceof UnitError) return fail(`${metric}: ${error.message}`);
    throw error;
  }
}

function metricName(word: string, k6: Prefix['k6']): LoadMetric | 'recovery_time' | 'mttr' {
  const pm = /^p\((\d+(?:\.\d+)?)\)$/.exec(word);
  if (pm) {
    return (
      MEASURED_PERCENTILES[pm[1]] ??
      fail(`percentile ${word} is not measured (available: p(50), p(90), p(95), p(99))`)
    );
  }
  if (k6 === 'http_reqs' && word === 'rate') return 'rps';
  const metric = METRIC_WORDS[word];
  if (metric === undefined) {
    return fail(`unknown metric "${word}"${didYouMean(word, Object.keys(METRIC_WORDS))}`);
  }
  if (k6 === 'http_req_duration' && METRIC_UNITS[metric as LoadMetric] !== 'ms') {
    return fail(`http_req_duration has no "${word}" (use p(95), avg, max, med)`);
  }
  return metric;
}

/** The statistic a `shift` names: the median's (Hodges–Lehmann) by default, or the mean's. */
const SHIFT_METRICS: Record<string, 'p50' | 'avg'> = {
  p50: 'p50',
  'p(50)': 'p50',
  med: 'p50',
  median: 'p50',
  mean: 'avg',
  avg: 'avg',
};

/**
 * `[p50|median|mean] shift OP VALUE` (a regression against a paired base, judged on the shift's
 * interval): VALUE in ms (`0.5ms`) or relative to the base (`5%`). null when `left` is no shift.
 */
function parseShift(left: string, op: Comparator, right: string, sustainedMs: number | null): Parsed | null {
  const m = /^(?:(\S+)\s+)?shift$/.exec(left);
  if (!m) return null;
  const metric = m[1] === undefined ? 'p50' : SHIFT_METRICS[m[1]];
  if (metric === undefined)
    return fail(
      `no shift of "${m[1]}"${didYouMean(m[1], Object.keys(SHIFT_METRICS))} (write p50 shift < 0.5ms or mean shift < 5%)`,
    );
  if (sustainedMs !== null) fail('"for" does not apply to a shift');
  const text = right.trim();
  if (/%$/.test(text)) {
    try {
      return { kind: 'regression', metric, op, value: parsePercent(text, false), shift: 'relative' };
    } catch (error) {
      return fail(`shift: ${(error as Error).message}`);
    }
  }
  if (/^-?\d+(\.\d+)?$/.test(text))
    return fail(
      `shift: "${text}" needs a unit: ms for a shift in time (0.5ms), % for one relative to the base (5%)`,
    );
  return { kind: 'regression', metric, op, value: duration(text), shift: 'ms' };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Parsed = DistributiveOmit<Threshold, keyof ThresholdBase> & { phase?: PhaseName | null };

function parseMetric(body: string, prefix: Prefix): Parsed {
  const parts = operator(body);
  if (!parts || !parts.left) return fail(`no comparison operator in "${body}" (${OP_HINT})`);
  const { op } = parts;
  let left = parts.left;
  let right = parts.right;
  if (!right) return fail(`nothing to compare with after "${op}" (${OP_HINT})`);

  let sustainedMs: number | null = null;
  const sustained = /^(.*?)\s+(?:breached\s+)?for\s+(?:at\s+least\s+)?(\S+)$/s.exec(right);
  if (sustained) {
    right = sustained[1];
    sustainedMs = duration(sustained[2]);
    if (sustainedMs < 1000) fail(`"for ${sustained[2]}" is shorter than the timeline's 1s resolution`);
  }

  // k6's tag: `p95{request:checkout}` reads the metric on one request of the mix.
  let request: string | null = null;
  const tagged = /^([^{\s]+)\s*\{\s*([^:}\s]+)\s*:\s*([^}]*?)\s*\}$/.exec(left);
  if (tagged) {
    if (tagged[2] !== 'request') fail(`unknown tag "${tagged[2]}" (a metric takes {request:NAME})`);
    if (!tagged[3]) fail('{request:} names no request (write it like p95{request:checkout} < 300ms)');
    if (sustainedMs !== null)
      fail('"for" does not combine with a {request:NAME} tag (the timeline counts every request)');
    if (prefix.stage !== null) fail('a stage prefix does not combine with a {request:NAME} tag');
    request = tagged[3];
    left = tagged[1];
  }
  const regression = /^(\S+)\s+regression$/.exec(left);
  if (
    request !== null &&
    (regression || !/^(p\(\d+\)|[a-z_0-9]+)$/.test(left) || ['recovery_time', 'mttr'].includes(left))
  )
    fail(`a {request:NAME} tag applies to load metrics (p95, error_rate, ...), not to "${left}"`);
  if (regression) {
    const metric = metricName(regression[1], prefix.k6);
    if (!(REGRESSION_METRICS as readonly string[]).includes(metric)) {
      return fail(`no regression check for ${metric} (available: ${REGRESSION_METRICS.join(', ')})`);
    }
    let value: number;
    try {
      value = parsePercent(right, false);
    } catch (error) {
      return fail(`${metric} regression: ${(error as Error).message}`);
    }
    if (sustainedMs !== null) fail('"for" does not apply to regressions');
    return { kind: 'regression', metric: metric as RegressionMetric, op, value };
  }
  const shift = parseShift(left, op, right, sustainedMs);
  if (shift) return shift;
  if (/\s/.test(left)) {
    const word = left.split(/\s+/)[0];
    if (!(word in METRIC_WORDS) && !/^p\(/.test(word)) metricName(word, prefix.k6);
    return fail(`cannot read "${left}" before ${op} (${OP_HINT})`);
  }
  const metric = metricName(left, prefix.k6);
  if (metric === 'recovery_time') {
    if (prefix.phase !== null && prefix.phase !== 'recovery') {
      fail(`recovery_time is measured on the recovery phase, not on ${prefix.phase}`);
    }
    if (sustainedMs !== null) fail('"for" does not apply to recovery_time');
    return { kind: 'recovery_time', op, valueMs: metricValue(metric, 'duration', right), phase: 'recovery' };
  }
  if (metric === 'mttr') {
    if (prefix.phase !== null || prefix.stage !== null)
      fail('mttr spans the fault and recovery phases (from the first injection): write it without a prefix');
    if (sustainedMs !== null) fail('"for" does not apply to mttr');
    return { kind: 'mttr', op, valueMs: metricValue(metric, 'duration', right), phase: null };
  }
  if (sustainedMs !== null && !(TIMELINE_METRICS as readonly string[]).includes(metric)) {
    fail(`"for" works on ${TIMELINE_METRICS.join(', ')} (the per-second timeline has no ${metric})`);
  }
  if (sustainedMs !== null && prefix.stage !== null) fail('"for" does not combine with a stage prefix');
  const unit = METRIC_UNITS[metric];
  return { kind: 'metric', metric, unit, op, value: metricValue(metric, unit, right), sustainedMs, request };
}

const ALERT_FORMS =
  'alert NAME fires [within 5m] | alert NAME fires before container S oom_killed | alert NAME does not fire | ' +
  'alert NAME severity == warning | alert NAME is warning';

function parseAlert(rest: string): Parsed {
  const [name, ...more] = rest.split(/\s+/);
  const tail = more.join(' ');
  if (!name) return fail(`alert needs a name (${ALERT_FORMS})`);
  let m: RegExpExecArray | null;
  if ((m = /^fires(?:\s+within\s+(\S+))?$/.exec(tail))) {
    return { kind: 'alert_fires', alert: name, withinMs: m[1] === undefined ? null : duration(m[1]) };
  }
  if ((m = /^fires\s+before\s+container\s+(\S+)\s+oom_killed$/.exec(tail))) {
    return { kind: 'alert_before_oom', alert: name, service: m[1] };
  }
  if (/^(does\s+not|doesn't|never)\s+fires?$/.test(tail) || tail === 'not fires') {
    return { kind: 'alert_not_fires', alert: name };
  }
  if ((m = /^severity\s*(==|!=)\s*(\w+)$/.exec(tail))) {
    return { kind: 'alert_severity', alert: name, op: m[1] as '==' | '!=', severity: m[2] };
  }
  if ((m = /^is\s+(\w+)$/.exec(tail)))
    return { kind: 'alert_severity', alert: name, op: '==', severity: m[1] };
  return fail(`cannot read alert threshold "alert ${rest}" (forms: ${ALERT_FORMS})`);
}

const LOG_FORMS =
  'log S contains "text" [more often than baseline] | log S not contains "text" | log S matches /re/ | ' +
  'log S not matches /re/ | log S count("text") <= 20 | log S backoff /delay (\\d+)ms/';

/** Splits a trailing `more often than baseline` off a log check's text or pattern. */
function moreOftenThanBaseline(text: string, negate: boolean): { rest: string; more: boolean } {
  const m = /^(.*?)\s+more\s+often\s+than\s+(?:in\s+the\s+)?baseline$/s.exec(text.trim());
  if (!m) return { rest: text, more: false };
  if (negate)
    fail('"more often than baseline" compares how often a line appears: it does not combine with "not"');
  return { rest: m[1], more: true };
}

function parseLog(rest: string): Parsed {
  const m = /^(\S+)\s+(.*)$/s.exec(rest);
  if (!m) return fail(`cannot read log threshold "log ${rest}" (forms: ${LOG_FORMS})`);
  const service = m[1];
  const tail = m[2].trim();
  let t: RegExpExecArray | null;
  if ((t = /^(not\s+|does\s+not\s+)?contains?\s+(.*)$/s.exec(tail))) {
    const { rest, more } = moreOftenThanBaseline(t[2], !!t[1]);
    return {
      kind: 'log_contains',
      service,
      text: unquote(rest, 'log api contains "Cache miss"'),
      negate: !!t[1],
      ...(more ? { moreThanBaseline: true } : {}),
    };
  }
  if ((t = /^(not\s+|does\s+not\s+)?match(?:es)?\s+(.*)$/s.exec(tail))) {
    const { rest, more } = moreOftenThanBaseline(t[2], !!t[1]);
    const re = regexLiteral(rest, 'log api matches /retry in \\d+ms/');
    return {
      kind: 'log_matches',
      service,
      ...re,
      negate: !!t[1],
      ...(more ? { moreThanBaseline: true } : {}),
    };
  }
  if ((t = /^count\((.*)\)\s*(.*)$/s.exec(tail))) {
    const arg = t[1].trim();
    const parts = operator(t[2]);
    if (!parts || parts.left)
      return fail(`no comparison after count(...) (write it like log api count("retry") <= 20)`);
    const value = count(parts.right);
    if (arg.startsWith('/')) {
      return { kind: 'log_count', service, text: null, ...regexLiteral(arg, '/re/'), op: parts.op, value };
    }
    const text = unquote(arg, 'count("retry")');
    return { kind: 'log_count', service, text, pattern: null, flags: '', op: parts.op, value };
  }
  if ((t = /^backoff\s+(.*)$/s.exec(tail))) {
    const re = regexLiteral(t[1], 'log api backoff /reconnect attempt \\d+ in (\\d+)ms/');
    if (compileLogPattern(re.pattern, re.flags).groupCount < 1) {
      fail(`backoff needs a capture group for the delay, e.g. /in (\\d+)ms/`);
    }
    return { kind: 'log_backoff', service, ...re };
  }
  const word = tail.split(/\s+/)[0];
  return fail(
    `unknown log check "${word}"${didYouMean(word, ['contains', 'matches', 'count', 'backoff'])} (forms: ${LOG_FORMS})`,
  );
}

const CONTAINER_FORMS =
  'container S restarts >= 1 | container S oom_killed | container S not oom_killed | container S healthy within 60s';

function parseContainer(rest: string): Parsed {
  const m = /^(\S+)\s+(.*)$/s.exec(rest);
  if (!m) return fail(`cannot read container threshold "container ${rest}" (forms: ${CONTAINER_FORMS})`);
  const service = m[1];
  const tail = m[2].trim();
  let t: RegExpExecArray | null;
  if ((t = /^restarts\s*(.*)$/.exec(tail))) {
    const parts = operator(t[1]);
    if (!parts || parts.left)
      return fail(`no comparison after restarts (write it like container api restarts == 0)`);
    return { kind: 'container_restarts', service, op: parts.op, value: count(parts.right) };
  }
  if ((t = /^(not\s+)?oom_killed$/.exec(tail))) return { kind: 'container_oom', service, negate: !!t[1] };
  if ((t = /^healthy\s+within\s+(\S+)$/.exec(tail))) {
    return { kind: 'container_healthy', service, withinMs: duration(t[1]) };
  }
  const word = tail.split(/\s+/)[0];
  return fail(
    `unknown container check "${word}"${didYouMean(word, ['restarts', 'oom_killed', 'healthy'])} (forms: ${CONTAINER_FORMS})`,
  );
}

function parsePromql(body: string): Parsed {
  const m = /^(?:(max|min|avg|last)\s+)?promql\s+(["'])(.*)\2\s*(.*)$/s.exec(body);
  if (!m) return fail(`cannot read "${body}" (write it like: max promql 'max(up)' >= 1)`);
  if (!m[3].trim()) fail('the PromQL query is empty');
  const parts = operator(m[4]);
  if (!parts || parts.left) return fail(`no comparison after the query (write it like promql 'up' == 1)`);
  return {
    kind: 'promql',
    query: m[3],
    agg: (m[1] as AlertAggregate | undefined) ?? 'last',
    op: parts.op,
    value: number(parts.right),
  };
}

function parseConnections(rest: string): Parsed {
  const m = /^(\S+)\s*(.*)$/s.exec(rest);
  const parts = m ? operator(m[2]) : null;
  if (!m || !parts || parts.left) {
    return fail(
      `cannot read "connections_per_second ${rest}" (write it like connections_per_second cache < 20)`,
    );
  }
  return { kind: 'connections', service: m[1], op: parts.op, value: number(parts.right) };
}

const TRACE_FORMS =
  'trace S span NAME [all|any] attribute KEY == VALUE | trace S span NAME count > 10 ' +
  '(quote a NAME with spaces: span "POST /v1/predict")';

/** An attribute literal: true/false, a number, a quoted string, or a bare word (a string). */
function attributeValue(text: string): string | number | boolean {
  const t = text.trim();
  if (!t) return fail(`nothing to compare the attribute with (forms: ${TRACE_FORMS})`);
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(t)) return Number(t);
  if (/^["']/.test(t)) return unquote(t, 'attribute db.system == "redis"');
  if (/\s/.test(t)) return fail(`"${t}" has spaces: quote it (e.g. "${t}")`);
  return t;
}

function parseTrace(rest: string): Parsed {
  const m = /^(\S+)\s+span\s+("(?:\\.|[^"])*"|'(?:\\.|[^'])*'|\S+)\s*(.*)$/s.exec(rest);
  if (!m) return fail(`cannot read "trace ${rest}" (forms: ${TRACE_FORMS})`);
  const service = m[1];
  const operation = /^["']/.test(m[2]) ? unquote(m[2], 'span "POST /v1/predict"') : m[2];
  if (!operation) fail('the span name is empty');
  const tail = m[3].trim();
  let t: RegExpExecArray | null;
  if ((t = /^count\b\s*(.*)$/s.exec(tail))) {
    const parts = operator(t[1]);
    if (!parts || parts.left)
      return fail(`no comparison after count (write it like trace api span ${operation} count > 10)`);
    return { kind: 'trace_count', service, operation, op: parts.op, value: count(parts.right) };
  }
  if ((t = /^(?:(all|any)\s+)?attribute\s+(\S+?)\s*((?:<=|>=|==|!=|=<|=>|<|>|=).*)$/s.exec(tail))) {
    const parts = operator(t[3]);
    if (!parts) return fail(`no comparison after attribute ${t[2]} (forms: ${TRACE_FORMS})`);
    const value = attributeValue(parts.right);
    if (!['==', '!='].includes(parts.op) && typeof value !== 'number') {
      fail(`${parts.op} compares numbers; ${JSON.stringify(value)} is not one (use == or !=)`);
    }
    return {
      kind: 'trace_attribute',
      service,
      operation,
      quantifier: (t[1] as 'all' | 'any' | undefined) ?? 'all',
      attribute: t[2],
      op: parts.op,
      value,
    };
  }
  const word = tail.split(/\s+/)[0];
  if (!word) return fail(`"trace ${rest}" says nothing about the spans (forms: ${TRACE_FORMS})`);
  return fail(
    `unknown span check "${word}"${didYouMean(word, ['count', 'attribute', 'all', 'any'])} (forms: ${TRACE_FORMS})`,
  );
}

/** Kinds that are scenario-wide: a phase prefix makes no sense on them. */
const SCENARIO_WIDE: readonly ThresholdKind[] = [
  'alert_fires',
  'alert_before_oom',
  'alert_not_fires',
  'alert_severity',
  'no_alerts',
  'container_restarts',
  'container_oom',
  'container_healthy',
];
/** Kinds that default to the fault phase when written without a prefix. */
const FAULT_DEFAULT: readonly ThresholdKind[] = [
  'metric',
  'regression',
  'promql',
  'connections',
  'trace_attribute',
  'trace_count',
];

function parseBody(prefix: Prefix): Parsed {
  const body = prefix.body;
  const first = body.split(/\s+/)[0];
  const rest = body.slice(first.length).trim();
  if (prefix.k6 === null) {
    if (first === 'alert') return parseAlert(rest);
    if (first === 'log') return parseLog(rest);
    if (first === 'container') return parseContainer(rest);
    if (first === 'connections_per_second') return parseConnections(rest);
    if (first === 'trace') return parseTrace(rest);
    if (/^((max|min|avg|last)\s+)?promql\s/.test(body)) return parsePromql(body);
    const none = /^no(?:\s+(\w+))?\s+alerts?$/.exec(body);
    if (none) return { kind: 'no_alerts', severity: none[1] ?? null };
  }
  return parseMetric(body, prefix);
}

/**
 * Parses one threshold. `text` is what the file holds (a string, or `fault: ...` written back
 * from a one-key map). Throws ConfigError `file:line: field: message`.
 */
export function parseThreshold(text: string, where: Where): Threshold {
  const source = text.trim();
  try {
    if (!source) fail('empty threshold');
    const prefix = splitPrefix(source);
    if (!prefix.body) fail(`nothing after the "${source.replace(/:$/, '')}:" prefix`);
    const parsed = parseBody(prefix);
    const kind = parsed.kind;
    if ((prefix.phase !== null || prefix.stage !== null) && SCENARIO_WIDE.includes(kind)) {
      fail(`a phase prefix does not apply to ${kind.split('_')[0]} checks (they cover the whole scenario)`);
    }
    if (prefix.stage !== null && kind !== 'metric')
      fail('a stage prefix only applies to load metrics (p95, error_rate, ...)');
    let phase: PhaseName | null = parsed.phase ?? prefix.phase;
    if (
      (parsed as { moreThanBaseline?: boolean }).moreThanBaseline &&
      (phase === 'baseline' || phase === 'warmup')
    )
      fail(`"more often than baseline" compares a later window with the baseline: not on the ${phase} phase`);
    if (phase === null && prefix.stage === null && FAULT_DEFAULT.includes(kind)) phase = 'fault';
    return { ...parsed, source, file: where.file, line: where.line, phase, stage: prefix.stage } as Threshold;
  } catch (error) {
    if (error instanceof ParseError)
      throw ConfigError.single(where.file, where.line, where.field ?? '', error.message);
    throw error;
  }
}

/** Parses one abort-guard condition, e.g. `fault: error_rate > 50% for 10s` (no `for` = 1s). */
export function parseGuardCondition(text: string, where: Where): GuardCondition {
  const source = text.trim();
  try {
    if (!source) fail('empty abort condition');
    const prefix = splitPrefix(source);
    if (prefix.stage !== null) fail('an abort condition takes a phase prefix, not a stage');
    const left = operator(prefix.body)?.left.split(/\s+/)[0];
    if (left) {
      const metric = metricName(left, prefix.k6);
      if (!(TIMELINE_METRICS as readonly string[]).includes(metric)) {
        fail(
          `abort conditions watch ${TIMELINE_METRICS.join(', ')} on the per-second timeline, not ${metric}`,
        );
      }
    }
    const parsed = parseMetric(prefix.body, prefix);
    if (parsed.kind !== 'metric' || !(TIMELINE_METRICS as readonly string[]).includes(parsed.metric)) {
      const name = parsed.kind === 'metric' ? parsed.metric : parsed.kind;
      return fail(
        `abort conditions watch ${TIMELINE_METRICS.join(', ')} on the per-second timeline, not ${name}`,
      );
    }
    return {
      source,
      file: where.file,
      line: where.line,
      phase: prefix.phase,
      metric: parsed.metric as TimelineMetric,
      op: parsed.op,
      value: parsed.value,
      forMs: parsed.sustainedMs ?? 1000,
    };
  } catch (error) {
    if (error instanceof ParseError)
      throw ConfigError.single(where.file, where.line, where.field ?? '', error.message);
    throw error;
  }
}
