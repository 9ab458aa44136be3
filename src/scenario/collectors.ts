// Background samplers that run beside the load for a whole scenario: Prometheus alert
// state and PromQL queries, once a second, stamped on the scenario's clock. They never
// throw into the runner: a probe that cannot answer leaves its observation empty, which
// makes the thresholds that need it inconclusive rather than silently passing.
import { prometheusAlerts, queryInstant } from '../probes/prometheus';
import type { PhaseName } from './results';
import type { ObservedAlert, PromSample } from './observations';

export interface Sampler {
  stop(): Promise<void>;
}

interface SamplerOptions {
  intervalMs: number;
  /** ms since the scenario's t0, on the monotonic clock. */
  elapsedMs: () => number;
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

export interface AlertSampler extends Sampler {
  /** null when Prometheus never answered (alert thresholds become inconclusive). */
  alerts(): ObservedAlert[] | null;
  problems(): string[];
}

/** Polls Prometheus's /api/v1/alerts; remembers when each alert (name + labels) first fired. */
export function sampleAlerts(prometheusUrl: string, options: SamplerOptions): AlertSampler {
  const seen = new Map<string, ObservedAlert>();
  let answered = false;
  const problems = new Set<string>();
  const sampler = every(options.intervalMs, async () => {
    try {
      const alerts = await prometheusAlerts(prometheusUrl);
      answered = true;
      const at = options.elapsedMs();
      const present = new Set<string>();
      for (const alert of alerts) {
        const key = `${alert.name}${JSON.stringify(alert.labels)}`;
        present.add(key);
        const known = seen.get(key);
        const firing = alert.state === 'firing';
        if (!known) {
          seen.set(key, {
            name: alert.name,
            severity: alert.severity === 'none' ? null : alert.severity,
            state: alert.state,
            firstFiringAtMs: firing ? at : null,
            labels: alert.labels,
          });
        } else {
          known.state = alert.state;
          if (firing && known.firstFiringAtMs === null) known.firstFiringAtMs = at;
        }
      }
      for (const [key, alert] of seen) if (!present.has(key)) alert.state = 'inactive';
    } catch (error) {
      problems.add(error instanceof Error ? error.message : String(error));
    }
  });
  return {
    stop: sampler.stop,
    alerts: () => (answered ? [...seen.values()].map((a) => ({ ...a })) : null),
    problems: () => [...problems],
  };
}

export interface PromqlSampler extends Sampler {
  samples(): Record<string, PromSample[]>;
}

/** Evaluates each query once a second; the largest value across series is kept. */
export function samplePromql(
  prometheusUrl: string,
  queries: string[],
  options: SamplerOptions,
): PromqlSampler {
  const samples: Record<string, PromSample[]> = Object.fromEntries(queries.map((q) => [q, []]));
  const sampler = every(options.intervalMs, async () => {
    await Promise.all(
      queries.map(async (query) => {
        const atMs = options.elapsedMs();
        const phase = options.phase();
        try {
          const result = await queryInstant(prometheusUrl, query);
          const values = result.map((s) => s.value).filter((v) => Number.isFinite(v));
          samples[query].push({ atMs, phase, value: values.length ? Math.max(...values) : null });
        } catch {
          samples[query].push({ atMs, phase, value: null });
        }
      }),
    );
  });
  return { stop: sampler.stop, samples: () => samples };
}
