// The real scenario runner over fake edges (src/scenario/edges.ts): a fake monotonic clock
// that starts far from process start and keeps running across scenarios, setup steps that
// take seconds, a fault that takes time to prove itself. Whatever the scenario's position in
// a run and however long its setup took, every time it records must be on its own clock:
// the fault window inside the fault phase, "since the fault" equal to event time minus
// injection time, and phases where the load schedule put them.
import { parseScenarioText } from '../../../src/config/load-scenarios';
import type { ActiveFault, FaultContext, Monitor } from '../../../src/faults';
import type {
  LoadPhaseStats,
  LoadResult,
  LoadRun,
  LoadSpec,
  LoadTimelinePoint,
  LoadWindowStats,
} from '../../../src/load';
import type { ContainerEvent, EventWatcher } from '../../../src/probes/containers';
import type { AlertSampler } from '../../../src/scenario/collectors';
import type { ScenarioEdges } from '../../../src/scenario/edges';
import type { PhaseName, ScenarioResult } from '../../../src/results';
import { runScenario, timeToHealthy } from '../../../src/scenario/runner';
import type { RoleResolver } from '../../../src/stack/roles';
import { scenarioClock, scenarioMs, type MonotonicMs, type ScenarioClock } from '../../../src/util/clock';

/** The fake world: one monotonic clock that only moves when the runner sleeps or a step takes time. */
class World {
  mono = 0;
  readonly epochOffset = 1_790_000_000_000;
  events: ContainerEvent[] = [];
  injectStartMono: number | null = null;
  revertDoneMono: number | null = null;
  /** How long each setup step takes (ms): the load starts only after all of them. */
  constructor(
    readonly setup: {
      steadyMs: number;
      watchMs: number;
      preconnectMs: number;
      proveMs: number;
      revertMs: number;
    },
    startMono: number,
  ) {
    this.mono = startMono;
  }
  epoch(mono = this.mono): number {
    return Math.round(this.epochOffset + mono);
  }
  advance(ms: number): void {
    this.mono += Math.max(0, ms);
  }
}

function stats(scheduled: number): LoadWindowStats {
  return {
    meanMs: 5,
    p50Ms: 4,
    p90Ms: 5,
    p95Ms: 6,
    p99Ms: 8,
    maxMs: 9,
    scheduled,
    timed: scheduled,
    completed: scheduled,
    targetRate: 10,
    achievedRate: 10,
    errorRate: 0,
    errors: {},
    late: 0,
    generatorLimited: false,
    lateFraction: 0,
    loopDelayP99Ms: null,
  };
}

/** A load run that sends 10 requests a second from its start, filed by the marks it is given. */
function fakeLoad(world: World, spec: LoadSpec): LoadRun {
  const t0 = world.mono;
  const warmupMs = Number(spec.warmup ?? 0);
  const marks: { phase: PhaseName; atMono: number }[] = [
    { phase: 'warmup', atMono: t0 },
    { phase: 'baseline', atMono: t0 + warmupMs },
  ];
  let stoppedAt: number | null = null;
  const end = (): number => stoppedAt ?? world.mono;
  const phaseAt = (mono: number): PhaseName =>
    [...marks].reverse().find((m) => m.atMono <= mono)?.phase ?? 'warmup';
  const timeline = (): LoadTimelinePoint[] => {
    const points: LoadTimelinePoint[] = [];
    for (let second = 0; t0 + second * 1000 < end(); second++) {
      const phase = phaseAt(t0 + second * 1000);
      points.push({
        ...{ second, phase, scheduled: 10, completed: 10, p95Ms: 6, errorRate: 0 },
        ...{ late: 0, dropped: 0, errors: {}, p50Ms: 4, p99Ms: 8, maxMs: 9, loopDelayP99Ms: null },
      });
    }
    return points;
  };

  const phases = (): LoadPhaseStats[] =>
    marks.map((m, i) => {
      const to = i + 1 < marks.length ? marks[i + 1].atMono : end();
      return {
        ...stats(Math.round((to - m.atMono) / 100)),
        phase: m.phase,
        startMs: m.atMono - t0,
        endMs: to - t0,
      };
    });
  const result = (): LoadResult => ({
    model: 'open',
    url: spec.url,
    total: stats(1),
    phases: phases(),
    timeline: timeline(),
    marks: marks.map((m) => ({ phase: m.phase, atMs: m.atMono - t0 })),
    generatorLimited: false,
    generatorNotes: [],
    peakOutstanding: 1,
    durationMs: end() - t0,
    workers: 1,
  });
  return {
    t0Ms: t0,
    loadStartMs: t0,
    done: Promise.resolve(),
    mark: (phase, atMs = world.mono) => void marks.push({ phase, atMono: atMs }),
    window: (from, to) => stats(Math.max(0, Math.round((Math.min(to, end()) - from) / 100))),
    timeline,
    phases: () => phases().map((p) => ({ ...p })),
    marks: () => result().marks,
    stop: async () => {
      stoppedAt ??= world.mono;
      return result();
    },
    result,
  };
}

