// Background samplers that run beside the load for a whole scenario: Prometheus alert
// state and PromQL queries, once a second, stamped on the scenario's clock. They never
// throw into the runner: a probe that cannot answer leaves its observation empty, which
// makes the thresholds that need it inconclusive rather than silently passing.
import { prometheusAlerts, queryInstant } from '../probes/prometheus';
import { findSpans } from '../probes/traces';
import type { PhaseName, ScenarioMs } from '../results';
import {
  seriesName,
  type ObservedAlert,
  type PromSample,
  type ProbeCoverage,
  type TraceRead,
} from './observations';
import { traceKey } from './thresholds';

export interface Sampler {
  stop(): Promise<void>;
}

interface SamplerOptions {
  intervalMs: number;
  /** The scenario clock's now(). */
  now: () => ScenarioMs;
  phase: () => PhaseName;
}

function every(intervalMs: number, tick: () => Promise<void>): Sampler {
  let running = true;
  let current: Promise<void> = Promise.resolve();
  const loop = async (): Promise<void> => {
    while (running) {
      const started = Date.now();
      current = tick().catch(() => undefined);
      await current;
      const wait = Math.max(0, intervalMs - (Date.now() - started));
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  const done = loop();
  return {
    stop: async () => {
      running = false;
      await current;
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, intervalMs + 50))]);
    },
  };
}

/**
 * Turns a probe's answers into ProbeCoverage: a silence longer than `gapMs` between the
 * probe's first attempt, its answers and its last attempt is a blind stretch.
 */
export class CoverageRecorder {
  private readonly blind: { fromMs: ScenarioMs; toMs: ScenarioMs }[] = [];
  private readonly problemSet = new Set<string>();
  private first: ScenarioMs | null = null;
  private last: ScenarioMs | null = null;
  private lastSeen: ScenarioMs | null = null;
  answers = 0;

  constructor(private readonly gapMs: number) {}

  attempt(at: ScenarioMs): void {
    this.first ??= at;
    this.lastSeen ??= at;
    this.last = at;
  }

  answer(at: ScenarioMs): void {
    this.attempt(at);
    this.closeGap(at);
    this.lastSeen = at;
    this.answers++;
  }

  fail(problem: string): void {
    this.problemSet.add(problem);
  }

  /** A stream-type probe stopped seeing at `at` (blind from there to the end). */
  brokeAt(at: ScenarioMs, problem: string): void {
    this.fail(problem);
    this.attempt(at);
    this.closeGap(at);
    this.lastSeen = null;
  }

  coverage(until?: ScenarioMs): ProbeCoverage | null {
    if (this.first === null || this.last === null) return null;
    const toMs = until ?? this.last;
    const blind = [...this.blind];
    const from = this.lastSeen ?? this.brokenFrom();
    if (from !== null && toMs - from > this.gapMs) blind.push({ fromMs: from, toMs });
    return { fromMs: this.first, toMs, blind, problems: [...this.problemSet] };
  }

  private brokenFrom(): ScenarioMs | null {
    return this.last;
  }

  private closeGap(at: ScenarioMs): void {
    if (this.lastSeen !== null && at - this.lastSeen > this.gapMs) {
      this.blind.push({ fromMs: this.lastSeen, toMs: at });
    }
  }
}

export interface AlertSampler extends Sampler {
  /** null when Prometheus never answered (alert thresholds become inconclusive). */
  alerts(): ObservedAlert[] | null;
  coverage(): ProbeCoverage | null;
}

/**
 * Polls Prometheus's /api/v1/alerts and keeps, per alert (name + labels), every span it was
 * seen firing: "fires within T" needs the transition into firing, not just a first sighting.
 */
export function sampleAlerts(prometheusUrl: string | (() => string), options: SamplerOptions): AlertSampler {
  // A function: the address may change (Prometheus stopped and started by a fault gets a new one).
  const urlOf = typeof prometheusUrl === 'function' ? prometheusUrl : () => prometheusUrl;
  const seen = new Map<string, ObservedAlert>();
  const coverage = new CoverageRecorder(options.intervalMs * 2);
  const sampler = every(options.intervalMs, async () => {
    const asked = options.now();
    coverage.attempt(asked);
    try {
      const alerts = await prometheusAlerts(urlOf());
      // The state is what Prometheus said when asked: stamp it at the question, not the answer.
      coverage.answer(asked);
      const present = new Set<string>();
      for (const alert of alerts) {
        const key = `${alert.name}${JSON.stringify(alert.labels)}`;
        present.add(key);
        let known = seen.get(key);
        if (!known) {
          known = {
            name: alert.name,
            severity: alert.severity === 'none' ? null : alert.severity,
            state: alert.state,
            firing: [],
            labels: alert.labels,
          };
          seen.set(key, known);
        }
        noteState(known, alert.state, asked);
      }
      for (const [key, alert] of seen) if (!present.has(key)) noteState(alert, 'inactive', asked);
    } catch (error) {
      coverage.fail(error instanceof Error ? error.message : String(error));
    }
  });
  return {
    stop: sampler.stop,
    alerts: () =>
      coverage.answers > 0
        ? [...seen.values()].map((a) => ({ ...a, firing: a.firing.map((s) => ({ ...s })) }))
        : null,
    coverage: () => coverage.coverage(),
  };
}

