// The real runner and load generator against a loopback HTTP server, on a stack whose roles
// include no tracing store: a scenario's trace checks are skipped with a note that says how to
// add one, and the scenario is judged on its other checks. Nothing here touches Docker: the
// engine-facing edges (container state, events) are stubbed, the load is real.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseScenarioText } from '../../../src/config/load-scenarios';
import type { FaultContext } from '../../../src/faults';
import { dockerEdges, type ScenarioEdges } from '../../../src/scenario/edges';
import { runScenario } from '../../../src/scenario/runner';
import type { RoleResolver } from '../../../src/stack/roles';

const SCENARIO = `
name: traced-load
title: Load with a trace check
hypothesis: The api answers, and its spans say so.
target: { role: api }
fault: { type: none }
load:
  request: { method: GET, path: /ok }
  rate: 20/s
phases: { warmup: 300ms, baseline: 1s, fault: 300ms, recovery: 0s, after: 300ms }
thresholds:
  - baseline: error_rate < 1%
  - baseline: trace api span handle count > 1
`;

const noTracing: RoleResolver = {
  service: (name) => name,
  optional: (name) => (name === 'api' ? 'api' : null),
  services: ['api'],
  roles: { api: 'api' },
};

describe('trace checks on a stack without a tracing role', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('are skipped with a note, and the scenario is judged on the rest', async () => {
    const edges: ScenarioEdges = {
      ...dockerEdges,
      serviceReplicas: async () => [
        { id: 'c1', name: 'api-1', restartCount: 0, oomKilled: false, health: null, status: 'running' },
      ],
      watchEvents: async () => ({ events: () => [], broken: () => null, stop: () => undefined }),
    };
    const result = await runScenario(parseScenarioText(SCENARIO, 'traced-load.yml'), {
      project: 'no-docker',
      roles: noTracing,
      targetUrl: url,
      prometheusUrl: null,
      faults: {} as FaultContext,
      baseline: null,
      log: () => undefined,
      edges,
    });
    const trace = result.thresholds.find((t) => t.source.includes('trace api'));
    expect(trace).toMatchObject({
      passed: null,
      detail: 'skipped: the stack has no tracing role (no trace store to read)',
    });
    expect(result.notes).toContain(
      'trace thresholds skipped: no service has the tracing role (a Jaeger-compatible query API); ' +
        'map one (service-map: tracing=SERVICE) or label it dev.chaos-action.role=tracing',
    );
    expect({ outcome: result.outcome, reason: result.reason }).toEqual({ outcome: 'pass', reason: '' });
  });
});