/** A stop fault on `cache`: the container dies as injecting starts, starts during the revert, is healthy 1.1 s after it. */
function fakeFault(world: World): ActiveFault {
  world.injectStartMono = world.mono;
  world.events.push({
    service: 'cache',
    containerId: 'c1',
    action: 'die',
    exitCode: 0,
    atEpochMs: world.epoch() + 200,
  });
  world.advance(world.setup.proveMs);
  const injectedAt = world.mono as MonotonicMs;
  let reverted: Promise<void> | null = null;
  let revertedAt: MonotonicMs | null = null;
  return {
    id: 'f1',
    kind: 'stop',
    targets: ['cache/c1'],
    injectedAtMs: injectedAt,
    injectMs: world.setup.proveMs,
    ranItsCourse: new Promise<string>(() => undefined),
    evidence: () => ['cache state=exited'],
    revert: () =>
      (reverted ??= (async () => {
        world.advance(world.setup.revertMs);
        revertedAt = world.mono as MonotonicMs;
        world.revertDoneMono = world.mono;
        world.events.push(
          {
            service: 'cache',
            containerId: 'c1',
            action: 'start',
            exitCode: null,
            atEpochMs: world.epoch() - 100,
          },
          {
            service: 'cache',
            containerId: 'c1',
            action: 'health_status: healthy',
            exitCode: null,
            atEpochMs: world.epoch() + 1100,
          },
        );
      })()),
    report: (clock: ScenarioClock) => ({
      kind: 'stop',
      targets: ['cache/c1'],
      injectedAtMs: clock.fromMonotonic(injectedAt),
      revertedAtMs: revertedAt === null ? null : clock.fromMonotonic(revertedAt),
      evidence: ['cache state=exited'],
      injectMs: world.setup.proveMs,
      revertMs: world.setup.revertMs,
    }),
  };
}

/** The cache-miss alert goes from inactive to firing 7 s after injecting began, and stays firing. */
const ALERT_AFTER_MS = 7000;

