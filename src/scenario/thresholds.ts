// The threshold language as data: the typed AST that ./threshold-parser produces from text and
// ./verdict evaluates against observations, plus how limits read in reports. No parsing, no I/O.
import type { PhaseName, Severity } from '../results';

export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export const COMPARATORS: readonly Comparator[] = ['<=', '>=', '==', '!=', '<', '>'];

/** Load metrics measured per phase (and per stage). */
export type LoadMetric =
  | 'p50'
  | 'p90'
  | 'p95'
  | 'p99'
  | 'max'
  | 'avg'
  | 'error_rate'
  | 'errors'
  | 'requests'
  | 'scheduled'
  | 'rps'
  | 'rate_achieved'
  | 'late';

/** ms: milliseconds; ratio: 0..1; count: integer; rps: requests per second. */
export type MetricUnit = 'ms' | 'ratio' | 'count' | 'rps';

export const METRIC_UNITS: Record<LoadMetric, MetricUnit> = {
  p50: 'ms',
  p90: 'ms',
  p95: 'ms',
  p99: 'ms',
  max: 'ms',
  avg: 'ms',
  error_rate: 'ratio',
  errors: 'count',
  requests: 'count',
  scheduled: 'count',
  rps: 'rps',
  rate_achieved: 'ratio',
  late: 'count',
};

/** Metrics the per-second timeline carries, so they can be sustained (`for 10s`) and guard aborts. */
export const TIMELINE_METRICS = ['p95', 'error_rate', 'rps'] as const;
export type TimelineMetric = (typeof TIMELINE_METRICS)[number];

export type RegressionMetric = 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'avg' | 'error_rate';

export type AlertAggregate = 'last' | 'max' | 'min' | 'avg';

export interface ThresholdBase {
  /** The threshold exactly as written (a `fault: ...` map entry is written back as `fault: ...`). */
  source: string;
  file: string;
  line: number;
  /** The phase it is evaluated on; null for scenario-wide checks (alerts, containers, logs without prefix). */
  phase: PhaseName | null;
  /** `stage NAME:` prefix: the load stage (name or 1-based index) the metric is read on, else null. */
  stage: string | null;
  /** 'warning': a violation is reported but fails nothing. Absent: 'error'. Set by the scenario loader. */
  gateSeverity?: Severity;
}

export interface MetricThreshold extends ThresholdBase {
  kind: 'metric';
  metric: LoadMetric;
  unit: MetricUnit;
  op: Comparator;
  value: number;
  /** `for 10s`: only a breach sustained this long (consecutive timeline seconds) counts; null = whole phase. */
  sustainedMs: number | null;
  /** `p95{request:checkout}`: read on that request of the mix only; null = every request sent. */
  request: string | null;
}
export interface RecoveryTimeThreshold extends ThresholdBase {
  kind: 'recovery_time';
  op: Comparator;
  valueMs: number;
}
/** `mttr < 10m`: from the first injection until steady state held again (fault phase + recovery). */
export interface MttrThreshold extends ThresholdBase {
  kind: 'mttr';
  op: Comparator;
  valueMs: number;
}
export interface RegressionThreshold extends ThresholdBase {
  kind: 'regression';
  metric: RegressionMetric;
  op: Comparator;
  /**
   * Relative change vs the baseline results: 0.2 = 20% worse (percentage points for error_rate).
   * A shift threshold: ms when `shift` is 'ms', relative to the base when 'relative'.
   */
  value: number;
  /**
   * `p50 shift < 0.5ms`, `mean shift < 5%`: judged on the location shift of the PR's latencies
   * against a paired base (the Hodges–Lehmann shift for p50, the difference of means for avg),
   * in ms or relative to the base. Absent: the metric's change (`p95 regression < 20%`).
   */
  shift?: ShiftUnit;
  /**
   * Set on the checks a paired run adds when the scenario names no regression (comparison.ts'
   * defaultRegressionThresholds): why this check. A default check that cannot be computed for
   * want of data is skipped, not inconclusive: nobody asked for it.
   */
  byDefault?: string;
}

