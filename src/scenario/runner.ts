// Runs one scenario as an experiment, one named step per phase: prepare (steady state,
// watchers), start the load (which sets t0), warm-up and baseline, inject, hold the fault,
// revert, recovery, after — then collect what the probes saw and hand it to the pure verdict.
// The fault is reverted in a `finally` through the journal, whatever happens in between.
//
// One clock: the scenario's t0 is the instant the load starts sending, and every time the
// scenario records goes through its ScenarioClock (src/util/clock.ts): phases, stage windows
// and the recovery baseline come from the same schedule that drives the load, and the
// fault's inject and revert are on the same axis as alerts, logs and container events.
import type { Scenario, ScenarioFault } from '../config/scenario-schema';
import type { FaultSpec } from '../faults/spec';
import { formatDuration } from '../config/duration';
import type { ActiveFault, FaultContext, Monitor } from '../faults';
import type { LoadRequestInfo, LoadRun, LoadSpec } from '../load';
import type { ContainerEvent, EventWatcher } from '../probes/containers';
import type { RoleResolver } from '../stack/roles';
import { scenarioClock, scenarioMs, type MonotonicMs, type ScenarioClock } from '../util/clock';
import { CoverageRecorder, readTraces, type AlertSampler, type PromqlSampler } from './collectors';
import { JAEGER_QUERY_PORT } from '../probes/traces';
import { serviceUrl } from '../stack/endpoints';
import { dockerEdges, type ScenarioEdges } from './edges';
import { planLoad, type StageWindow } from './load-plan';
import {
  emptyObservations,
  type ConnectionSample,
  type LogLine,
  type PairedBaseObservation,
  type ReplicaFacts,
  type ScenarioObservations,
  type StageObservation,
} from './observations';
import type {
  FaultReport,
  PhaseName,
  RequestSummary,
  RunResult,
  ScenarioMs,
  ScenarioResult,
  TimelinePoint,
  WindowStats,
} from '../results';
import type { SteadyStateResult } from './steady-state';
import { defaultRegressionThresholds, scenarioComparison } from './comparison';
import { thresholdNeeds, traceKey, type ThresholdNeeds } from './thresholds';
import {
  abortCondition,
  baselineFromRun,
  baselineScenarioFromRun,
  decideOutcome,
  evaluateThresholds,
} from './verdict';
import { serviceFacts } from './verdict/containers';
import {
  findRecovery,
  recoveryCriteria,
  RECOVERY_SUSTAIN_S,
  type RecoveryCriteria,
} from './verdict/recovery';
import { compileLogPattern } from './log-pattern';

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
  /** The outside world; default: the real engine, load generator, faults and clock. */
  edges?: ScenarioEdges;
  /** One side of a paired run (paired.ts); absent for a run without a paired base. */
  paired?: PairedSide;
}

/**
 * How a side of a paired run meets the other: both loads start together, and each side hands
 * its samples over once its load has stopped (paired.ts makes these; a side that stops early
 * releases the other, which then compares with nothing).
 */
export interface PairedSide {
  /**
   * Resolves once every side is ready to start its load (or has stopped), with what the load
   * must add to take turns with the other side's (interleaved mode), else nothing.
   */
  beforeLoadStart(): Promise<Pick<LoadSpec, 'interleave'> | void>;
  /** Hands this side's phases over; resolves with the base side's on the PR side, null on the base side. */
  exchange(
    own: Pick<ScenarioObservations, 'phases' | 'latencyBins' | 'timeline' | 'secondBins'>,
  ): Promise<PairedBaseObservation | null>;
}

/** Resolves a role or service name used by a scenario to the compose service. */
function serviceOf(env: ScenarioEnvironment, name: string): string {
  return env.roles.service(name);
}

/** One fault of the scenario as the run plays it: injected at its `at`, reverted at its end. */
interface PlayedFault {
  fault: ScenarioFault;
  /** The compose service it acts on. */
  service: string;
  /** When injecting it began (its journal entry is written first); null until then. */
  injectStartMs: ScenarioMs | null;
  /** Set once injected; kept after the revert for its report. */
  handle: ActiveFault | null;
  reverted: boolean;
  /** Why it ended by itself (a memory fault at the OOM kill), once it has. */
  courseRun: string | null;
}