function fakeEdges(world: World): ScenarioEdges {
  return {
    time: { monotonicMs: () => world.mono as MonotonicMs, epochMs: () => world.epoch() },
    sleep: async (ms) => world.advance(ms),
    serviceReplicas: async (_project, service) => [
      {
        id: 'c1',
        name: `${service}-1`,
        restartCount: 0,
        oomKilled: false,
        health: 'healthy',
        status: 'running',
      },
    ],
    serviceLogsSince: async (_project, _service, since) => ({
      lines: [
        { atEpochMs: since + 2000, text: 'INFO request ok' },
        ...(world.injectStartMono === null
          ? []
          : [
              {
                atEpochMs: world.epoch(world.injectStartMono) + 3000,
                text: 'WARN Cache miss (using default)',
              },
            ]),
      ],
      truncated: false,
    }),
    watchEvents: async (): Promise<EventWatcher> => {
      world.advance(world.setup.watchMs);
      return { events: () => [...world.events], broken: () => null, stop: () => undefined };
    },
    checkSteadyState: async () => {
      world.advance(world.setup.steadyMs);
      return { ok: true, problems: [] };
    },
    startLoad: async (spec) => {
      world.advance(world.setup.preconnectMs);
      return fakeLoad(world, spec);
    },
    injectFault: async () => fakeFault(world),
    installMonitor: async () => ({}) as Monitor,
    sampleAlerts: (_url, options): AlertSampler => {
      const startedAt = options.now();
      return {
        stop: async () => undefined,
        alerts: () => {
          if (world.injectStartMono === null) return [];
          const nowMs = options.now();
          const firesAt = nowMs - (world.mono - world.injectStartMono) + ALERT_AFTER_MS;
          return [
            {
              name: 'HighCacheMissRate',
              severity: 'warning',
              state: 'firing',
              firing: [{ fromMs: scenarioMs(firesAt), toMs: null }],
              labels: {},
            },
          ];
        },
        coverage: () => ({ fromMs: startedAt, toMs: options.now(), blind: [], problems: [] }),
      };
    },
    samplePromql: () => ({ stop: async () => undefined, samples: () => ({}), coverage: () => ({}) }),
  };
}

const SCENARIO = `
name: cache-down
title: Cache down
hypothesis: The API degrades to defaults while the cache is stopped.
target: { role: cache }
fault: { type: stop, duration: 12s }
load:
  request: { method: GET, path: /item/1 }
  rate: 10/s
phases: { warmup: 3s, baseline: 6s, recovery: 20s, after: 4s }
steady-state:
  - http: { path: /health, status: 200 }
thresholds:
  - fault: error_rate < 1%
  - alert HighCacheMissRate fires within 10s
  - container cache healthy within 5s
  - log api contains "Cache miss"
`;

const roles: RoleResolver = {
  service: (name) => ({ api: 'api', cache: 'cache' })[name] ?? name,
  optional: () => null,
  services: ['api', 'cache', 'prometheus'],
  roles: { api: 'api', cache: 'cache', metrics: 'prometheus' },
};

async function runAt(world: World, text = SCENARIO): Promise<ScenarioResult> {
  world.events = [];
  world.injectStartMono = null;
  const scenario = parseScenarioText(text, 'cache-down.yml');
  return runScenario(scenario, {
    project: 'fake',
    roles,
    targetUrl: 'http://127.0.0.1:1',
    prometheusUrl: 'http://127.0.0.1:2',
    faults: {} as FaultContext,
    baseline: null,
    log: () => undefined,
    edges: fakeEdges(world),
  });
}