/** How a shift threshold's value reads: milliseconds, or a share of the base's median (mean). */
export type ShiftUnit = 'ms' | 'relative';
export interface AlertFiresThreshold extends ThresholdBase {
  kind: 'alert_fires';
  alert: string;
  /** Must be firing within this long after the fault started; null = any time during the scenario. */
  withinMs: number | null;
}
export interface AlertBeforeOomThreshold extends ThresholdBase {
  kind: 'alert_before_oom';
  alert: string;
  service: string;
}
export interface AlertNotFiresThreshold extends ThresholdBase {
  kind: 'alert_not_fires';
  alert: string;
}
export interface AlertSeverityThreshold extends ThresholdBase {
  kind: 'alert_severity';
  alert: string;
  op: '==' | '!=';
  severity: string;
}
export interface NoAlertsThreshold extends ThresholdBase {
  kind: 'no_alerts';
  /** null: no alert at all may fire. */
  severity: string | null;
}
export interface LogContainsThreshold extends ThresholdBase {
  kind: 'log_contains';
  service: string;
  text: string;
  negate: boolean;
  /** `... more often than baseline`: matching lines per second since the fault above the baseline phase's. */
  moreThanBaseline?: boolean;
}
export interface LogMatchesThreshold extends ThresholdBase {
  kind: 'log_matches';
  service: string;
  pattern: string;
  flags: string;
  negate: boolean;
  /** As for LogContainsThreshold. */
  moreThanBaseline?: boolean;
}
export interface LogCountThreshold extends ThresholdBase {
  kind: 'log_count';
  service: string;
  /** Exactly one of text / pattern is set. */
  text: string | null;
  pattern: string | null;
  flags: string;
  op: Comparator;
  value: number;
}
export interface LogBackoffThreshold extends ThresholdBase {
  kind: 'log_backoff';
  service: string;
  /** Its first capture group is the retry delay; the delays must grow between consecutive lines. */
  pattern: string;
  flags: string;
}
export interface ContainerRestartsThreshold extends ThresholdBase {
  kind: 'container_restarts';
  service: string;
  op: Comparator;
  value: number;
}
export interface ContainerOomThreshold extends ThresholdBase {
  kind: 'container_oom';
  service: string;
  negate: boolean;
}
export interface ContainerHealthyThreshold extends ThresholdBase {
  kind: 'container_healthy';
  service: string;
  withinMs: number;
}
export interface PromqlThreshold extends ThresholdBase {
  kind: 'promql';
  query: string;
  /** last: the value at the end of the phase; max/min/avg over the phase's samples. */
  agg: AlertAggregate;
  op: Comparator;
  value: number;
}
export interface ConnectionsThreshold extends ThresholdBase {
  kind: 'connections';
  service: string;
  op: Comparator;
  /** Max connection attempts in any one second of the phase. */
  value: number;
}

/** all: every span carries it; any: at least one does. */
export type SpanQuantifier = 'all' | 'any';
/** A literal on the right of `attribute KEY == VALUE`: true/false, a number, or a (quoted) string. */
export type AttributeValue = string | number | boolean;

/** `trace S span OP [all|any] attribute KEY OP VALUE`: spans read from the tracing role's store. */
export interface TraceAttributeThreshold extends ThresholdBase {
  kind: 'trace_attribute';
  /** The service the spans come from: a role or compose service (resolved), else the tracer's own name. */
  service: string;
  operation: string;
  quantifier: SpanQuantifier;
  attribute: string;
  op: Comparator;
  value: AttributeValue;
}
/** `trace S span OP count OP N`: how many spans started in the phase. */
export interface TraceCountThreshold extends ThresholdBase {
  kind: 'trace_count';
  service: string;
  operation: string;
  op: Comparator;
  value: number;
}