/** What one scenario run holds while it goes: every step reads and fills this. */
interface RunState {
  scenario: Scenario;
  env: ScenarioEnvironment;
  edges: ScenarioEdges;
  /** Until the load starts, a provisional clock (t0 = the scenario's start) for setup errors. */
  clock: ScenarioClock;
  needs: ThresholdNeeds;
  targetService: string;
  notes: string[];
  observations: ScenarioObservations;
  load: LoadRun | null;
  /** The scenario's faults in injection order (by `at`, then as written). */
  played: PlayedFault[];
  /** Wakes the fault hold when a fault runs its course. */
  courseOver: AbortController;
  faultReport: FaultReport | null;
  faultReports: FaultReport[];
  monitors: { service: string; monitor: Monitor }[];
  events: EventWatcher | null;
  eventsFromMs: ScenarioMs | null;
  alertSampler: AlertSampler | null;
  promqlSampler: PromqlSampler | null;
  currentPhase: PhaseName;
  stageWindows: StageWindow[];
  /** Per service, each replica's (container name's) restart count when the scenario started. */
  restartCountsBefore: Map<string, Map<string, number>>;
  /** When the revert began: a container's time to healthy counts from here when the revert brought it back. */
  revertStartMs: ScenarioMs | null;
  /** The same per service, for scenarios whose faults are reverted at different times. */
  revertStarts: Map<string, ScenarioMs>;
  /** Prometheus's address: read again after a fault on the metrics role (a restart moves it). */
  prometheusUrl: string | null;
  steadyBefore: SteadyStateResult;
  steadyAfter: SteadyStateResult | null;
  aborted: string | null;
  error: string | null;
  faultEffective: boolean;
  announce: (phase: PhaseName | 'steady-state' | 'verdict', detail?: string) => void;
}

export async function runScenario(scenario: Scenario, env: ScenarioEnvironment): Promise<ScenarioResult> {
  const startedAt = new Date();
  const edges = env.edges ?? dockerEdges;
  const state: RunState = {
    scenario,
    env,
    edges,
    clock: scenarioClock(undefined, edges.time),
    needs: thresholdNeeds(scenario.thresholds),
    targetService: '',
    notes: [],
    observations: emptyObservations(),
    load: null,
    played: [],
    courseOver: new AbortController(),
    faultReport: null,
    faultReports: [],
    monitors: [],
    events: null,
    eventsFromMs: null,
    alertSampler: null,
    promqlSampler: null,
    currentPhase: 'warmup',
    stageWindows: [],
    restartCountsBefore: new Map(),
    revertStartMs: null,
    revertStarts: new Map(),
    prometheusUrl: env.prometheusUrl,
    steadyBefore: { ok: true, problems: [] },
    steadyAfter: null,
    aborted: null,
    error: null,
    faultEffective: scenario.faults.length === 0,
    announce: (phase, detail = '') => env.onPhase?.(scenario.name, phase, detail),
  };
  const base = emptyScenarioResult(scenario, startedAt, state.notes);
  state.notes.push(...scenario.omitted);

  try {
    await prepare(state);
    if (!state.steadyBefore.ok) {
      const decided = decideOutcome([], { steadyStateBeforeOk: false, faultEffective: true });
      return {
        ...base,
        outcome: decided.outcome,
        reason: `${decided.reason}: ${state.steadyBefore.problems.join('; ')}`,
      };
    }
    await startLoadAndClock(state);
    await warmupAndBaseline(state);
    await inject(state);
    await holdFault(state);
    await revert(state);
    await recover(state);
    await after(state);
  } catch (error) {
    state.error = error instanceof Error ? error.message : String(error);
    env.log(`scenario ${scenario.name}: ${state.error}`);
  } finally {
    await teardown(state);
  }

  state.announce('verdict');
  await collect(state);
  return verdict(state, base);
}

/** Services, restart counts, the steady state before the fault, the event watch and the counting proxies. */
async function prepare(state: RunState): Promise<void> {
  const { scenario, env, edges, needs, observations } = state;
  state.targetService = serviceOf(env, scenario.target.role ?? (scenario.target.service as string));
  // Injection order: by start, then as written (a stable sort keeps ties in file order).
  state.played = [...scenario.faults]
    .sort((a, b) => a.atMs - b.atMs)
    .map((fault) => ({
      fault,
      service: serviceOf(env, fault.target.role ?? (fault.target.service as string)),
      injectStartMs: null,
      handle: null,
      reverted: false,
      courseRun: null,
    }));
  const services = new Map<string, string>();
  for (const name of [...needs.logServices, ...needs.containerServices, ...needs.connectionServices]) {
    services.set(name, serviceOf(env, name));
  }
  for (const [role, service] of Object.entries(env.roles.roles)) observations.services[role] = service;
  for (const [name, service] of services) observations.services[name] = service;

  for (const service of new Set([
    ...needs.containerServices.map((n) => serviceOf(env, n)),
    state.targetService,
    ...state.played.map((p) => p.service),
  ])) {
    const replicas = await edges.serviceReplicas(env.project, service);
    state.restartCountsBefore.set(service, new Map(replicas.map((r) => [r.name, r.restartCount])));
  }

  state.announce('steady-state', 'checking before the fault');
  state.steadyBefore = await edges.checkSteadyState(scenario.steadyState, endpointsOf(state));
  if (!state.steadyBefore.ok) {
    state.notes.push(`steady state before the fault: ${state.steadyBefore.problems.join('; ')}`);
    return;
  }
  state.events = await edges.watchEvents(env.project);
  state.eventsFromMs = state.clock.now();
  // Counting proxies go in before the load so every connection attempt of the scenario is seen.
  state.monitors = await Promise.all(
    [...new Set(needs.connectionServices.map((n) => serviceOf(env, n)))].map(async (service) => ({
      service,
      monitor: await edges.installMonitor(env.faults, { service }, { port: null, from: null }),
    })),
  );
}

