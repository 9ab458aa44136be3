// Runs one scenario as an experiment: steady state, warm-up, baseline, fault, recovery,
// after — load running through all of it on one monotonic clock, probes sampling beside
// it — then hands what was observed to the pure verdict. The fault is reverted in a
// `finally` through the journal, whatever happens in between.
import type { Scenario } from '../config/scenario-schema';
import type { FaultSpec } from '../faults/spec';
import { formatDuration } from '../config/duration';
import { injectFault, installMonitor, type ActiveFault, type FaultContext, type Monitor } from '../faults';
import { startLoad, type LoadRun, type LoadWindowStats } from '../load';
import {
  containerFacts,
  watchProjectEvents,
  type ContainerEvent,
  type EventWatcher,
} from '../probes/containers';
import { containerLogsSince } from '../probes/logs';
import type { RoleResolver } from '../stack/roles';
import { resolveService } from '../stack/targets';
import { monotonicMs, sleep } from '../util/clock';
import { sampleAlerts, samplePromql, type AlertSampler, type PromqlSampler } from './collectors';
import { planLoad, type StageWindow } from './load-plan';
import {
  emptyObservations,
  type ContainerFacts,
  type ConnectionSample,
  type LogLine,
  type ScenarioObservations,
  type StageObservation,
} from './observations';
import type { FaultReport, PhaseName, RunResult, ScenarioResult, TimelinePoint } from './results';
import { checkSteadyState, type SteadyStateResult } from './steady-state';
import { thresholdNeeds } from './thresholds';
import { abortCondition, baselineFromRun, decideOutcome, evaluateThresholds } from './verdict';

export interface ScenarioEnvironment {
  project: string;
  roles: RoleResolver;
  /** Base URL of the api role, as the load generator reaches it. */
  targetUrl: string;
  prometheusUrl: string | null;
  faults: FaultContext;
  baseline: RunResult | null;
  log: (line: string) => void;
  /** Aborted on Ctrl-C or cancellation: the scenario stops where it is and reverts its fault. */
  signal?: AbortSignal;
  /** Called at each phase boundary (for the CLI's live line). */
  onPhase?: (scenario: string, phase: PhaseName | 'steady-state' | 'verdict', detail: string) => void;
}

/** Recovery: p95 of the last seconds within this factor of the baseline's (or baseline + floor). */
const RECOVERY_P95_FACTOR = 1.5;
const RECOVERY_P95_FLOOR_MS = 50;
const RECOVERY_WINDOW_MS = 2000;

/** Resolves a role or service name used by a scenario to the compose service. */
function serviceOf(env: ScenarioEnvironment, name: string): string {
  return env.roles.service(name);
}