export type Threshold =
  | TraceAttributeThreshold
  | TraceCountThreshold
  | MetricThreshold
  | RecoveryTimeThreshold
  | MttrThreshold
  | RegressionThreshold
  | AlertFiresThreshold
  | AlertBeforeOomThreshold
  | AlertNotFiresThreshold
  | AlertSeverityThreshold
  | NoAlertsThreshold
  | LogContainsThreshold
  | LogMatchesThreshold
  | LogCountThreshold
  | LogBackoffThreshold
  | ContainerRestartsThreshold
  | ContainerOomThreshold
  | ContainerHealthyThreshold
  | PromqlThreshold
  | ConnectionsThreshold;

export type ThresholdKind = Threshold['kind'];

/** One condition of an abort guard: a timeline metric breaching for `forMs` consecutive seconds. */
export interface GuardCondition {
  source: string;
  file: string;
  line: number;
  /** Only seconds of this phase count; null = any phase. */
  phase: PhaseName | null;
  metric: TimelineMetric;
  op: Comparator;
  value: number;
  forMs: number;
}

/** The scenario's abort guard: abort when any condition holds. */
export interface AbortGuard {
  conditions: GuardCondition[];
}

export interface Where {
  file: string;
  line: number;
  /** The field for messages, e.g. `thresholds[1]`. */
  field?: string;
}

export function compare(actual: number, op: Comparator, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}

/** How a limit reads in reports: `< 500ms`, `< 1%`, `>= 1`. */
export function formatLimit(op: Comparator, value: number, unit: MetricUnit | 'duration' | 'number'): string {
  return `${op} ${formatValue(value, unit)}`;
}

export function formatValue(value: number, unit: MetricUnit | 'duration' | 'number'): string {
  switch (unit) {
    case 'ms':
    case 'duration':
      return value >= 1000 && value % 1000 === 0 ? `${value / 1000}s` : `${round(value)}ms`;
    case 'ratio':
      return `${round(value * 100)}%`;
    case 'rps':
      return `${round(value)}/s`;
    default:
      return String(round(value));
  }
}

function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100;
}

/** What the runner must collect for a set of thresholds (services may be roles; resolve them). */
export interface ThresholdNeeds {
  alerts: boolean;
  logServices: string[];
  containerServices: string[];
  promqlQueries: string[];
  connectionServices: string[];
  /** Spans to read from the trace store, one entry per service and operation. */
  traces: { service: string; operation: string }[];
  baseline: boolean;
}

export function thresholdNeeds(thresholds: readonly Threshold[]): ThresholdNeeds {
  const logs = new Set<string>();
  const containers = new Set<string>();
  const queries = new Set<string>();
  const connections = new Set<string>();
  const traces = new Map<string, { service: string; operation: string }>();
  let alerts = false;
  let baseline = false;
  for (const t of thresholds) {
    switch (t.kind) {
      case 'alert_before_oom':
        containers.add(t.service);
        alerts = true;
        break;
      case 'alert_fires':
      case 'alert_not_fires':
      case 'alert_severity':
      case 'no_alerts':
        alerts = true;
        break;
      case 'log_contains':
      case 'log_matches':
      case 'log_count':
      case 'log_backoff':
        logs.add(t.service);
        break;
      case 'container_restarts':
      case 'container_oom':
      case 'container_healthy':
        containers.add(t.service);
        break;
      case 'promql':
        queries.add(t.query);
        break;
      case 'connections':
        connections.add(t.service);
        break;
      case 'regression':
        baseline = true;
        break;
      case 'trace_attribute':
      case 'trace_count':
        traces.set(traceKey(t.service, t.operation), { service: t.service, operation: t.operation });
        break;
      default:
        break;
    }
  }
  return {
    alerts,
    logServices: [...logs],
    containerServices: [...containers],
    promqlQueries: [...queries],
    connectionServices: [...connections],
    traces: [...traces.values()],
    baseline,
  };
}

/** The key spans of one service and operation are kept under (observations, needs). */
export function traceKey(service: string, operation: string): string {
  return `${service} ${operation}`;
}
