// Container facts cover every replica of a service, and a result names the replica: a restart
// of the second container is not hidden behind the first (which is all inspect was asked about).
import { runSimulated, SimWorld } from '../../helpers/simulated-run';
import type { ContainerEvent } from '../../../src/probes/containers';
import type { ReplicaState } from '../../../src/scenario/edges';
import { emptyObservations, type ReplicaFacts } from '../../../src/scenario/observations';
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import { evaluateThresholds } from '../../../src/scenario/verdict';
import { serviceFacts } from '../../../src/scenario/verdict/containers';
import { scenarioMs as ms } from '../../../src/util/clock';

const where = { file: 's.yml', line: 5 };
const replica = (name: string, over: Partial<ReplicaFacts> = {}): ReplicaFacts => ({
  ...{ name, restartsBefore: 0, restartsAfter: 0, oomKilled: false, oomKilledAtMs: null },
  ...{ health: 'healthy', timeToHealthyMs: 800 },
  ...over,
});

function judge(text: string, replicas: ReplicaFacts[]) {
  const obs = emptyObservations();
  obs.services = { api: 'api' };
  obs.endMs = ms(60_000);
  obs.faultStartMs = ms(10_000);
  obs.eventCoverage = { fromMs: ms(0), toMs: ms(60_000), blind: [], problems: [] };
  obs.containers = { api: serviceFacts(replicas) };
  return evaluateThresholds([parseThreshold(text, where)], obs)[0];
}

describe('container checks over every replica', () => {
  const two = (second: Partial<ReplicaFacts>) => [replica('shop-api-1'), replica('shop-api-2', second)];

  it('a restart of the second replica breaks `restarts == 0`, and the result names it', () => {
    expect(judge('container api restarts == 0', two({ restartsAfter: 1 }))).toMatchObject({
      passed: false,
      actual: '1 restart (shop-api-2)',
    });
    expect(judge('container api restarts == 0', two({}))).toMatchObject({
      passed: true,
      actual: '0, 0 restarts (2 replicas)',
    });
  });

  it('every replica must hold: OOM kills, and the way back to healthy', () => {
    const killed = two({ oomKilled: true, oomKilledAtMs: ms(30_000) });
    expect(judge('container api not oom_killed', killed)).toMatchObject({
      passed: false,
      actual: 'OOM-killed (shop-api-2)',
    });
    expect(judge('container api oom_killed', killed)).toMatchObject({
      passed: false,
      actual: 'not OOM-killed (shop-api-1)',
    });
    expect(judge('container api healthy within 5s', two({ timeToHealthyMs: 9000 }))).toMatchObject({
      passed: false,
      actual: 'healthy after 9s (shop-api-2)',
    });
    expect(judge('container api healthy within 5s', two({ timeToHealthyMs: null }))).toMatchObject({
      passed: false,
      actual: 'never healthy again (shop-api-2)',
    });
  });

  it('a replica that was gone at the end is never healthy again; its other facts are unknown', () => {
    const gone = two({ gone: true, timeToHealthyMs: null });
    expect(judge('container api healthy within 60s', gone)).toMatchObject({
      passed: false,
      actual: 'gone, never healthy again (shop-api-2)',
    });
    const restarts = judge('container api restarts == 0', gone);
    expect(restarts.passed).toBeNull();
    expect(restarts.detail).toBe('replica shop-api-2 was not found at the end: its restarts are unknown');
  });
});

describe('the runner inspects every replica', () => {
  it('reads each replica before and after, with its own events', async () => {
    const world = new SimWorld();
    const restarted = { 'shop-api-1': 0, 'shop-api-2': 0 };
    const replicas = async (): Promise<ReplicaState[]> =>
      Object.entries(restarted).map(([name, restartCount]) => ({
        ...{ id: `${name}-id`, name, restartCount },
        ...{ oomKilled: false, health: 'healthy', status: 'running' },
      }));
    const events: ContainerEvent[] = [];
    const { result } = await runSimulated(
      `
name: api-kill
title: Kill one api
hypothesis: The api keeps answering.
target: { role: api }
fault: { type: stop, duration: 4s }
load:
  request: { method: GET, path: / }
  rate: 10/s
phases: { warmup: 1s, baseline: 3s, recovery: 10s, after: 2s }
thresholds:
  - container api restarts == 0
  - container api healthy within 5s
`,
      { answer: () => ({ latencyMs: 5 }) },
      world,
      {
        serviceReplicas: async () => {
          // The second replica restarted by its restart policy while the scenario ran.
          if (world.revertedAtMs !== null) restarted['shop-api-2'] = 1;
          return replicas();
        },
        watchEvents: async () => ({ events: () => events, broken: () => null, stop: () => undefined }),
      },
    );
    expect(result.thresholds.map((t) => [t.source, t.passed, t.actual])).toEqual([
      ['container api restarts == 0', false, '1 restart (shop-api-2)'],
      ['container api healthy within 5s', true, 'healthy after 0s (shop-api-1)'],
    ]);
  });
});
