// The real scenario runner and the real load timeline (src/load/timeline.ts) over a simulated
// clock and a simulated service: every request is planned on schedule (open model) or by users
// who wait for their answer (closed model), filed by its planned send time, and answered as the
// service says at that moment — after some latency, with an error, or never (it times out).
// Nothing sleeps: time moves only when the runner sleeps or a step takes time, so a test can
// play a minute of a scenario in milliseconds and assert what holds every time.
import { parseScenarioText } from '../../src/config/load-scenarios';
import type { ActiveFault, FaultContext, Monitor } from '../../src/faults';
import type { ErrorKind, LoadResult, LoadRun, LoadSpec } from '../../src/load';
import { buildResult } from '../../src/load/generator';
import { Timeline, type RequestSlot } from '../../src/load/timeline';
import type { ScenarioResult } from '../../src/results';
import type { AlertSampler, PromqlSampler } from '../../src/scenario/collectors';
import type { ScenarioEdges, ServiceState } from '../../src/scenario/edges';
import { runScenario } from '../../src/scenario/runner';
import type { RoleResolver } from '../../src/stack/roles';
import type { MonotonicMs, ScenarioClock } from '../../src/util/clock';

/** What a request sent at a moment gets: an answer after `latencyMs` (with an error kind, or none), or no answer at all. */
export type Answer = { latencyMs: number; error?: ErrorKind } | 'hang';

/** The simulated system: how it answers, and whether its health check passes, at a moment (scenario ms). */
export interface SimulatedService {
  answer(atMs: number, world: SimWorld): Answer;
  healthy?(atMs: number, world: SimWorld): boolean;
}

export class SimWorld {
  mono = 5_000_000;
  readonly epochOffset = 1_790_000_000_000;
  /** t0 of the scenario on the monotonic clock, once the load started. */
  t0: number | null = null;
  /** Scenario ms at which injecting began and the revert finished; null before. */
  injectedAtMs: number | null = null;
  revertedAtMs: number | null = null;
  load: SimulatedLoad | null = null;
  now(): number {
    return this.t0 === null ? 0 : this.mono - this.t0;
  }
  advance(ms: number): void {
    const to = this.mono + Math.max(0, ms);
    this.load?.runUntil(to);
    this.mono = to;
  }
}

interface Event {
  atMono: number;
  seq: number;
  /** A planned send (dropped when the load stops) or an answer (always played). */
  kind: 'send' | 'answer';
  run: () => void;
}

/** A load run whose requests are planned, sent and answered on the simulated clock, into a real Timeline. */
export class SimulatedLoad {
  readonly timeline: Timeline;
  private readonly events: Event[] = [];
  private seq = 0;
  private sending = true;
  private readonly timeoutMs: number;

  constructor(
    private readonly world: SimWorld,
    private readonly service: SimulatedService,
    spec: LoadSpec,
    readonly t0: number,
  ) {
    this.timeoutMs = Number(spec.timeout ?? 10_000);
    const warmupMs = Number(spec.warmup ?? 0);
    const rates = (spec.stages ?? []).map((s) => Number(s.rate));
    this.timeline = new Timeline({
      originMs: t0,
      loadStartMs: t0,
      warmupEndMs: t0 + warmupMs,
      initialPhase: 'baseline',
      lateToleranceMs: 10,
      targetRate: () => (rates.length ? rates[0] : null),
    });
    if (spec.stages) {
      // Open model at the first stage's rate (the scenarios here are constant-rate).
      const gap = 1000 / rates[0];
      let planned = t0;
      const plan = (): void => {
        if (!this.sending) return;
        this.send(planned);
        planned += gap;
        this.at(planned, plan);
      };
      this.at(planned, plan);
    } else {
      const users = spec.userStages?.[0]?.users ?? 1;
      const thinkMs = Number(spec.think ?? 0);
      for (let user = 0; user < users; user++) {
        const loop = (at: number): void => {
          if (!this.sending) return;
          this.send(at, (doneAt) => this.at(doneAt + thinkMs, () => loop(doneAt + thinkMs)));
        };
        // Users start a little apart, as a ramp-in would spread them.
        const start = t0 + (user * 1000) / users;
        this.at(start, () => loop(start));
      }
    }
  }

  private at(atMono: number, run: () => void, kind: Event['kind'] = 'send'): void {
    this.events.push({ atMono, seq: this.seq++, kind, run });
  }

  private send(plannedMono: number, then?: (doneAtMono: number) => void): void {
    const slot: RequestSlot = this.timeline.schedule(plannedMono, plannedMono);
    const answer = this.service.answer(plannedMono - this.t0, this.world);
    const latency = answer === 'hang' ? this.timeoutMs : Math.min(answer.latencyMs, this.timeoutMs);
    const error: ErrorKind | null =
      answer === 'hang' || answer.latencyMs >= this.timeoutMs ? 'timeout' : (answer.error ?? null);
    this.at(
      plannedMono + latency,
      () => {
        this.timeline.complete(slot, latency, error);
        then?.(plannedMono + latency);
      },
      'answer',
    );
  }

