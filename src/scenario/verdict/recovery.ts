// recovery_time and mttr: how long the system took to be well again after the fault.
//
// Evidence: a fault that was reverted. Without one (no fault, `type: none`) there is nothing to
// recover from: not evaluated.
import { formatDuration } from '../../config/duration';
import type { ScenarioObservations } from '../observations';
import { compare, type MttrThreshold, type RecoveryTimeThreshold } from '../thresholds';
import { fmt, type Verdict } from './evidence';

export function evalRecoveryTime(t: RecoveryTimeThreshold, obs: ScenarioObservations): Verdict {
  const limit = `${t.op} ${fmt(t.valueMs, 'duration')}`;
  const evidence = { count: obs.faultEndMs === null ? 0 : 1, of: 'reverted fault to recover from' };
  if (obs.recoveryTimeMs === null)
    return { passed: false, actual: 'never recovered', limit, value: null, evidence };
  return {
    passed: compare(obs.recoveryTimeMs, t.op, t.valueMs),
    actual: formatDuration(obs.recoveryTimeMs),
    limit,
    value: obs.recoveryTimeMs,
    evidence,
  };
}

export function evalMttr(t: MttrThreshold, obs: ScenarioObservations): Verdict {
  const limit = `${t.op} ${fmt(t.valueMs, 'duration')}`;
  const evidence = { count: obs.faultEndMs === null ? 0 : 1, of: 'reverted fault to recover from' };
  if (obs.faultStartMs === null || obs.faultEndMs === null || obs.mttrMs === undefined)
    return { passed: null, actual: 'no fault', limit, value: null, evidence };
  if (obs.mttrMs === null) return { passed: false, actual: 'never recovered', limit, value: null, evidence };
  return {
    passed: compare(obs.mttrMs, t.op, t.valueMs),
    actual: formatDuration(obs.mttrMs),
    limit,
    value: obs.mttrMs,
    evidence,
  };
}
