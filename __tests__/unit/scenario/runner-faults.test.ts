// Several faults in one scenario, through the real runner over fake edges: each fault goes in
// at its `at` and comes out at its end, ties latest-injected first; whatever stops the run
// (an interruption, a fault that does not take hold) reverts everything in, in reverse order.
// recovery_time counts from the last revert, mttr from the first injection.
import { parseScenarioText } from '../../../src/config/load-scenarios';
import type { ActiveFault, FaultContext, Monitor } from '../../../src/faults';
import type { LoadRun, LoadSpec, LoadWindowStats } from '../../../src/load';
import type { ScenarioEdges } from '../../../src/scenario/edges';
import type { FaultSpec } from '../../../src/faults/spec';
import type { PhaseName } from '../../../src/results';
import { runScenario } from '../../../src/scenario/runner';
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import type { RoleResolver } from '../../../src/stack/roles';
import type { MonotonicMs, ScenarioClock } from '../../../src/util/clock';

const stats = (scheduled: number): LoadWindowStats => ({
  ...{ meanMs: 5, p50Ms: 4, p90Ms: 5, p95Ms: 6, p99Ms: 8, maxMs: 9, scheduled, timed: scheduled },
  ...{ completed: scheduled, targetRate: 10, achievedRate: 10, errorRate: 0, errors: {}, late: 0 },
  ...{ generatorLimited: false, lateFraction: 0, loopDelayP99Ms: null },
});

interface World {
  mono: number;
  log: string[];
  /** Scenario ms (from t0) at which steady state holds again after the last revert. */
  steadyAgainAt: number;
  failInjectOf: string | null;
  interruptAtMono: number | null;
  controller: AbortController;
}

function fakeLoad(world: World, spec: LoadSpec): LoadRun {
  const t0 = world.mono;
  const marks: { phase: PhaseName; atMs: number }[] = [{ phase: 'warmup', atMs: 0 }];
  const result = () => ({
    model: 'open' as const,
    url: spec.url,
    total: stats(1),
    phases: [],
    timeline: [],
    marks,
    generatorLimited: false,
    generatorNotes: [],
    peakOutstanding: 1,
    durationMs: world.mono - t0,
    workers: 1,
  });
  return {
    t0Ms: t0,
    loadStartMs: t0,
    done: Promise.resolve(),
    mark: (phase: PhaseName, atMs: number = world.mono) => void marks.push({ phase, atMs: atMs - t0 }),
    window: () => stats(10),
    timeline: () => [],
    phases: () => [],
    marks: () => marks,
    stop: async () => result(),
    result,
  } as unknown as LoadRun;
}

function fakeFault(world: World, service: string, spec: FaultSpec): ActiveFault {
  const t0 = world.log.length;
  void t0;
  if (world.failInjectOf === service) {
    world.log.push(`inject ${service} failed`);
    throw new Error(`${service}: the fault did not take hold`);
  }
  world.mono += 300; // acting and proving take a moment
  const injectedAt = world.mono as MonotonicMs;
  world.log.push(`inject ${service} @${world.mono}`);
  let revertedAt: MonotonicMs | null = null;
  let reverting: Promise<void> | null = null;
  return {
    id: service,
    kind: spec.type,
    targets: [service],
    injectedAtMs: injectedAt,
    injectMs: 300,
    ranItsCourse: new Promise<string>(() => undefined),
    evidence: () => [`${service} state=exited`],
    revert: () =>
      (reverting ??= (async () => {
        world.mono += 200;
        revertedAt = world.mono as MonotonicMs;
        world.log.push(`revert ${service} @${world.mono}`);
      })()),
    report: (clock: ScenarioClock) => ({
      kind: spec.type,
      targets: [service],
      injectedAtMs: clock.fromMonotonic(injectedAt),
      revertedAtMs: revertedAt === null ? null : clock.fromMonotonic(revertedAt),
      evidence: [`${service} state=exited`],
      injectMs: 300,
      revertMs: 200,
    }),
  };
}