export async function runScenario(scenario: Scenario, env: ScenarioEnvironment): Promise<ScenarioResult> {
  const startedAt = new Date();
  const t0 = monotonicMs();
  const epochAtT0 = Date.now();
  const elapsed = (): number => monotonicMs() - t0;
  const toScenarioMs = (epochMs: number): number => epochMs - epochAtT0;
  const notes: string[] = [];
  const announce = (phase: PhaseName | 'steady-state' | 'verdict', detail = ''): void =>
    env.onPhase?.(scenario.name, phase, detail);

  const base = emptyScenarioResult(scenario, startedAt, notes);

  let load: LoadRun | null = null;
  let fault: ActiveFault | null = null;
  let monitors: { service: string; monitor: Monitor }[] = [];
  let events: EventWatcher | null = null;
  let alertSampler: AlertSampler | null = null;
  let promqlSampler: PromqlSampler | null = null;
  let currentPhase: PhaseName = 'warmup';
  const observations: ScenarioObservations = emptyObservations();
  let steadyBefore: SteadyStateResult = { ok: true, problems: [] };
  let steadyAfter: SteadyStateResult | null = null;
  let aborted: string | null = null;
  let infrastructureError: string | null = null;
  let faultEffective = scenario.fault === null;
  let faultStartEpoch: number | null = null;
  let faultReport: FaultReport | null = null;
  let stageWindows: StageWindow[] = [];
  const restartCountsBefore = new Map<string, number>();

  try {
    const targetService = serviceOf(env, scenario.target.role ?? (scenario.target.service as string));
    const needs = thresholdNeeds(scenario.thresholds);
    const services = new Map<string, string>();
    for (const name of [...needs.logServices, ...needs.containerServices, ...needs.connectionServices]) {
      services.set(name, serviceOf(env, name));
    }
    for (const [role, service] of Object.entries(env.roles.roles)) observations.services[role] = service;
    for (const [name, service] of services) observations.services[name] = service;

    for (const service of new Set([
      ...needs.containerServices.map((n) => serviceOf(env, n)),
      targetService,
    ])) {
      const [container] = await resolveService(env.project, service);
      restartCountsBefore.set(service, (await containerFacts(container.id)).restartCount);
    }

    announce('steady-state', 'checking before the fault');
    const endpoints = { targetUrl: env.targetUrl, prometheusUrl: env.prometheusUrl };
    steadyBefore = await checkSteadyState(scenario.steadyState, endpoints);
    if (!steadyBefore.ok) {
      notes.push(`steady state before the fault: ${steadyBefore.problems.join('; ')}`);
      const decided = decideOutcome([], { steadyStateBeforeOk: false, faultEffective: true });
      return {
        ...base,
        outcome: decided.outcome,
        reason: `${decided.reason}: ${steadyBefore.problems.join('; ')}`,
      };
    }

    events = await watchProjectEvents(env.project);
    const samplerClock = { intervalMs: 1000, elapsedMs: elapsed, phase: () => currentPhase };
    if (needs.alerts) {
      if (env.prometheusUrl) alertSampler = sampleAlerts(env.prometheusUrl, samplerClock);
      else notes.push('alert thresholds need Prometheus: no service has the metrics role');
    }
    if (needs.promqlQueries.length) {
      if (env.prometheusUrl)
        promqlSampler = samplePromql(env.prometheusUrl, needs.promqlQueries, samplerClock);
      else notes.push('promql thresholds need Prometheus: no service has the metrics role');
    }
    // Counting proxies go in before the load so every connection attempt of the scenario is seen.
    monitors = await Promise.all(
      [...new Set(needs.connectionServices.map((n) => serviceOf(env, n)))].map(async (service) => ({
        service,
        monitor: await installMonitor(env.faults, { service }, { port: null, from: null }),
      })),
    );

    const plan = planLoad(scenario, env.targetUrl, t0);
    stageWindows = plan.stages;
    load = await startLoad(plan.spec);
    const { phases } = scenario;

    currentPhase = 'warmup';
    announce('warmup', formatDuration(phases.warmupMs));
    await sleep(phases.warmupMs - elapsed(), env.signal);
    throwIfAborted(env.signal);
    currentPhase = 'baseline';
    announce('baseline', formatDuration(phases.baselineMs));
    await sleep(phases.warmupMs + phases.baselineMs - elapsed(), env.signal);
    throwIfAborted(env.signal);

    currentPhase = 'fault';
    faultStartEpoch = Date.now();
    if (scenario.fault) {
      announce('fault', `${scenario.fault.type} on ${targetService}`);
      // The phase starts when injecting starts: a fault acts before it has proven itself, and
      // requests caught in between belong to the fault, not to the baseline.
      load.mark('fault');
      fault = await injectFault(
        env.faults,
        { service: targetService },
        withServiceNames(scenario.fault, env),
      );
      faultEffective = true;
    } else {
      announce('fault', 'no fault: measuring the load');
      load.mark('fault');
    }
    const faultStart = elapsed();
    // A fault that runs its course (a memory fault at the OOM kill) ends the phase there:
    // what follows is recovery, and it is measured from that moment.
    let courseRun: string | null = null;
    const courseOver = new AbortController();
    void fault?.ranItsCourse.then((why) => {
      courseRun = why;
      courseOver.abort();
    });
    const wake = env.signal ? AbortSignal.any([env.signal, courseOver.signal]) : courseOver.signal;
    while (elapsed() - faultStart < phases.faultMs) {
      await sleep(Math.min(1000, phases.faultMs - (elapsed() - faultStart)), wake);
      throwIfAborted(env.signal);
      if (courseRun !== null) {
        notes.push(
          `the fault ran its course at ${formatDuration(elapsed())} (${courseRun}): recovery starts there`,
        );
        break;
      }
      const condition = abortCondition(scenario.abort, completeSeconds(load.timeline(), elapsed()));
      if (condition) {
        aborted = `abort guard "${condition.source}" held`;
        notes.push(`${aborted} at ${formatDuration(elapsed())}: fault reverted early`);
        break;
      }
    }

    currentPhase = 'recovery';
    if (fault) await fault.revert();
    const revertedAt = monotonicMs();
    load.mark('recovery', revertedAt);
    announce(
      'recovery',
      scenario.fault ? `up to ${formatDuration(phases.recoveryMs)}` : 'nothing to recover from',
    );
    // Without a fault there is nothing to recover from: recovery_time stays unmeasured.
    if (scenario.fault) {
      const baselineStats = load.window(t0 + phases.warmupMs, t0 + phases.warmupMs + phases.baselineMs);
      observations.recoveryTimeMs = await measureRecovery(
        load,
        baselineStats,
        scenario,
        endpoints,
        revertedAt,
        env.signal,
      );
      throwIfAborted(env.signal);
      if (observations.recoveryTimeMs === null) {
        notes.push(`not recovered within ${formatDuration(phases.recoveryMs)} after the fault was reverted`);
      }
    }

    currentPhase = 'after';
    load.mark('after');
    announce('after', formatDuration(phases.afterMs));
    await sleep(phases.afterMs, env.signal);
    throwIfAborted(env.signal);
    steadyAfter = await checkSteadyState(scenario.steadyState, endpoints);
    if (!steadyAfter.ok) notes.push(`steady state after recovery: ${steadyAfter.problems.join('; ')}`);
    await load.stop();
  } catch (error) {
    infrastructureError = error instanceof Error ? error.message : String(error);
    if (fault === null && scenario.fault && currentPhase === 'fault') faultEffective = false;
    env.log(`scenario ${scenario.name}: ${infrastructureError}`);
  } finally {
    if (fault) {
      await fault.revert().catch((error: Error) => {
        infrastructureError ??= `the fault could not be reverted: ${error.message} (run chaos-action cleanup)`;
      });
      faultReport = fault.report();
    }
    for (const { monitor } of monitors) await monitor.revert().catch(() => undefined);
    await alertSampler?.stop();
    await promqlSampler?.stop();
    if (load) await load.stop().catch(() => undefined);
  }

  announce('verdict');
  const loadResult = load?.result() ?? null;
  if (loadResult) {
    for (const phase of loadResult.phases) observations.phases[phase.phase] = phase;
    observations.timeline = loadResult.timeline;
    observations.stages = stageStats(load as LoadRun, stageWindows);
    if (loadResult.generatorLimited) notes.push(...loadResult.generatorNotes);
  }
  observations.faultStartMs =
    faultReport?.injectedAtMs ?? (faultStartEpoch ? toScenarioMs(faultStartEpoch) : null);
  observations.faultEndMs = faultReport?.revertedAtMs ?? null;
  observations.alerts = alertSampler?.alerts() ?? null;
  for (const problem of alertSampler?.problems() ?? []) notes.push(`alerts: ${problem}`);
  observations.promql = promqlSampler?.samples() ?? {};
  for (const { service, monitor } of monitors) {
    observations.connections[service] = connectionSamples(monitor, t0, loadResult?.timeline ?? []);
  }
  const eventList = events?.events() ?? [];
  events?.stop();
  await collectContainersAndLogs(env, scenario, observations, eventList, {
    epochAtT0,
    logsSinceEpoch: faultStartEpoch ?? epochAtT0,
    faultEndMs: observations.faultEndMs,
    restartCountsBefore,
  }).catch((error: Error) => notes.push(`container facts: ${error.message}`));
  if (env.baseline) observations.baseline = baselineFromRun(env.baseline, scenario.name);

  const thresholds = evaluateThresholds(scenario.thresholds, observations);
  const decided = decideOutcome(thresholds, {
    steadyStateBeforeOk: steadyBefore.ok,
    faultEffective,
    steadyStateAfterOk: steadyAfter?.ok,
    aborted,
    error: infrastructureError,
  });
  const faultWindow =
    observations.faultStartMs !== null
      ? {
          startSecond: Math.floor(observations.faultStartMs / 1000),
          endSecond: Math.ceil((observations.faultEndMs ?? observations.faultStartMs) / 1000),
        }
      : null;
  return {
    ...base,
    outcome: decided.outcome,
    reason: decided.reason,
    durationMs: elapsed(),
    phases: loadResult?.phases ?? [],
    timeline: (loadResult?.timeline ?? []).map(toTimelinePoint),
    faultWindow: scenario.fault ? faultWindow : null,
    thresholds,
    fault: faultReport,
    recoveryTimeMs: observations.recoveryTimeMs,
    logMatches: matchedLogLines(scenario, observations),
    generatorLimited: loadResult?.generatorLimited ?? false,
    notes,
  };
}

