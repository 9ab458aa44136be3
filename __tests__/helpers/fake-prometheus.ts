// A Prometheus for the judge's unit tests: raw samples stored per series, and range queries
// answered with Prometheus's own semantics for the shapes the judge asks (a selector, optionally
// inside max(...)): at each step, a series' value is its latest sample at or before the step,
// within the 5-minute lookback; a series with no such sample has no point there.
import type { MetricsSource } from '../../src/k8s/judge';
import type { RuleGroup } from '../../src/probes/prometheus';

const LOOKBACK_MS = 5 * 60_000;

export interface StoredSeries {
  labels: Record<string, string>;
  /** [epochMs, value], ascending. */
  samples: [number, number][];
}

function parseSelector(text: string): { name: string; matchers: [string, '=' | '!=', string][] } {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{(.*)\})?$/.exec(text.trim());
  if (!m) throw new Error(`fake Prometheus: cannot read selector ${text}`);
  const matchers: [string, '=' | '!=', string][] = [];
  for (const part of (m[2] ?? '').split(/,(?=\s*[a-zA-Z_]+\s*!?=)/).filter((p) => p.trim())) {
    const mm = /^\s*([a-zA-Z_]+)\s*(!?=)\s*"((?:\\.|[^"])*)"\s*$/.exec(part);
    if (!mm) throw new Error(`fake Prometheus: cannot read matcher ${part}`);
    matchers.push([mm[1], mm[2] as '=' | '!=', JSON.parse(`"${mm[3]}"`) as string]);
  }
  return { name: m[1] ?? '', matchers };
}

export class FakePrometheus implements MetricsSource {
  readonly series: StoredSeries[] = [];
  groups: RuleGroup[] | null = [];
  /** Queries asked, for tests that check what was asked. */
  readonly asked: string[] = [];

  add(labels: Record<string, string>, samples: [number, number][]): void {
    this.series.push({ labels, samples: [...samples].sort((a, b) => a[0] - b[0]) });
  }

  async rules(): Promise<RuleGroup[]> {
    if (this.groups === null) throw new Error('rules API unavailable');
    return this.groups;
  }

  async range(query: string, fromEpochMs: number, toEpochMs: number, stepS: number) {
    this.asked.push(query);
    const max = /^max\((.*)\)$/s.exec(query.trim());
    const { name, matchers } = parseSelector(max ? max[1] : query);
    const selected = this.series.filter(
      (s) =>
        (name === '' || s.labels.__name__ === name) &&
        matchers.every(([k, op, v]) => ((s.labels[k] ?? '') === v) === (op === '=')),
    );
    const steps: number[] = [];
    for (let t = fromEpochMs; t <= toEpochMs; t += stepS * 1000) steps.push(t);
    const evaluated = selected.map((s) => ({
      labels: max ? {} : { ...s.labels },
      points: steps.flatMap((t): [number, number][] => {
        let value: [number, number] | null = null;
        for (const sample of s.samples) if (sample[0] <= t) value = sample;
        return value && t - value[0] <= LOOKBACK_MS ? [[t, value[1]]] : [];
      }),
    }));
    if (!max) return evaluated.filter((s) => s.points.length > 0);
    const byStep = new Map<number, number>();
    for (const s of evaluated)
      for (const [t, v] of s.points) byStep.set(t, Math.max(byStep.get(t) ?? -Infinity, v));
    const points = [...byStep].sort((a, b) => a[0] - b[0]);
    return points.length ? [{ labels: {}, points }] : [];
  }
}
