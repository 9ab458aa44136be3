// PromQL checks: a query sampled once a second through the scenario, aggregated over its phase.
//
// Every series the query returns is judged on its own (a replica that reports 0 while another
// reports 1 is not hidden by the other): the check holds only when it holds for each series,
// each aggregated over its own samples in the phase, and a violation names the series that
// broke it. To judge a total instead, aggregate in the query (`sum(...)`, `min(...)`).
//
// Evidence: the samples with a value in the phase, and the PromQL probe's coverage of it.
import type { ScenarioObservations } from '../observations';
import {
  compare,
  formatValue,
  type AlertAggregate,
  type Comparator,
  type PromqlThreshold,
} from '../thresholds';
import { outageNote, phaseWindow, unknown, type Verdict } from './evidence';

function aggregate(values: readonly number[], agg: AlertAggregate): number {
  switch (agg) {
    case 'last':
      return values[values.length - 1];
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/** Of values that all hold, the one nearest to breaking the limit (the largest under `<`, the smallest over `>`). */
function nearestToLimit(values: readonly number[], op: Comparator): number {
  if (op === '<' || op === '<=') return Math.max(...values);
  if (op === '>' || op === '>=') return Math.min(...values);
  return values[0];
}

export function evalPromql(t: PromqlThreshold, obs: ScenarioObservations): Verdict {
  const limit = `${t.agg === 'last' ? '' : `${t.agg} `}${t.op} ${formatValue(t.value, 'number')}`;
  const samples = obs.promql[t.query];
  if (!samples) return unknown(limit, 'the query was not sampled');
  const inPhase = samples.filter((s) => t.phase === null || s.phase === t.phase);
  const bySeries = new Map<string, number[]>();
  let withValue = 0;
  for (const sample of inPhase) {
    const values = sample.series.filter((s) => Number.isFinite(s.value));
    if (values.length) withValue++;
    for (const { series, value } of values) bySeries.set(series, [...(bySeries.get(series) ?? []), value]);
  }
  if (bySeries.size === 0)
    return unknown(limit, `no samples with a value in the ${t.phase ?? 'whole'} phase${outageNote(obs)}`);
  const judged = [...bySeries].map(([series, values]) => {
    const value = aggregate(values, t.agg);
    return { series, value, holds: compare(value, t.op, t.value) };
  });
  const failing = judged.filter((j) => !j.holds);
  const window = phaseWindow(obs, t.phase);
  const evidence = {
    count: withValue,
    of: 'sample with a value',
    seen: {
      probe: 'PromQL',
      coverage: obs.promqlCoverage[t.query] ?? null,
      fromMs: window?.startMs ?? 0,
      toMs: window?.endMs ?? obs.endMs,
      outages: obs.metricsOutages ?? [],
    },
  };
  const many = judged.length > 1;
  if (failing.length > 0) {
    const first = failing[0];
    return {
      passed: false,
      actual: many
        ? `${formatValue(first.value, 'number')} on ${first.series}`
        : formatValue(first.value, 'number'),
      limit,
      value: first.value,
      evidence,
      ...(many
        ? {
            detail: `${failing.length} of ${judged.length} series break it: ${failing
              .slice(0, 5)
              .map((f) => `${f.series} ${formatValue(f.value, 'number')}`)
              .join('; ')}`,
          }
        : {}),
    };
  }
  const value = nearestToLimit(
    judged.map((j) => j.value),
    t.op,
  );
  return {
    passed: true,
    actual: many
      ? `${formatValue(value, 'number')} (each of ${judged.length} series holds)`
      : formatValue(value, 'number'),
    limit,
    value,
    evidence,
  };
}