/** A result with nothing measured yet: the runner fills it in, the engine reports setup errors with it. */
export function emptyScenarioResult(
  scenario: Scenario,
  startedAt = new Date(),
  notes: string[] = [],
): ScenarioResult {
  return {
    name: scenario.name,
    title: scenario.title,
    hypothesis: scenario.hypothesis,
    file: scenario.file,
    outcome: 'error',
    reason: '',
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    phases: [],
    timeline: [],
    faultWindow: null,
    thresholds: [],
    fault: null,
    recoveryTimeMs: null,
    logMatches: [],
    generatorLimited: false,
    notes,
  };
}

/** A fault's `from:` may name a role (from: api): the fault library wants the service. */
function withServiceNames(spec: FaultSpec, env: ScenarioEnvironment): FaultSpec {
  if ('from' in spec && spec.from) return { ...spec, from: serviceOf(env, spec.from) };
  return spec;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Error('interrupted: the run was cancelled');
}

/** Only seconds that are over: the current second is still filling. */
function completeSeconds<T extends TimelinePoint>(timeline: T[], elapsedMs: number): T[] {
  const current = Math.floor(elapsedMs / 1000);
  return timeline.filter((p) => p.second < current);
}

function toTimelinePoint(point: TimelinePoint): TimelinePoint {
  return {
    second: point.second,
    phase: point.phase,
    scheduled: point.scheduled,
    completed: point.completed,
    p95Ms: point.p95Ms,
    errorRate: point.errorRate,
  };
}