  /** Plays every send and answer due by `toMono`, in time order. */
  runUntil(toMono: number): void {
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.events.length; i++) {
        const e = this.events[i];
        if (e.atMono > toMono) continue;
        if (
          next < 0 ||
          e.atMono < this.events[next].atMono ||
          (e.atMono === this.events[next].atMono && e.seq < this.events[next].seq)
        )
          next = i;
      }
      if (next < 0) return;
      const [event] = this.events.splice(next, 1);
      event.run();
    }
  }

  /** Stops sending; returns when the last request in flight is answered (or times out). */
  stopSending(atMono: number): number {
    this.sending = false;
    const answers = this.events.filter((e) => e.kind === 'answer');
    this.events.splice(0, this.events.length, ...answers);
    return Math.max(atMono, ...answers.map((e) => e.atMono));
  }
}

function asLoadRun(world: SimWorld, sim: SimulatedLoad, spec: LoadSpec): LoadRun {
  let sendingEnded: number | null = null;
  const result = (): LoadResult => {
    const now = sendingEnded ?? world.mono;
    return buildResult({
      model: spec.stages ? 'open' : 'closed',
      url: spec.url,
      total: sim.timeline.totals(now),
      phases: sim.timeline.phases(now),
      timeline: sim.timeline.points(),
      marks: sim.timeline.marks(),
      peakOutstanding: 0,
      durationMs: now - sim.t0,
      workers: 1,
      lateToleranceMs: 10,
    });
  };
  return {
    t0Ms: sim.t0,
    loadStartMs: sim.t0,
    done: Promise.resolve(),
    mark: (phase, atMs = world.mono) => sim.timeline.mark(phase, atMs),
    window: (from, to) => sim.timeline.window(from, to),
    timeline: () => sim.timeline.points(),
    phases: () => sim.timeline.phases(world.mono),
    marks: () => sim.timeline.marks(),
    latencyBins: () => sim.timeline.latencyBins(),
    secondBins: () => sim.timeline.secondBins(),
    stop: async () => {
      if (sendingEnded === null) {
        sendingEnded = world.mono;
        const lastAnswer = sim.stopSending(world.mono);
        world.advance(lastAnswer - world.mono);
        sim.timeline.finish(sendingEnded);
      }
      return result();
    },
    result,
  };
}

function simulatedFault(world: SimWorld): ActiveFault {
  world.injectedAtMs = world.now();
  const injectedAt = world.mono as MonotonicMs;
  let revertedAt: MonotonicMs | null = null;
  return {
    id: 'f1',
    kind: 'stop',
    targets: ['cache/c1'],
    injectedAtMs: injectedAt,
    injectMs: 0,
    ranItsCourse: new Promise<string>(() => undefined),
    evidence: () => ['cache state=exited'],
    revert: async () => {
      if (revertedAt !== null) return;
      revertedAt = world.mono as MonotonicMs;
      world.revertedAtMs = world.now();
    },
    report: (clock: ScenarioClock) => ({
      kind: 'stop',
      targets: ['cache/c1'],
      injectedAtMs: clock.fromMonotonic(injectedAt),
      revertedAtMs: revertedAt === null ? null : clock.fromMonotonic(revertedAt),
      evidence: ['cache state=exited'],
      injectMs: 0,
      revertMs: 0,
    }),
  };
}

const RUNNING: ServiceState = { restartCount: 0, oomKilled: false, health: 'healthy', status: 'running' };

export function simulatedEdges(world: SimWorld, service: SimulatedService): ScenarioEdges {
  const noAlerts: AlertSampler = {
    stop: async () => undefined,
    alerts: () => [],
    coverage: () => null,
  };
  const noPromql: PromqlSampler = { stop: async () => undefined, samples: () => ({}), coverage: () => ({}) };
  return {
    time: { monotonicMs: () => world.mono as MonotonicMs, epochMs: () => world.epochOffset + world.mono },
    sleep: async (ms) => world.advance(ms),
    serviceReplicas: async (_project, service) => [{ ...RUNNING, id: `${service}-id`, name: `${service}-1` }],
    serviceLogsSince: async () => ({ lines: [], truncated: false }),
    watchEvents: async () => ({ events: () => [], broken: () => null, stop: () => undefined }),
    checkSteadyState: async () => {
      const ok = service.healthy?.(world.now(), world) ?? true;
      return { ok, problems: ok ? [] : ['http /healthz == 200: unhealthy'] };
    },
    startLoad: async (spec) => {
      const sim = new SimulatedLoad(world, service, spec, world.mono);
      world.t0 = world.mono;
      world.load = sim;
      return asLoadRun(world, sim, spec);
    },
    injectFault: async () => simulatedFault(world),
    installMonitor: async () => ({}) as Monitor,
    sampleAlerts: () => noAlerts,
    samplePromql: () => noPromql,
  };
}

const roles: RoleResolver = {
  service: (name) => name,
  optional: () => null,
  services: ['api', 'cache'],
  roles: { api: 'api', cache: 'cache' },
};

/** Runs a scenario (YAML text) through the real runner against the simulated service. */
export async function runSimulated(
  scenarioText: string,
  service: SimulatedService,
  world = new SimWorld(),
  /** Edges to replace (the engine's view of containers, events, logs). */
  overrides: Partial<ScenarioEdges> = {},
): Promise<{ result: ScenarioResult; world: SimWorld }> {
  const scenario = parseScenarioText(scenarioText, 'simulated.yml');
  const result = await runScenario(scenario, {
    project: 'simulated',
    roles,
    targetUrl: 'http://127.0.0.1:1',
    prometheusUrl: null,
    faults: {} as FaultContext,
    baseline: null,
    log: () => undefined,
    edges: { ...simulatedEdges(world, service), ...overrides },
  });
  return { result, world };
}
