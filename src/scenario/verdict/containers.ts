// Container checks: what docker inspect and the engine's events said about a service's
// containers. Every fact covers every replica of the service: a check holds only when it holds
// for each one, and a result that does not hold names the replica.
//
// Evidence: the inspection at the end of the scenario; a claim that rests on the absence of an
// event (not OOM-killed, healthy since) also needs the event stream to have watched. A replica
// that existed at the start and was gone at the end has no facts of its own: it is never healthy
// again, and the other checks on it are inconclusive.
import { formatDuration } from '../../config/duration';
import type { ContainerFacts, ReplicaFacts, ScenarioObservations } from '../observations';
import {
  compare,
  type ContainerHealthyThreshold,
  type ContainerOomThreshold,
  type ContainerRestartsThreshold,
} from '../thresholds';
import { fmt, lookup, unknown, type Evidence, type Verdict } from './evidence';

export type ContainerThreshold =
  ContainerRestartsThreshold | ContainerOomThreshold | ContainerHealthyThreshold;

const HEALTH_RANK: Record<string, number> = { healthy: 0, none: 0, starting: 1, unhealthy: 2 };

/** The service's facts from its replicas': counts summed, the worst health, the earliest OOM kill, the slowest way back. */
export function serviceFacts(replicas: ReplicaFacts[]): ContainerFacts {
  const here = replicas.filter((r) => !r.gone);
  const ooms = here.map((r) => r.oomKilledAtMs).filter((at): at is NonNullable<typeof at> => at !== null);
  const health = here
    .map((r) => r.health ?? 'none')
    .reduce((worst, h) => ((HEALTH_RANK[h] ?? 2) > (HEALTH_RANK[worst] ?? 2) ? h : worst), 'none');
  const times = replicas.map((r) => r.timeToHealthyMs);
  return {
    restartsBefore: here.reduce((n, r) => n + r.restartsBefore, 0),
    restartsAfter: here.reduce((n, r) => n + r.restartsAfter, 0),
    oomKilled: here.some((r) => r.oomKilled),
    oomKilledAtMs: ooms.length ? (Math.min(...ooms) as (typeof ooms)[number]) : null,
    health,
    timeToHealthyMs: times.length && times.every((t) => t !== null) ? Math.max(...(times as number[])) : null,
    replicas,
  };
}

/** The replicas a service was observed as (one unnamed one for facts written without them). */
function replicasOf(facts: ContainerFacts, service: string): ReplicaFacts[] {
  return facts.replicas ?? [{ ...facts, name: service }];
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

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
  const replicas = replicasOf(facts, t.service);
  if (replicas.length === 0) return unknown(limit, `${t.service} had no container to inspect`);
  const many = replicas.length > 1;
  /** "…" on one replica; "… (name)" when there are several. */
  const on = (text: string, r: ReplicaFacts): string => (many ? `${text} (${r.name})` : text);
  const inspected = { count: replicas.length, of: 'container inspection' };
  const events: Evidence['seen'] = {
    probe: 'container event',
    coverage: obs.eventCoverage,
    fromMs: 0,
    toMs: obs.endMs,
  };
  const gone = replicas.filter((r) => r.gone);
  if (t.kind === 'container_restarts') {
    if (gone.length)
      return unknown(limit, `replica ${gone[0].name} was not found at the end: its restarts are unknown`);
    const counted = replicas.map((r) => ({ r, restarts: r.restartsAfter - r.restartsBefore }));
    const broken = counted.find((c) => !compare(c.restarts, t.op, t.value));
    const shown = broken ?? counted.reduce((a, b) => (b.restarts > a.restarts ? b : a));
    return {
      passed: broken === undefined,
      actual: broken
        ? on(plural(broken.restarts, 'restart'), broken.r)
        : many
          ? `${counted.map((c) => c.restarts).join(', ')} restarts (${replicas.length} replicas)`
          : plural(shown.restarts, 'restart'),
      limit,
      value: shown.restarts,
      evidence: inspected,
    };
  }
  if (t.kind === 'container_oom') {
    if (gone.length)
      return unknown(
        limit,
        `replica ${gone[0].name} was not found at the end: whether it was OOM-killed is unknown`,
      );
    const broken = replicas.find((r) => r.oomKilled === t.negate);
    const killed = replicas.filter((r) => r.oomKilled);
    return {
      passed: broken === undefined,
      actual: broken
        ? on(broken.oomKilled ? 'OOM-killed' : 'not OOM-killed', broken)
        : t.negate
          ? 'not OOM-killed'
          : many
            ? `OOM-killed (${replicas.length} replicas)`
            : 'OOM-killed',
      limit,
      value: killed.length,
      // An OOM kill seen is proof; "not OOM-killed" needs the event stream to have watched.
      evidence: broken?.oomKilled || (!t.negate && !broken) ? inspected : { ...inspected, seen: events },
    };
  }
  const since = { ...events, fromMs: obs.faultStartMs ?? 0 };
  const evidence = { ...inspected, seen: since };
  const never = replicas.find((r) => r.gone || r.timeToHealthyMs === null);
  if (never)
    return {
      passed: false,
      actual: on(never.gone ? 'gone, never healthy again' : 'never healthy again', never),
      limit,
      value: null,
      evidence,
    };
  const slowest = replicas.reduce((a, b) =>
    (b.timeToHealthyMs as number) > (a.timeToHealthyMs as number) ? b : a,
  );
  const ms = slowest.timeToHealthyMs as number;
  return {
    passed: ms <= t.withinMs,
    actual: on(`healthy after ${formatDuration(ms)}`, slowest),
    limit,
    value: ms,
    evidence,
  };
}
