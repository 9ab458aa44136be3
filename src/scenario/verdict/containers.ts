// Container checks: what docker inspect and the engine's events said about a service.
//
// Evidence: the inspection at the end of the scenario; a claim that rests on the absence of an
// event (not OOM-killed, healthy since) also needs the event stream to have watched.
import { formatDuration } from '../../config/duration';
import type { ScenarioObservations } from '../observations';
import {
  compare,
  type ContainerHealthyThreshold,
  type ContainerOomThreshold,
  type ContainerRestartsThreshold,
} from '../thresholds';
import { fmt, lookup, unknown, type Evidence, type Verdict } from './evidence';

export type ContainerThreshold =
  ContainerRestartsThreshold | ContainerOomThreshold | ContainerHealthyThreshold;

export function evalContainer(t: ContainerThreshold, obs: ScenarioObservations): Verdict {
  const facts = lookup(obs.containers, obs, t.service);
  const limit =
    t.kind === 'container_restarts'
      ? `restarts ${t.op} ${t.value}`
      : t.kind === 'container_oom'
        ? t.negate
          ? 'not OOM-killed'
          : 'OOM-killed'
        : `healthy within ${fmt(t.withinMs, 'duration')}`;
  if (!facts) return unknown(limit, `container facts for ${t.service} were not collected`);
  const inspected = { count: 1, of: 'container inspection' };
  if (t.kind === 'container_restarts') {
    const restarts = facts.restartsAfter - facts.restartsBefore;
    return {
      passed: compare(restarts, t.op, t.value),
      actual: `${restarts} restarts`,
      limit,
      value: restarts,
      evidence: inspected,
    };
  }
  const events: Evidence['seen'] = {
    probe: 'container event',
    coverage: obs.eventCoverage,
    fromMs: 0,
    toMs: obs.endMs,
  };
  if (t.kind === 'container_oom') {
    return {
      passed: facts.oomKilled !== t.negate,
      actual: facts.oomKilled ? 'OOM-killed' : 'not OOM-killed',
      limit,
      value: facts.oomKilled ? 1 : 0,
      // An OOM kill seen is proof; "not OOM-killed" needs the event stream to have watched.
      evidence: facts.oomKilled ? inspected : { ...inspected, seen: events },
    };
  }
  const since = { ...events, fromMs: obs.faultStartMs ?? 0 };
  if (facts.timeToHealthyMs === null)
    return {
      passed: false,
      actual: 'never healthy again',
      limit,
      value: null,
      evidence: { ...inspected, seen: since },
    };
  return {
    passed: facts.timeToHealthyMs <= t.withinMs,
    actual: `healthy after ${formatDuration(facts.timeToHealthyMs)}`,
    limit,
    value: facts.timeToHealthyMs,
    evidence: { ...inspected, seen: since },
  };
}
