// Alert checks, read from Prometheus's alerts throughout the scenario.
//
// Evidence: the alert probe's coverage. A check that found what it looked for (the alert fired)
// needs the probe to have seen up to that moment; one that rests on silence (does not fire, no
// alerts, a severity it did not fire as) needs it to have seen the whole scenario. When the
// metrics role itself was a fault target, Prometheus evaluated no rule while it was down: a check
// that found a firing is judged on what was seen before and after the outage, but silence across
// the outage proves nothing, so a silence check over it is inconclusive, the blind stretch named.
import { formatDuration } from '../../config/duration';
import {
  PROBE_BLIND_TOLERANCE_MS,
  type FiringSpan,
  type ObservedAlert,
  type ScenarioObservations,
} from '../observations';
import type {
  AlertBeforeOomThreshold,
  AlertFiresThreshold,
  AlertNotFiresThreshold,
  AlertSeverityThreshold,
  NoAlertsThreshold,
} from '../thresholds';
import {
  fmt,
  longestBlindMs,
  lookup,
  outageNote,
  seconds,
  unknown,
  type Evidence,
  type Verdict,
} from './evidence';

function alertsNamed(alerts: readonly ObservedAlert[], name: string): ObservedAlert[] {
  return alerts.filter((a) => a.name === name);
}

function spans(alerts: readonly ObservedAlert[]): FiringSpan[] {
  return alerts.flatMap((a) => a.firing).sort((a, b) => a.fromMs - b.fromMs);
}

/** True when any span covers the instant (it was firing then). */
function firingAt(all: readonly FiringSpan[], atMs: number): boolean {
  return all.some((s) => s.fromMs <= atMs && (s.toMs === null || s.toMs > atMs));
}

/** The first moment at or after `fromMs` that the alert went from not firing to firing. */
function firstTransitionAfter(all: readonly FiringSpan[], fromMs: number): number | null {
  const span = all.find((s) => s.fromMs >= fromMs);
  return span ? span.fromMs : null;
}

/** What a check that found a firing (or its absence by a deadline) needs: the probe up to then, outages excused. */
const alertSeen = (obs: ScenarioObservations, fromMs: number, toMs: number): Evidence['seen'] => ({
  probe: 'alert',
  coverage: obs.alertCoverage,
  fromMs,
  toMs,
  outages: obs.metricsOutages ?? [],
});

/** What a check that rests on silence needs: the probe over the whole scenario, nothing excused. */
const silenceSeen = (obs: ScenarioObservations): Evidence['seen'] => ({
  probe: 'alert',
  coverage: obs.alertCoverage,
  fromMs: 0,
  toMs: obs.endMs,
  note: obs.metricsOutages?.length
    ? `${outageNote(obs)}: no rule was evaluated then, so silence across it proves nothing`
    : '',
});

export function evalAlertFires(t: AlertFiresThreshold, obs: ScenarioObservations): Verdict {
  const limit = t.withinMs === null ? 'fires' : `fires within ${fmt(t.withinMs, 'duration')}`;
  if (obs.alerts === null) return unknown(limit, `alerts were not observed${outageNote(obs)}`);
  if (obs.faultStartMs === null) return unknown(limit, 'there was no fault to measure from');
  const fault = obs.faultStartMs;
  const all = spans(alertsNamed(obs.alerts, t.alert));
  // The state at the injection must have been seen, and it must be "not firing".
  const before = longestBlindMs(
    obs.alertCoverage,
    fault - PROBE_BLIND_TOLERANCE_MS,
    fault,
    obs.metricsOutages ?? [],
  );
  if (before >= PROBE_BLIND_TOLERANCE_MS)
    return unknown(
      limit,
      `the alert probe did not answer in the ${seconds(PROBE_BLIND_TOLERANCE_MS)} before the fault`,
    );
  if (firingAt(all, fault))
    return unknown(
      limit,
      `${t.alert} was already firing when the fault started: it cannot show the fault's effect`,
    );
  const deadline = t.withinMs === null ? obs.endMs : Math.min(obs.endMs, fault + t.withinMs);
  const first = firstTransitionAfter(all, fault);
  if (first === null || first > deadline) {
    return {
      passed: false,
      actual: first === null ? 'not fired' : `fired after ${formatDuration(first - fault)}`,
      limit,
      value: first === null ? null : first - fault,
      evidence: { count: 1, of: 'alert state', seen: alertSeen(obs, fault, deadline) },
    };
  }
  return {
    passed: true,
    actual: `fired after ${formatDuration(first - fault)}`,
    limit,
    value: first - fault,
    evidence: { count: 1, of: 'alert state', seen: alertSeen(obs, fault, first) },
  };
}