/** The load starts sending, and that instant is the scenario's t0; the samplers start on its clock. */
async function startLoadAndClock(state: RunState): Promise<void> {
  const { scenario, env, edges, needs } = state;
  const setupClock = state.clock;
  const plan = planLoad(scenario, env.targetUrl);
  state.stageWindows = plan.stages;
  const turns = await env.paired?.beforeLoadStart();
  // Only users can wait for their turn; an arrival rate cannot (both sides run the same plan).
  const closedModel = plan.spec.users !== undefined || plan.spec.userStages !== undefined;
  if (turns && !closedModel)
    state.notes.push('interleaved: an arrival-rate load cannot take turns; both sides sent in every second');
  state.load = await edges.startLoad(turns && closedModel ? { ...plan.spec, ...turns } : plan.spec);
  state.clock = scenarioClock(state.load.t0Ms as MonotonicMs, edges.time);
  // The event watch began during setup: restate its start on the scenario clock.
  if (state.eventsFromMs !== null)
    state.eventsFromMs = state.clock.fromMonotonic(setupClock.toMonotonic(state.eventsFromMs));
  const samplerClock = { intervalMs: 1000, now: () => state.clock.now(), phase: () => state.currentPhase };
  if (needs.alerts) {
    if (env.prometheusUrl)
      state.alertSampler = edges.sampleAlerts(() => state.prometheusUrl as string, samplerClock);
    else state.notes.push('alert thresholds need Prometheus: no service has the metrics role');
  }
  if (needs.promqlQueries.length) {
    if (env.prometheusUrl)
      state.promqlSampler = edges.samplePromql(
        () => state.prometheusUrl as string,
        needs.promqlQueries,
        samplerClock,
      );
    else state.notes.push('promql thresholds need Prometheus: no service has the metrics role');
  }
}

/** Sleeps until the scenario clock reads `atMs`. */
async function sleepUntil(state: RunState, atMs: number): Promise<void> {
  await state.edges.sleep(atMs - state.clock.now(), state.env.signal);
  throwIfAborted(state.env.signal);
}

async function warmupAndBaseline(state: RunState): Promise<void> {
  const { phases } = state.scenario;
  state.currentPhase = 'warmup';
  state.announce('warmup', formatDuration(phases.warmupMs));
  await sleepUntil(state, phases.warmupMs);
  state.currentPhase = 'baseline';
  state.announce('baseline', formatDuration(phases.baselineMs));
  await sleepUntil(state, phases.warmupMs + phases.baselineMs);
}

/**
 * The fault phase starts when injecting starts: requests caught while it proves itself belong
 * to it. Every fault at 0s goes in now, in the order written; later ones wait in holdFault.
 */
async function inject(state: RunState): Promise<void> {
  const { observations } = state;
  const load = state.load as LoadRun;
  state.currentPhase = 'fault';
  const startMs = state.clock.now();
  observations.faultStartMs = startMs;
  load.mark('fault', state.clock.toMonotonic(startMs));
  if (state.played.length === 0) {
    state.announce('fault', 'no fault: measuring the load');
    return;
  }
  for (const played of state.played.filter((p) => p.fault.atMs === 0)) await injectOne(state, played);
}

/** Journals, injects and proves one fault (edges.injectFault); a fault that does not take hold throws. */
async function injectOne(state: RunState, played: PlayedFault): Promise<void> {
  const { env, edges } = state;
  const { spec } = played.fault;
  state.announce('fault', `${spec.type} on ${played.service}`);
  played.injectStartMs = state.clock.now();
  try {
    played.handle = await edges.injectFault(
      env.faults,
      { service: played.service },
      withServiceNames(spec, env),
    );
  } catch (error) {
    state.faultEffective = false;
    throw error;
  }
  state.faultEffective = true;
  void played.handle.ranItsCourse.then((why) => {
    played.courseRun = why;
    state.courseOver.abort();
  });
}

/** Reverts one fault (a failed or unproven revert throws: the scenario is an error). */
async function revertOne(state: RunState, played: PlayedFault): Promise<void> {
  if (!played.handle || played.reverted) return;
  state.revertStarts.set(played.service, state.clock.now());
  played.reverted = true;
  await played.handle.revert();
  // A stopped container comes back with a new address (and host port): the probes follow it.
  if (state.prometheusUrl !== null && played.service === state.env.roles.optional('metrics')) {
    const url = await serviceUrl(state.env.project, played.service).catch(() => null);
    if (url) state.prometheusUrl = url;
  }
}

/**
 * When a fault took the metrics role (Prometheus) down, alert and PromQL checks lose their
 * data source for that span: it is recorded, so the verdict judges them on what was seen
 * before and after it (a fault whose injection failed counts from when it began: it may have acted).
 */