/**
 * Time from the revert until steady state holds again and the last seconds' p95 and error
 * rate are back near the baseline's. null when that does not happen within the phase.
 */
async function measureRecovery(
  load: LoadRun,
  baseline: LoadWindowStats,
  scenario: Scenario,
  endpoints: { targetUrl: string; prometheusUrl: string | null },
  revertedAt: number,
  signal?: AbortSignal,
): Promise<number | null> {
  const limitMs = scenario.phases.recoveryMs;
  const p95Limit = Math.max(
    (baseline.p95Ms ?? 0) * RECOVERY_P95_FACTOR,
    (baseline.p95Ms ?? 0) + RECOVERY_P95_FLOOR_MS,
  );
  const errorLimit = Math.max(baseline.errorRate * 2, 0.01);
  for (;;) {
    const now = monotonicMs();
    if (now - revertedAt >= RECOVERY_WINDOW_MS / 2) {
      const steady = await checkSteadyState(scenario.steadyState, endpoints);
      const recent = load.window(Math.max(revertedAt, now - RECOVERY_WINDOW_MS), now);
      const latencyBack =
        recent.p95Ms === null ? recent.completed === 0 && recent.scheduled === 0 : recent.p95Ms <= p95Limit;
      if (steady.ok && latencyBack && recent.errorRate <= errorLimit) return monotonicMs() - revertedAt;
    }
    if (monotonicMs() - revertedAt >= limitMs || signal?.aborted) return null;
    await sleep(250, signal);
  }
}

function stageStats(load: LoadRun, windows: StageWindow[]): StageObservation[] {
  return windows.map((window) => ({
    ...load.window(load.t0Ms + window.startMs, load.t0Ms + window.endMs),
    name: window.name,
    index: window.index,
    startMs: window.startMs,
    endMs: window.endMs,
  }));
}

function connectionSamples(monitor: Monitor, t0: number, timeline: TimelinePoint[]): ConnectionSample[] {
  const phaseOf = new Map(timeline.map((p) => [p.second, p.phase]));
  return monitor.connectionsPerSecond().map((second) => {
    const offset = Math.floor((second.atMs - t0) / 1000);
    return { second: offset, phase: phaseOf.get(offset) ?? 'after', attempts: second.attempts };
  });
}