function fakeEdges(world: World): ScenarioEdges {
  let t0: number | null = null;
  return {
    time: { monotonicMs: () => world.mono as MonotonicMs, epochMs: () => 1_790_000_000_000 + world.mono },
    sleep: async (ms) => {
      const until = world.mono + Math.max(0, ms);
      if (
        world.interruptAtMono !== null &&
        world.mono < world.interruptAtMono &&
        until >= world.interruptAtMono
      ) {
        world.mono = world.interruptAtMono;
        world.controller.abort();
        return;
      }
      world.mono = until;
    },
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
    serviceLogsSince: async () => ({ lines: [], truncated: false }),
    watchEvents: async () => ({ events: () => [], broken: () => null, stop: () => undefined }),
    checkSteadyState: async () => ({
      ok:
        t0 === null ||
        world.mono - t0 >= world.steadyAgainAt ||
        !world.log.some((l) => l.startsWith('revert')),
      problems: ['/health answered 503'],
    }),
    startLoad: async (spec) => {
      t0 = world.mono;
      return fakeLoad(world, spec);
    },
    injectFault: async (_ctx, target, spec) => fakeFault(world, target.service, spec),
    installMonitor: async () => ({}) as Monitor,
    sampleAlerts: () => ({
      stop: async () => undefined,
      alerts: () => [],
      coverage: () => ({ fromMs: 0, toMs: 0, blind: [], problems: [] }) as never,
    }),
    samplePromql: () => ({ stop: async () => undefined, samples: () => ({}), coverage: () => ({}) }),
  };
}

const GAME_DAY = `
name: two-down
title: Cache and metrics down
hypothesis: The API answers while both are down.
faults:
  - { target: { role: metrics }, at: 2s, type: stop, duration: 6s }
  - { target: { role: cache }, at: 0s, type: stop, duration: 10s }
  - { target: { service: spare }, at: 0s, type: pause, duration: 10s }
load:
  request: { path: /item/1 }
  rate: 10/s
phases: { warmup: 1s, baseline: 2s, recovery: 20s, after: 1s }
steady-state:
  - http: { path: /health }
thresholds:
  - recovery_time < 5s
  - mttr < 14s
`;

const roles: RoleResolver = {
  service: (name) => ({ api: 'api', cache: 'redis', metrics: 'prometheus' })[name] ?? name,
  optional: () => null,
  services: ['api', 'redis', 'prometheus', 'spare'],
  roles: { api: 'api', cache: 'redis', metrics: 'prometheus' },
};

async function run(world: World, text = GAME_DAY) {
  return runScenario(parseScenarioText(text, 'two-down.yml'), {
    project: 'fake',
    roles,
    targetUrl: 'http://127.0.0.1:1',
    prometheusUrl: null,
    faults: {} as FaultContext,
    baseline: null,
    log: () => undefined,
    signal: world.controller.signal,
    edges: fakeEdges(world),
  });
}

const newWorld = (over: Partial<World> = {}): World => ({
  mono: 50_000,
  log: [],
  steadyAgainAt: 0,
  failInjectOf: null,
  interruptAtMono: null,
  controller: new AbortController(),
  ...over,
});