function noteState(alert: ObservedAlert, state: ObservedAlert['state'], at: ScenarioMs): void {
  alert.state = state;
  const open = alert.firing.at(-1);
  const isOpen = open !== undefined && open.toMs === null;
  if (state === 'firing' && !isOpen) alert.firing.push({ fromMs: at, toMs: null });
  if (state !== 'firing' && isOpen) open.toMs = at;
}

export interface PromqlSampler extends Sampler {
  samples(): Record<string, PromSample[]>;
  coverage(): Record<string, ProbeCoverage>;
}

/** Evaluates each query once a second; every series it returns is kept, by its labels. */
export function samplePromql(
  prometheusUrl: string | (() => string),
  queries: string[],
  options: SamplerOptions,
): PromqlSampler {
  const urlOf = typeof prometheusUrl === 'function' ? prometheusUrl : () => prometheusUrl;
  const samples: Record<string, PromSample[]> = Object.fromEntries(queries.map((q) => [q, []]));
  const recorders = new Map(queries.map((q) => [q, new CoverageRecorder(options.intervalMs * 2)]));
  const sampler = every(options.intervalMs, async () => {
    await Promise.all(
      queries.map(async (query) => {
        const atMs = options.now();
        const phase = options.phase();
        const recorder = recorders.get(query) as CoverageRecorder;
        recorder.attempt(atMs);
        try {
          const result = await queryInstant(urlOf(), query);
          const series = result
            .filter((s) => Number.isFinite(s.value))
            .map((s) => ({ series: seriesName(s.labels), value: s.value }));
          recorder.answer(atMs);
          samples[query].push({ atMs, phase, series, answered: true });
        } catch (error) {
          recorder.fail(error instanceof Error ? error.message : String(error));
          samples[query].push({ atMs, phase, series: [], answered: false });
        }
      }),
    );
  });
  return {
    stop: sampler.stop,
    samples: () => samples,
    coverage: () => {
      const out: Record<string, ProbeCoverage> = {};
      for (const [query, recorder] of recorders) {
        const coverage = recorder.coverage();
        if (coverage) out[query] = coverage;
      }
      return out;
    },
  };
}

/** Slices the trace window so no one answer nears the store's trace limit at CI load rates. */
const TRACE_SLICE_MS = 5000;
const TRACE_SLICE_LIMIT = 2000;

/**
 * Reads each service's spans of each operation over [fromMs, toMs] (scenario clock) from a
 * Jaeger-compatible store, in slices, and puts their start times on the scenario clock through
 * its epoch mapping. `names` maps a threshold's service word (a role) to the tracer's service
 * name. A store that does not answer leaves that read empty with its error: the checks on it
 * are inconclusive, never passed.
 */
export async function readTraces(
  storeUrl: string,
  wanted: { service: string; operation: string }[],
  window: { fromMs: ScenarioMs; toMs: ScenarioMs },
  clock: { epochAtT0: number; fromEpoch(epochMs: number): ScenarioMs },
  names: (service: string) => string,
): Promise<Record<string, TraceRead>> {
  const out: Record<string, TraceRead> = {};
  for (const { service, operation } of wanted) {
    const read: TraceRead = {
      fromMs: window.fromMs,
      toMs: window.toMs,
      spans: [],
      truncated: false,
      error: null,
    };
    out[traceKey(service, operation)] = read;
    const seen = new Set<string>();
    try {
      for (let from = window.fromMs as number; from < window.toMs; from += TRACE_SLICE_MS) {
        const to = Math.min(from + TRACE_SLICE_MS, window.toMs);
        const answer = await findSpans(storeUrl, {
          service: names(service),
          operation,
          startEpochMs: clock.epochAtT0 + from,
          endEpochMs: clock.epochAtT0 + to,
          limit: TRACE_SLICE_LIMIT,
        });
        read.truncated ||= answer.truncated;
        for (const span of answer.spans) {
          const id = `${span.traceId}/${span.spanId}`;
          if (seen.has(id)) continue;
          seen.add(id);
          read.spans.push({
            startMs: clock.fromEpoch(span.startEpochMs),
            durationMs: span.durationMs,
            attributes: span.attributes,
          });
        }
      }
      read.spans.sort((a, b) => a.startMs - b.startMs);
    } catch (error) {
      read.spans = [];
      read.error = error instanceof Error ? error.message : String(error);
    }
  }
  return out;
}