/** A small deterministic PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('the runner keeps one clock', () => {
  it('for every scenario of a long run, whatever its setup took', async () => {
    const random = prng(20261129);
    const setup = { steadyMs: 0, watchMs: 0, preconnectMs: 0, proveMs: 0, revertMs: 0 };
    // Process start is 0; the first scenario starts 40 min in, later ones follow one another.
    const world = new World(setup, 2_400_000);
    for (let position = 0; position < 12; position++) {
      Object.assign(setup, {
        steadyMs: Math.round(random() * 6000),
        watchMs: Math.round(random() * 2000),
        preconnectMs: Math.round(random() * 3000),
        proveMs: 200 + Math.round(random() * 2500),
        revertMs: 100 + Math.round(random() * 1500),
      });
      const scenarioStartMono = world.mono;
      const result = await runAt(world);
      const label = { position, setup: { ...setup } };
      expect({ ...label, outcome: result.outcome, reason: result.reason }).toEqual({
        ...label,
        outcome: 'pass',
        reason: '',
      });

      const byName = Object.fromEntries(result.phases.map((p) => [p.phase, p]));
      // Phases follow the load: t0 is when it started sending, however long the setup took.
      expect(byName.warmup.startMs).toBe(0);
      expect(byName.baseline.startMs).toBe(3000);
      expect(byName.baseline.endMs - byName.baseline.startMs).toBe(6000);
      const t0Mono = scenarioStartMono + setup.steadyMs + setup.watchMs + setup.preconnectMs;
      expect(byName.fault.startMs).toBe((world.injectStartMono as number) - t0Mono);

      // The fault window lies on the fault phase, in whole seconds.
      expect(result.faultWindow).toEqual({
        startSecond: Math.floor(byName.fault.startMs / 1000),
        endSecond: Math.ceil(byName.fault.endMs / 1000),
      });
      expect(byName.fault.endMs).toBe((world.revertDoneMono as number) - t0Mono);
      // The fault's own report is on the same axis.
      expect(result.fault?.injectedAtMs).toBe(byName.fault.startMs + setup.proveMs);
      expect(result.fault?.revertedAtMs).toBe(byName.fault.endMs);

      // "Since the fault" is event time minus injection time, exactly.
      const alert = result.thresholds.find((t) => t.metric === 'alert HighCacheMissRate');
      expect(alert).toMatchObject({ passed: true, value: ALERT_AFTER_MS, actual: 'fired after 7s' });
      const healthy = result.thresholds.find((t) => t.metric === 'container cache');
      // From the revert's start: the revert itself (revertMs) is part of the way back.
      expect(healthy).toMatchObject({ passed: true, value: setup.revertMs + 1100 });
      // Logs are read from t0 and stamped on the same clock.
      expect(result.logMatches[0]?.atMs).toBe(byName.fault.startMs + 3000);
    }
  });

  it('judges an alert that fires too late as violated in any position', async () => {
    const world = new World(
      { steadyMs: 4000, watchMs: 500, preconnectMs: 1000, proveMs: 800, revertMs: 300 },
      0,
    );
    for (let position = 0; position < 3; position++) {
      const result = await runAt(world);
      const late = await runAt(world, SCENARIO.replace('fires within 10s', 'fires within 5s'));
      expect(result.outcome).toBe('pass');
      expect(late.outcome).toBe('fail');
      expect(late.thresholds.find((t) => t.metric === 'alert HighCacheMissRate')).toMatchObject({
        passed: false,
        value: ALERT_AFTER_MS,
      });
    }
  });
});

describe('time to healthy', () => {
  const clock = scenarioClock(1000 as MonotonicMs, {
    monotonicMs: () => 1000 as MonotonicMs,
    epochMs: () => 5000,
  });
  const event = (action: string, atMs: number): ContainerEvent => ({
    service: 'api',
    containerId: 'c',
    action,
    exitCode: null,
    atEpochMs: 5000 + atMs,
  });

  it('counts an unhealthy report as an outage: unhealthy all along is never healthy', () => {
    const events = [event('health_status: unhealthy', 2000), event('health_status: unhealthy', 9000)];
    expect(
      timeToHealthy(events, scenarioMs(8000), clock, { health: 'unhealthy', status: 'running' }),
    ).toBeNull();
  });

  it('is not 0 for a container that is unhealthy at the end though no event said so', () => {
    expect(timeToHealthy([], scenarioMs(8000), clock, { health: 'unhealthy', status: 'running' })).toBeNull();
    expect(timeToHealthy([], scenarioMs(8000), clock, { health: 'healthy', status: 'running' })).toBe(0);
  });

  it('measures from the outage when the container came back by itself before the revert', () => {
    const events = [
      event('oom', 4000),
      event('die', 4000),
      event('start', 4500),
      event('health_status: healthy', 7000),
    ];
    expect(timeToHealthy(events, scenarioMs(10_000), clock, { health: 'healthy', status: 'running' })).toBe(
      3000,
    );
  });
});
