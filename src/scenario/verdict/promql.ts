// PromQL checks: a query sampled once a second through the scenario, aggregated over its phase.
//
// Evidence: the samples with a value in the phase, and the PromQL probe's coverage of it.
import type { ScenarioObservations } from '../observations';
import { compare, formatValue, type PromqlThreshold } from '../thresholds';
import { outageNote, phaseWindow, unknown, type Verdict } from './evidence';

export function evalPromql(t: PromqlThreshold, obs: ScenarioObservations): Verdict {
  const limit = `${t.agg === 'last' ? '' : `${t.agg} `}${t.op} ${formatValue(t.value, 'number')}`;
  const samples = obs.promql[t.query];
  if (!samples) return unknown(limit, 'the query was not sampled');
  const inPhase = samples.filter((s) => t.phase === null || s.phase === t.phase);
  const values = inPhase.map((s) => s.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0)
    return unknown(limit, `no samples with a value in the ${t.phase ?? 'whole'} phase${outageNote(obs)}`);
  const value =
    t.agg === 'last'
      ? values[values.length - 1]
      : t.agg === 'max'
        ? Math.max(...values)
        : t.agg === 'min'
          ? Math.min(...values)
          : values.reduce((a, b) => a + b, 0) / values.length;
  const window = phaseWindow(obs, t.phase);
  return {
    passed: compare(value, t.op, t.value),
    actual: formatValue(value, 'number'),
    limit,
    value,
    evidence: {
      count: values.length,
      of: 'sample with a value',
      seen: {
        probe: 'PromQL',
        coverage: obs.promqlCoverage[t.query] ?? null,
        fromMs: window?.startMs ?? 0,
        toMs: window?.endMs ?? obs.endMs,
        outages: obs.metricsOutages ?? [],
      },
    },
  };
}