function noteMetricsOutages(state: RunState): void {
  const metrics = state.env.roles.optional('metrics');
  const outages = state.played
    .filter((p) => metrics !== null && p.service === metrics && p.injectStartMs !== null)
    .map((p) => ({
      fromMs: p.injectStartMs as ScenarioMs,
      toMs: p.handle?.report(state.clock).revertedAtMs ?? state.clock.now(),
    }));
  if (outages.length === 0) return;
  state.observations.metricsOutages = outages;
  if (state.needs.alerts || state.needs.promqlQueries.length)
    state.notes.push(
      `the metrics role (${metrics}) was a fault target from ${outages.map((o) => `${formatDuration(o.fromMs)} to ${formatDuration(o.toMs)}`).join(', ')}: alert and PromQL checks are judged on what Prometheus answered before and after`,
    );
}

/** Injected and not yet reverted, latest injection first: the order reverts go in. */
function activeFaults(state: RunState): PlayedFault[] {
  return state.played.filter((p) => p.handle !== null && !p.reverted).reverse();
}

/**
 * Holds the fault phase: injects each later fault at its `at`, reverts each at its end (ties
 * latest-injected first), and ends when the phase is over, when every fault has run its course,
 * or when the abort guard trips. What is still in is reverted by the revert step.
 */
async function holdFault(state: RunState): Promise<void> {
  const { scenario, env, edges } = state;
  const load = state.load as LoadRun;
  const faultStart = state.observations.faultStartMs as ScenarioMs;
  const faultMs = scenario.phases.faultMs;
  const heldMs = (): number => state.clock.now() - faultStart;
  const endOf = (p: PlayedFault): number => p.fault.atMs + p.fault.durationMs;
  for (;;) {
    // A fault that runs its course (a memory fault at the OOM kill) ends there.
    for (const played of activeFaults(state).filter((p) => p.courseRun !== null)) {
      const which =
        state.played.length === 1 ? 'the fault' : `the ${played.fault.spec.type} fault on ${played.service}`;
      state.notes.push(
        `${which} ran its course at ${formatDuration(state.clock.now())} (${played.courseRun})` +
          (state.played.length === 1 ? ': recovery starts there' : ''),
      );
      await revertOne(state, played);
    }
    // A pure load test (no faults) holds the fault phase under load for its whole length.
    if (state.played.length > 0 && state.played.every((p) => p.reverted)) return;
    const held = heldMs();
    if (held >= faultMs) return;
    for (const played of activeFaults(state).filter((p) => endOf(p) <= held)) await revertOne(state, played);
    for (const played of state.played.filter((p) => p.handle === null && p.fault.atMs <= held))
      await injectOne(state, played);
    const upcoming = state.played.flatMap((p) =>
      p.handle === null ? [p.fault.atMs] : p.reverted ? [] : [endOf(p)],
    );
    const next = Math.min(faultMs, ...upcoming.filter((t) => t > heldMs()));
    const wake = env.signal
      ? AbortSignal.any([env.signal, state.courseOver.signal])
      : state.courseOver.signal;
    await edges.sleep(Math.max(0, Math.min(1000, next - heldMs())), wake);
    throwIfAborted(env.signal);
    if (state.courseOver.signal.aborted) state.courseOver = new AbortController();
    const condition = abortCondition(scenario.abort, completeSeconds(load.timeline(), state.clock.now()));
    if (condition) {
      state.aborted = `abort guard "${condition.source}" held`;
      const never = state.played.filter((p) => p.handle === null).length;
      state.notes.push(
        `${state.aborted} at ${formatDuration(state.clock.now())}: fault${state.played.length > 1 ? 's' : ''} reverted early` +
          (never ? `; ${never} fault${never > 1 ? 's were' : ' was'} never injected` : ''),
      );
      return;
    }
  }
}

/**
 * Reverts every fault still in, latest injection first, and starts recovery. The fault phase
 * ends with the last revert: when its revert steps were done (proving it took a moment more,
 * and that moment already belongs to recovery).
 */
async function revert(state: RunState): Promise<void> {
  state.currentPhase = 'recovery';
  state.revertStartMs = state.clock.now();
  for (const played of activeFaults(state)) await revertOne(state, played);
  const reverts = state.played
    .map((p) => p.handle?.report(state.clock).revertedAtMs ?? null)
    .filter((at): at is ScenarioMs => at !== null);
  const endMs = reverts.length ? (Math.max(...reverts) as ScenarioMs) : state.clock.now();
  if (state.played.length) state.observations.faultEndMs = endMs;
  (state.load as LoadRun).mark('recovery', state.clock.toMonotonic(endMs));
}

async function recover(state: RunState): Promise<void> {
  const { scenario, env, observations } = state;
  const load = state.load as LoadRun;
  state.announce(
    'recovery',
    state.played.length ? `up to ${formatDuration(scenario.phases.recoveryMs)}` : 'nothing to recover from',
  );
  // Without a fault there is nothing to recover from: recovery_time stays unmeasured.
  if (state.played.length === 0) return;
  observations.recoveryTimeMs = await measureRecovery(state, load, observations.faultEndMs as ScenarioMs);
  // MTTR: from the first injection, so it covers the outage and the recovery after it.
  observations.mttrMs =
    observations.recoveryTimeMs === null
      ? null
      : (observations.faultEndMs as ScenarioMs) +
        observations.recoveryTimeMs -
        (observations.faultStartMs as ScenarioMs);
  throwIfAborted(env.signal);
  if (observations.recoveryTimeMs === null) {
    state.notes.push(
      `not recovered within the recovery phase (${formatDuration(scenario.phases.recoveryMs)} after the fault was reverted)`,
    );
  }
}