export function evalAlertBeforeOom(t: AlertBeforeOomThreshold, obs: ScenarioObservations): Verdict {
  const limit = 'fires before the OOM kill';
  if (obs.alerts === null) return unknown(limit, `alerts were not observed${outageNote(obs)}`);
  const facts = lookup(obs.containers, obs, t.service);
  if (!facts) return unknown(limit, `container facts for ${t.service} were not collected`);
  if (!facts.oomKilled)
    return unknown(limit, `${t.service} was not OOM-killed: there is nothing to be before`);
  if (facts.oomKilledAtMs === null)
    return unknown(limit, `inspect says ${t.service} was OOM-killed, but no oom event gave the moment`);
  const from = obs.faultStartMs ?? 0;
  const all = spans(alertsNamed(obs.alerts, t.alert));
  if (obs.faultStartMs !== null && firingAt(all, from))
    return unknown(limit, `${t.alert} was already firing when the fault started`);
  const oom = facts.oomKilledAtMs;
  const first = firstTransitionAfter(all, from);
  const lead = first === null ? null : oom - first;
  return {
    passed: lead !== null && lead > 0,
    actual:
      lead === null
        ? 'not fired'
        : lead > 0
          ? `${formatDuration(lead)} before`
          : `${formatDuration(-lead)} after`,
    limit,
    value: lead,
    evidence: {
      count: 1,
      of: 'alert state',
      seen: alertSeen(obs, from, lead !== null && lead > 0 ? (first as number) : oom),
    },
  };
}

export function evalAlertNotFires(t: AlertNotFiresThreshold, obs: ScenarioObservations): Verdict {
  const limit = 'does not fire';
  if (obs.alerts === null) return unknown(limit, `alerts were not observed${outageNote(obs)}`);
  const all = spans(alertsNamed(obs.alerts, t.alert));
  const seen = silenceSeen(obs);
  if (all.length === 0)
    return {
      passed: true,
      actual: 'not fired',
      limit,
      value: null,
      evidence: { count: 1, of: 'alert state', seen },
    };
  const at = all[0].fromMs - (obs.faultStartMs ?? 0);
  return {
    passed: false,
    actual: at < 0 ? 'firing before the fault' : `fired after ${formatDuration(at)}`,
    limit,
    value: all[0].fromMs,
    evidence: { count: 1, of: 'alert state' },
  };
}

export function evalAlertSeverity(t: AlertSeverityThreshold, obs: ScenarioObservations): Verdict {
  const limit = `severity ${t.op} ${t.severity}`;
  if (obs.alerts === null) return unknown(limit, `alerts were not observed${outageNote(obs)}`);
  const fired = alertsNamed(obs.alerts, t.alert).filter((a) => a.firing.length > 0);
  const severities = [...new Set(fired.map((a) => a.severity ?? '(none)'))].sort();
  const actual = fired.length ? `fired as ${severities.join(', ')}` : 'not fired';
  const passed =
    t.op === '=='
      ? fired.length > 0 && fired.every((a) => a.severity === t.severity)
      : fired.every((a) => a.severity !== t.severity);
  // A pass claims no instance fired as another severity (or, for !=, as this one), and "not
  // fired" claims none fired at all: both rest on silence. A wrong severity seen is proof.
  return {
    passed,
    actual,
    limit,
    value: fired.length,
    evidence: {
      count: 1,
      of: 'alert state',
      ...(passed || fired.length === 0 ? { seen: silenceSeen(obs) } : {}),
    },
  };
}

export function evalNoAlerts(t: NoAlertsThreshold, obs: ScenarioObservations): Verdict {
  const limit = t.severity === null ? 'no alert fires' : `no ${t.severity} alert fires`;
  if (obs.alerts === null) return unknown(limit, `alerts were not observed${outageNote(obs)}`);
  const fired = obs.alerts.filter(
    (a) => a.firing.length > 0 && (t.severity === null || a.severity === t.severity),
  );
  const names = [...new Set(fired.map((a) => a.name))].sort();
  return {
    passed: fired.length === 0,
    actual: fired.length ? `fired: ${names.join(', ')}` : 'none fired',
    limit,
    value: names.length,
    evidence: {
      count: 1,
      of: 'alert state',
      ...(fired.length === 0 ? { seen: silenceSeen(obs) } : {}),
    },
  };
}