async function collectContainersAndLogs(
  env: ScenarioEnvironment,
  scenario: Scenario,
  observations: ScenarioObservations,
  events: ContainerEvent[],
  times: {
    epochAtT0: number;
    logsSinceEpoch: number;
    faultEndMs: number | null;
    restartCountsBefore: Map<string, number>;
  },
): Promise<void> {
  const needs = thresholdNeeds(scenario.thresholds);
  const toMs = (epoch: number): number => epoch - times.epochAtT0;
  for (const name of needs.logServices) {
    const service = env.roles.service(name);
    const lines: LogLine[] = [];
    for (const container of await resolveService(env.project, service)) {
      for (const line of await containerLogsSince(container.id, times.logsSinceEpoch)) {
        lines.push({ atMs: toMs(line.atEpochMs), line: line.text });
      }
    }
    observations.logs[service] = lines;
  }
  for (const name of needs.containerServices) {
    const service = env.roles.service(name);
    const [container] = await resolveService(env.project, service);
    const facts = await containerFacts(container.id);
    const own = events.filter((e) => e.service === service);
    const oom = own.find((e) => e.action === 'oom');
    observations.containers[service] = {
      restartsBefore: times.restartCountsBefore.get(service) ?? facts.restartCount,
      restartsAfter: facts.restartCount,
      oomKilled: oom !== undefined || facts.oomKilled,
      oomKilledAtMs: oom ? toMs(oom.atEpochMs) : null,
      health: facts.health ?? 'none',
      timeToHealthyMs: timeToHealthy(own, times.faultEndMs, toMs),
    } satisfies ContainerFacts;
  }
}

/**
 * How long the container took to be healthy again (running, without a healthcheck) after it
 * last went down: from that moment, or from the revert when the revert is what started it.
 * 0 when it never went down; null when it never came back.
 */
function timeToHealthy(
  events: ContainerEvent[],
  faultEndMs: number | null,
  toMs: (epoch: number) => number,
): number | null {
  const at = (e: ContainerEvent): number => toMs(e.atEpochMs);
  const downs = events.filter((e) => ['die', 'oom', 'kill', 'stop'].includes(e.action)).map(at);
  if (downs.length === 0) return 0;
  const lastDown = Math.max(...downs);
  const hasHealthcheck = events.some((e) => e.action.startsWith('health_status'));
  const isBack = (e: ContainerEvent): boolean =>
    hasHealthcheck ? e.action === 'health_status: healthy' : e.action === 'start';
  const back = events.find((e) => at(e) >= lastDown && isBack(e));
  if (!back) return null;
  const restartedBeforeRevert = events.some(
    (e) => e.action === 'start' && at(e) > lastDown && (faultEndMs === null || at(e) <= faultEndMs),
  );
  const from = faultEndMs !== null && faultEndMs > lastDown && !restartedBeforeRevert ? faultEndMs : lastDown;
  return Math.max(0, at(back) - from);
}

/** The log lines that log thresholds matched, for the report (at most a few per threshold). */
function matchedLogLines(
  scenario: Scenario,
  observations: ScenarioObservations,
): ScenarioResult['logMatches'] {
  const matches: ScenarioResult['logMatches'] = [];
  for (const threshold of scenario.thresholds) {
    if (!threshold.kind.startsWith('log_') || !('service' in threshold)) continue;
    const service = observations.services[threshold.service] ?? threshold.service;
    const lines = observations.logs[service] ?? [];
    const test = lineMatcher(threshold);
    if (!test) continue;
    for (const line of lines.filter((l) => test(l.line)).slice(0, 5)) {
      matches.push({ service, line: line.line, atMs: line.atMs });
    }
  }
  return matches;
}

/** How a log threshold recognises a line; null for thresholds that match nothing to show. */
function lineMatcher(threshold: Scenario['thresholds'][number]): ((line: string) => boolean) | null {
  if (threshold.kind === 'log_contains')
    return threshold.negate ? null : (line) => line.includes(threshold.text);
  if (threshold.kind === 'log_matches') {
    if (threshold.negate) return null;
    const pattern = new RegExp(threshold.pattern, threshold.flags);
    return (line) => pattern.test(line);
  }
  if (threshold.kind === 'log_count' || threshold.kind === 'log_backoff') {
    const { text, pattern } = threshold as { text?: string | null; pattern?: string | null; flags?: string };
    if (pattern) {
      const regex = new RegExp(pattern, (threshold as { flags?: string }).flags ?? '');
      return (line) => regex.test(line);
    }
    return text ? (line) => line.includes(text) : null;
  }
  return null;
}
