// `connections_per_second S < N`: connection attempts to S counted by the engine's TCP proxy.
//
// Evidence: the seconds of the phase the proxy counted (a second with no attempt is a measured 0).
import type { ScenarioObservations } from '../observations';
import { compare, formatValue, type ConnectionsThreshold } from '../thresholds';
import { lookup, unknown, type Verdict } from './evidence';

export function evalConnections(t: ConnectionsThreshold, obs: ScenarioObservations): Verdict {
  const limit = `${t.op} ${formatValue(t.value, 'number')}/s`;
  const samples = lookup(obs.connections, obs, t.service);
  if (!samples)
    return unknown(limit, `connections to ${t.service} were not counted (no proxy in front of it)`);
  const inPhase = samples.filter((s) => t.phase === null || s.phase === t.phase);
  if (inPhase.length === 0) return unknown(limit, `no connection samples in the ${t.phase} phase`);
  const peak = Math.max(...inPhase.map((s) => s.attempts));
  return {
    passed: compare(peak, t.op, t.value),
    actual: `${peak}/s at peak`,
    limit,
    value: peak,
    evidence: { count: inPhase.length, of: 'second of connection counts' },
  };
}