describe('a scenario with several faults', () => {
  it('injects each at its offset and reverts each at its end, ties latest-injected first', async () => {
    // t0 = 50 000; the fault phase starts at 3 s (53 000).
    const world = newWorld({ steadyAgainAt: 15_000 });
    const result = await run(world);
    expect(world.log).toEqual([
      'inject redis @53300',
      'inject spare @53600',
      'inject prometheus @55300', // injecting starts at 2 s of the phase (55 000) and takes 300 ms
      'revert prometheus @61200', // its end, 2 s + 6 s (61 000), + 200 ms to revert
      'revert spare @63200', // the phase ends at 10 s (63 000): latest injected first
      'revert redis @63400',
    ]);
    expect(result.faults?.map((f) => [f.kind, f.targets[0], f.injectedAtMs, f.revertedAtMs])).toEqual([
      ['stop', 'redis', 3300, 13400],
      ['pause', 'spare', 3600, 13200],
      ['stop', 'prometheus', 5300, 11200],
    ]);
    expect(result.fault).toEqual(result.faults?.[0]);
    // The fault phase: from the first injection to the last revert.
    expect(result.faultWindow).toEqual({ startSecond: 3, endSecond: 14 });
    // Steady state holds again 15 s after t0, checked every 250 ms from 1 s after the last revert.
    expect(result.recoveryTimeMs).toBeGreaterThanOrEqual(15_000 - 13_400);
    expect(result.recoveryTimeMs).toBeLessThan(15_000 - 13_400 + 300);
    expect(result.mttrMs).toBe(13_400 + (result.recoveryTimeMs as number) - 3000);
    const mttr = result.thresholds.find((t) => t.source === 'mttr < 14s');
    expect(mttr).toMatchObject({ passed: true, value: result.mttrMs, metric: 'mttr' });
  });

  it('fails an mttr limit the outage alone already exceeds', async () => {
    const world = newWorld({ steadyAgainAt: 15_000 });
    const result = await run(world, GAME_DAY.replace('mttr < 14s', 'mttr < 10s'));
    expect(result.thresholds.find((t) => t.metric === 'mttr')).toMatchObject({ passed: false });
    expect(result.thresholds.find((t) => t.metric === 'recovery_time')).toMatchObject({ passed: true });
    expect(result.outcome).toBe('fail');
  });

  it('an interruption while two faults are in reverts both, latest first, and never injects the rest', async () => {
    const world = newWorld({ interruptAtMono: 54_500 });
    const result = await run(world);
    expect(world.log).toEqual([
      'inject redis @53300',
      'inject spare @53600',
      'revert spare @54700',
      'revert redis @54900',
    ]);
    expect(result.outcome).toBe('error');
    expect(result.faults).toHaveLength(2);
  });

  it('a fault that does not take hold stops the scenario and reverts the ones already in', async () => {
    const world = newWorld({ failInjectOf: 'prometheus' });
    const result = await run(world);
    expect(world.log).toEqual([
      'inject redis @53300',
      'inject spare @53600',
      'inject prometheus failed',
      'revert spare @55200',
      'revert redis @55400',
    ]);
    expect(result.outcome).not.toBe('pass');
    expect(result.reason).toMatch(/prometheus: the fault did not take hold|fault/);
  });

  it('without a fault (type: none) holds the fault phase as the measured window', async () => {
    const world = newWorld();
    const result = await run(
      world,
      GAME_DAY.replace(
        /faults:\n(?: {2}- .*\n)+/,
        'target: { role: api }\nfault: { type: none }\nphases: { fault: 5s }\n',
      )
        .replace('phases: { warmup: 1s, baseline: 2s, recovery: 20s, after: 1s }', '')
        .replace('  - mttr < 14s\n', '')
        .replace('  - recovery_time < 5s\n', '  - fault: error_rate < 1%\n'),
    );
    expect(world.log).toEqual([]);
    expect(result.faults).toEqual([]);
    const fault = result.phases.find((p) => p.phase === 'fault');
    expect(result.mttrMs).toBeNull();
    expect(result.faultWindow).toBeNull();
    void fault;
    // t0 = 50 000: warm-up 5 s and baseline 10 s (the defaults), then the 5 s fault phase, then after (10 s).
    expect(world.mono - 50_000).toBeGreaterThanOrEqual(5_000 + 10_000 + 5_000 + 10_000);
  });

  it('refuses a phase prefix or "for" on mttr', () => {
    expect(() =>
      parseThreshold('fault: mttr < 10m', { file: 'x.yml', line: 3, field: 'thresholds[0]' }),
    ).toThrow(/mttr spans the fault and recovery phases/);
    expect(() =>
      parseThreshold('mttr < 10m for 5s', { file: 'x.yml', line: 3, field: 'thresholds[0]' }),
    ).toThrow(/"for" does not apply to mttr/);
  });
});