async function after(state: RunState): Promise<void> {
  const { scenario, env, edges } = state;
  const load = state.load as LoadRun;
  state.currentPhase = 'after';
  load.mark('after', state.clock.toMonotonic(state.clock.now()));
  state.announce('after', formatDuration(scenario.phases.afterMs));
  await edges.sleep(scenario.phases.afterMs, env.signal);
  throwIfAborted(env.signal);
  if (scenario.steadyState.length === 0) {
    state.notes.push('no steady-state checks: the state after recovery was judged by the load alone');
  }
  state.steadyAfter = await edges.checkSteadyState(scenario.steadyState, endpointsOf(state));
  if (!state.steadyAfter.ok)
    state.notes.push(`steady state after recovery: ${state.steadyAfter.problems.join('; ')}`);
  const sendingEndedMs = state.clock.now();
  await load.stop();
  settleRecovery(state, load, sendingEndedMs);
}

/** Whatever happened: the fault and the counting proxies reverted, the samplers and the load stopped. */
async function teardown(state: RunState): Promise<void> {
  // Every fault still in (after an error, an interruption or a failed revert), latest first;
  // one that cannot be reverted does not stop the others from being tried.
  const leftIn = state.played.filter((p) => p.handle !== null && !p.reverted).reverse();
  if (leftIn.length) state.revertStartMs ??= state.clock.now();
  for (const played of leftIn) {
    await revertOne(state, played).catch((error: Error) => {
      state.error ??= `the ${played.fault.spec.type} fault on ${played.service} could not be reverted: ${error.message} (run chaos-action cleanup)`;
    });
  }
  if (state.played.some((p) => p.handle !== null) && state.observations.faultEndMs === null)
    state.observations.faultEndMs = state.clock.now();
  state.faultReports = state.played.flatMap((p) => (p.handle ? [p.handle.report(state.clock)] : []));
  state.faultReport = state.faultReports[0] ?? null;
  noteMetricsOutages(state);
  for (const { service, monitor } of state.monitors) {
    await monitor.revert().catch((error: Error) => {
      state.error ??= `the connection counter on ${service} could not be removed: ${error.message} (run chaos-action cleanup)`;
    });
  }
  await state.alertSampler?.stop();
  await state.promqlSampler?.stop();
  if (state.load) await state.load.stop().catch(() => undefined);
  state.observations.endMs = state.clock.now();
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

function endpointsOf(state: RunState): { targetUrl: string; prometheusUrl: string | null } {
  return { targetUrl: state.env.targetUrl, prometheusUrl: state.prometheusUrl };
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Error('interrupted: the run was cancelled');
}

/** Only seconds that are over: the current second is still filling. */
function completeSeconds<T extends TimelinePoint>(timeline: T[], nowMs: number): T[] {
  const current = Math.floor(nowMs / 1000);
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

/** The recovery rule's criteria (verdict/recovery.ts), from the load's own baseline: whole seconds after the warm-up, up to the fault. */
function criteriaOf(state: RunState, load: LoadRun): RecoveryCriteria {
  const { scenario, clock } = state;
  const { phases } = scenario;
  const baselineFrom = Math.ceil(phases.warmupMs / 1000) * 1000;
  const baselineTo =
    Math.floor((state.observations.faultStartMs ?? phases.warmupMs + phases.baselineMs) / 1000) * 1000;
  return recoveryCriteria(
    load.window(
      clock.toMonotonic(scenarioMs(baselineFrom)),
      clock.toMonotonic(scenarioMs(Math.max(baselineTo, baselineFrom + 1000))),
    ),
  );
}

/** The load figures of the requests sent in timeline seconds [from, to). */
function secondsReader(state: RunState, load: LoadRun): (from: number, to: number) => WindowStats {
  const { clock } = state;
  return (from, to) =>
    load.window(clock.toMonotonic(scenarioMs(from * 1000)), clock.toMonotonic(scenarioMs(to * 1000)));
}

/**
 * Time from the revert until the system was well again (verdict/recovery.ts): the start of the
 * first sustained window of requests sent after the revert that all went well, or the moment
 * the steady-state checks held from then on, whichever is later. null when that is not seen
 * within the recovery phase (after() looks again once the load has stopped).
 */
async function measureRecovery(
  state: RunState,
  load: LoadRun,
  revertedAt: ScenarioMs,
): Promise<number | null> {
  const { scenario, clock, env, edges } = state;
  const criteria = criteriaOf(state, load);
  const read = secondsReader(state, load);
  // Windows before `from` were judged bad or empty for good: each tick looks on from there.
  let from = Math.ceil(revertedAt / 1000);
  let steadySince: number | null = null;
  for (;;) {
    const checkedAt = clock.now();
    const steady = await edges.checkSteadyState(scenario.steadyState, endpointsOf(state));
    steadySince = steady.ok ? (steadySince ?? checkedAt) : null;
    const found = findRecovery(read, from, Math.floor(clock.now() / 1000), criteria);
    from = found.next;
    if (found.second !== null && steadySince !== null)
      return Math.max(found.second * 1000, steadySince) - revertedAt;
    if (clock.now() - revertedAt >= scenario.phases.recoveryMs || env.signal?.aborted) return null;
    await edges.sleep(250, env.signal);
  }
}

/**
 * Recovery not seen within the recovery phase: judged once more on the complete data (every
 * request sent has its outcome once the load has stopped). A good window in the after phase,
 * with steady state holding at the end, is a late recovery; none is "not recovered", with how
 * long it was watched.
 */
function settleRecovery(state: RunState, load: LoadRun, sendingEndedMs: number): void {
  const { observations, notes } = state;
  if (state.played.length === 0 || observations.recoveryTimeMs !== null || observations.faultEndMs === null)
    return;
  const revertedAt = observations.faultEndMs;
  const endSecond = Math.floor(sendingEndedMs / 1000);
  const found = findRecovery(
    secondsReader(state, load),
    Math.ceil(revertedAt / 1000),
    endSecond,
    criteriaOf(state, load),
  );
  if (found.second !== null && state.steadyAfter?.ok !== false) {
    observations.recoveryTimeMs = Math.max(0, found.second * 1000 - revertedAt);
    observations.mttrMs =
      revertedAt + observations.recoveryTimeMs - (observations.faultStartMs as ScenarioMs);
    notes.push(
      `recovered only after the recovery phase, ${formatDuration(observations.recoveryTimeMs)} after the revert`,
    );
    return;
  }
  observations.recoveryWatchedMs = Math.max(0, endSecond * 1000 - revertedAt);
  notes.push(
    `not recovered by the end of the run: no ${RECOVERY_SUSTAIN_S}s of requests sent after the revert were all answered near the baseline` +
      ` (watched ${formatDuration(observations.recoveryWatchedMs)})`,
  );
}

function stageStats(load: LoadRun, clock: ScenarioClock, windows: StageWindow[]): StageObservation[] {
  return windows.map((window) => ({
    ...load.window(
      clock.toMonotonic(scenarioMs(window.startMs)),
      clock.toMonotonic(scenarioMs(window.endMs)),
    ),
    name: window.name,
    index: window.index,
    startMs: window.startMs,
    endMs: window.endMs,
  }));
}

/**
 * Connection attempts per timeline second. The counter watched from before t0 to the end, so
 * a second with no attempt is a measured 0, not a missing sample.
 */
function connectionSamples(
  monitor: Monitor,
  clock: ScenarioClock,
  timeline: TimelinePoint[],
): ConnectionSample[] {
  const attempts = new Map<number, number>();
  for (const second of monitor.connectionsPerSecond()) {
    const offset = Math.floor(clock.fromMonotonic(second.atMs as MonotonicMs) / 1000);
    attempts.set(offset, (attempts.get(offset) ?? 0) + second.attempts);
  }
  return timeline.map((p) => ({ second: p.second, phase: p.phase, attempts: attempts.get(p.second) ?? 0 }));
}

/** Everything the probes saw, on the scenario clock, into the observations. */
async function collect(state: RunState): Promise<void> {
  const { scenario, env, edges, clock, observations, notes, load } = state;
  const loadResult = load?.result() ?? null;
  if (loadResult && load) {
    for (const phase of loadResult.phases) observations.phases[phase.phase] = phase;
    observations.timeline = loadResult.timeline;
    observations.stages = stageStats(load, clock, state.stageWindows);
    if (loadResult.generatorLimited) notes.push(...loadResult.generatorNotes);
  }
  observations.alerts = state.alertSampler?.alerts() ?? null;
  observations.alertCoverage = state.alertSampler?.coverage() ?? null;
  for (const problem of observations.alertCoverage?.problems ?? []) notes.push(`alerts: ${problem}`);
  observations.promql = state.promqlSampler?.samples() ?? {};
  observations.promqlCoverage = state.promqlSampler?.coverage() ?? {};
  await collectTraces(state);
  for (const { service, monitor } of state.monitors) {
    observations.connections[service] = connectionSamples(monitor, clock, loadResult?.timeline ?? []);
  }
  const eventList = state.events?.events() ?? [];
  if (state.events && state.eventsFromMs !== null) {
    const recorder = new CoverageRecorder(Infinity);
    recorder.attempt(state.eventsFromMs);
    const broken = state.events.broken();
    if (broken) recorder.brokeAt(clock.fromEpoch(broken.atEpochMs), broken.reason);
    recorder.attempt(observations.endMs);
    observations.eventCoverage = recorder.coverage(observations.endMs);
    if (broken) notes.push(`container events: ${broken.reason}`);
  }
  state.events?.stop();
  await collectContainersAndLogs(state, eventList).catch((error: Error) =>
    notes.push(`container facts: ${error.message}`),
  );
  if (env.baseline) {
    observations.baseline = baselineFromRun(env.baseline, scenario.name);
    observations.baselineScenario = baselineScenarioFromRun(env.baseline, scenario.name);
  }
  observations.latencyBins = load?.latencyBins?.() ?? {};
  observations.secondBins = load?.secondBins?.() ?? [];
  if (env.paired) observations.pairedBase = await env.paired.exchange(observations);
  void edges;
}

/** Exporters batch spans (the example ships every second): give the last ones time to land. */
const TRACE_EXPORT_SETTLE_MS = 1500;

/**
 * Spans for the trace thresholds, from the tracing role's Jaeger-compatible query API. A stack
 * without a tracing role leaves observations.traces null: its trace checks are skipped, with a note.
 */
async function collectTraces(state: RunState): Promise<void> {
  const { scenario, env, edges, clock, observations, needs, notes } = state;
  if (needs.traces.length === 0) return;
  const store = env.roles.optional('tracing');
  if (store === null) {
    notes.push(
      'trace thresholds skipped: no service has the tracing role (a Jaeger-compatible query API); ' +
        'map one (service-map: tracing=SERVICE) or label it dev.chaos-action.role=tracing',
    );
    return;
  }
  const readsAfter = scenario.thresholds.some(
    (t) =>
      (t.kind === 'trace_attribute' || t.kind === 'trace_count') && (t.phase === null || t.phase === 'after'),
  );
  if (readsAfter) await edges.sleep(TRACE_EXPORT_SETTLE_MS);
  const names = (name: string): string => env.roles.optional(name) ?? name;
  const window = { fromMs: scenarioMs(0), toMs: observations.endMs };
  try {
    const url = await serviceUrl(env.project, store, JAEGER_QUERY_PORT);
    observations.traces = await readTraces(url, needs.traces, window, clock, names);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    observations.traces = Object.fromEntries(
      needs.traces.map((q) => [
        traceKey(q.service, q.operation),
        { ...window, spans: [], truncated: false, error: why },
      ]),
    );
  }
  const problems = Object.values(observations.traces).map((read) => read.error);
  for (const problem of new Set(problems)) if (problem) notes.push(`traces: ${problem}`);
}

function verdict(state: RunState, base: ScenarioResult): ScenarioResult {
  const { scenario, observations, clock } = state;
  const loadResult = state.load?.result() ?? null;
  // A paired run judges a regression even where the scenario names none (comparison.ts).
  const thresholds = evaluateThresholds(
    [...scenario.thresholds, ...defaultRegressionThresholds(scenario, observations)],
    observations,
  );
  const decided = decideOutcome(thresholds, {
    steadyStateBeforeOk: state.steadyBefore.ok,
    faultEffective: state.faultEffective,
    steadyStateAfterOk: state.steadyAfter?.ok,
    aborted: state.aborted,
    error: state.error,
  });
  const faultWindow =
    scenario.faults.length && observations.faultStartMs !== null
      ? {
          startSecond: Math.floor(observations.faultStartMs / 1000),
          endSecond: Math.ceil((observations.faultEndMs ?? observations.faultStartMs) / 1000),
        }
      : null;
  return {
    ...base,
    outcome: decided.outcome,
    reason: decided.reason,
    durationMs: clock.now(),
    phases: loadResult?.phases ?? [],
    ...(loadResult?.requests ? { requests: requestSummaries(loadResult.requests, scenario) } : {}),
    timeline: (loadResult?.timeline ?? []).map(toTimelinePoint),
    faultWindow,
    thresholds,
    fault: state.faultReport,
    faults: state.faultReports,
    recoveryTimeMs: observations.recoveryTimeMs,
    mttrMs: observations.mttrMs ?? null,
    logMatches: matchedLogLines(scenario, observations),
    generatorLimited: loadResult?.generatorLimited ?? false,
    notes: state.notes,
    ...(observations.pairedBase ? { comparison: scenarioComparison(scenario.thresholds, observations) } : {}),
  };
}

/** The requests the load sent, with what the mix says each reaches (`reaches:`, from init --explore). */
function requestSummaries(sent: LoadRequestInfo[], scenario: Scenario): RequestSummary[] {
  return sent.map((request) => ({
    name: request.name,
    method: request.method,
    path: request.path,
    weight: request.weight,
    reaches: scenario.load.requests?.find((r) => r.name === request.name)?.reaches ?? null,
  }));
}

async function collectContainersAndLogs(state: RunState, events: ContainerEvent[]): Promise<void> {
  const { env, edges, clock, observations, needs } = state;
  for (const name of needs.logServices) {
    const service = env.roles.service(name);
    // From t0: a `baseline:` log check must read the baseline's lines.
    const read = await edges.serviceLogsSince(env.project, service, clock.epochAtT0);
    const lines: LogLine[] = read.lines.map((line) => ({
      atMs: clock.fromEpoch(line.atEpochMs),
      line: line.text,
    }));
    observations.logs[service] = lines;
    const truncatedBeforeMs = read.truncated && lines.length ? (lines[0].atMs as ScenarioMs) : null;
    observations.logCoverage[service] = {
      fromMs: clock.fromEpoch(clock.epochAtT0),
      toMs: clock.now(),
      truncatedBeforeMs,
    };
    if (truncatedBeforeMs !== null)
      state.notes.push(
        `logs of ${service}: more lines than the reader keeps; lines before ${formatDuration(truncatedBeforeMs)} were dropped, so checks over that stretch are inconclusive`,
      );
  }
  // Every replica of the service, each with its own events: a restart of the second is not
  // hidden behind the first.
  for (const name of needs.containerServices) {
    const service = env.roles.service(name);
    const replicas = await edges.serviceReplicas(env.project, service);
    const before = state.restartCountsBefore.get(service) ?? new Map<string, number>();
    const revertStart = state.revertStarts.get(service) ?? state.revertStartMs;
    const facts: ReplicaFacts[] = replicas.map((replica) => {
      const own = events.filter((e) => e.service === service && e.containerId === replica.id);
      const oom = own.find((e) => e.action === 'oom');
      return {
        name: replica.name,
        restartsBefore: before.get(replica.name) ?? replica.restartCount,
        restartsAfter: replica.restartCount,
        oomKilled: oom !== undefined || replica.oomKilled,
        oomKilledAtMs: oom ? clock.fromEpoch(oom.atEpochMs) : null,
        health: replica.health ?? 'none',
        timeToHealthyMs: timeToHealthy(own, revertStart, clock, replica),
      };
    });
    for (const [gone, restarts] of before) {
      if (replicas.some((r) => r.name === gone)) continue;
      facts.push({
        ...{ name: gone, gone: true, restartsBefore: restarts, restartsAfter: restarts },
        ...{ oomKilled: false, oomKilledAtMs: null, health: 'none', timeToHealthyMs: null },
      });
    }
    observations.containers[service] = serviceFacts(facts);
  }
}

/** Engine events that mean the container was not serving: stopped, killed, or reported unhealthy. */
const OUTAGE_ACTIONS = new Set(['die', 'oom', 'kill', 'stop', 'pause', 'health_status: unhealthy']);

/**
 * How long the container took to be healthy again (running, without a healthcheck) after it
 * last went down or was reported unhealthy: from the revert when the revert is what brought
 * it back (a stopped container is started by the revert), else from that last outage (it came
 * back by itself, as after an OOM kill). 0 when it never went down and is healthy now; null
 * when it never came back, or is not serving at the end.
 */
export function timeToHealthy(
  events: ContainerEvent[],
  revertStartMs: ScenarioMs | null,
  clock: ScenarioClock,
  now: { health: string | null; status: string },
): number | null {
  const at = (e: ContainerEvent): ScenarioMs => clock.fromEpoch(e.atEpochMs);
  const servingNow = now.status === 'running' && (now.health === null || now.health === 'healthy');
  const downs = events.filter((e) => OUTAGE_ACTIONS.has(e.action)).map(at);
  if (downs.length === 0) return servingNow ? 0 : null;
  const lastDown = Math.max(...downs);
  const hasHealthcheck = now.health !== null || events.some((e) => e.action.startsWith('health_status'));
  const isBack = (e: ContainerEvent): boolean =>
    hasHealthcheck ? e.action === 'health_status: healthy' : e.action === 'start' || e.action === 'unpause';
  const back = events.find((e) => at(e) >= lastDown && isBack(e));
  if (!back || !servingNow) return null;
  const cameBackByItself = events.some(
    (e) => e.action === 'start' && at(e) > lastDown && (revertStartMs === null || at(e) < revertStartMs),
  );
  const from =
    revertStartMs !== null && revertStartMs > lastDown && !cameBackByItself ? revertStartMs : lastDown;
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
    // The lines of the window the check read (verdict/logs.ts): its phase, else since the fault.
    const window = threshold.phase === null ? null : observations.phases[threshold.phase];
    const fromMs = window ? window.startMs : (observations.faultStartMs ?? 0);
    const toMs = window ? window.endMs : Infinity;
    const lines = (observations.logs[service] ?? []).filter(
      (l) => l.atMs === null || (l.atMs >= fromMs && l.atMs < toMs),
    );
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
    const pattern = compileLogPattern(threshold.pattern, threshold.flags);
    return (line) => pattern.test(line);
  }
  if (threshold.kind === 'log_count' || threshold.kind === 'log_backoff') {
    const { text, pattern } = threshold as { text?: string | null; pattern?: string | null; flags?: string };
    if (pattern) {
      const regex = compileLogPattern(pattern, (threshold as { flags?: string }).flags ?? '');
      return (line) => regex.test(line);
    }
    return text ? (line) => line.includes(text) : null;
  }
  return null;
}
