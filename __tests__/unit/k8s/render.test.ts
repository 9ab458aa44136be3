// `render k8s`: every built-in scenario rendered for a cluster validates against the shipped
// CRDs (k8s/crds/), faults without a faithful CR are refused with their reason, and the k6
// script does what the scenario's load says (run in a VM against a recording k6/http).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { parse, parseAllDocuments } from 'yaml';
import {
  builtinScenariosDir,
  loadCatalog,
  parseScenarioText,
  selectScenarios,
  type RunParams,
} from '../../../src/config/load-scenarios';
import type { Scenario } from '../../../src/config/scenario-schema';
import { faultTemplates, goDuration, RefusedFault } from '../../../src/k8s/chaos-mesh';
import { executorFor, k6Script } from '../../../src/k8s/k6';
import { bucketIndex, bucketUpperMs } from '../../../src/k8s/k6-metrics';
import { renderScenarios } from '../../../src/k8s/render';
import { parseSelectorMap } from '../../../src/k8s/selectors';
import { RefusedScenario, workflowFor } from '../../../src/k8s/workflow';
import { planLoad } from '../../../src/scenario/load-plan';
import { crdErrors } from '../../helpers/crd-schema';

const RUN: RunParams = {
  request: {
    method: 'POST',
    path: '/v1/predict',
    json: { user_id: 1, amount: 2.5 },
    expect: { status: [200] },
  },
  health_path: '/healthz',
};
const SELECTORS = parseSelectorMap(
  'api=app=web@web,cache=app.kubernetes.io/name=redis@redis,telemetry=app=otel,metrics=app=prometheus,alerting=app=alertmanager',
);
const OPTIONS = {
  namespace: 'shop',
  targetUrl: 'http://web.shop.svc:8080',
  selectors: SELECTORS,
  parallelism: 4,
  remoteWriteUrl: 'http://prometheus.monitoring.svc:9090/api/v1/write',
  runId: 'ci-42',
};

function allBuiltins(): Scenario[] {
  const catalog = loadCatalog({ builtinDir: builtinScenariosDir(), userDirs: [] }, { run: RUN });
  // The templates that expand over a compose stack's graph are refused (a test below says so).
  return selectScenarios(catalog, { suite: 'all' }).filter((s) => s.expansion === null);
}

function scenario(yaml: string): Scenario {
  return parseScenarioText(yaml, 'user/two-faults.yml', { run: RUN });
}

const TWO_FAULTS = `
name: two-faults
title: Cache and metrics down together
hypothesis: The API keeps answering while both are down.
faults:
  - { target: { role: cache }, at: 0s, type: stop, duration: 20s }
  - { target: { role: metrics }, at: 5s, type: stop, duration: 10s }
load:
  request: \${request}
  rate: 20/s
phases: { warmup: 2s, baseline: 5s, recovery: 30s, after: 5s }
steady-state:
  - http: { path: /healthz, status: 200 }
abort: 'fault: error_rate > 50% for 5s'
thresholds:
  - fault: error_rate < 1%
`;

describe('render k8s: every built-in scenario validates against the CRDs', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'render-k8s-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
  const scenarios = allBuiltins();
  const rendered = renderScenarios(
    scenarios,
    { ...OPTIONS, outDir: out },
    {
      scenariosDirs: [],
      builtin: true,
      options: { run: RUN },
    },
  );

  it('renders each one (none refused with the built-in defaults)', () => {
    expect(rendered.run.refused).toEqual([]);
    expect(rendered.run.scenarios.map((s) => s.name).sort()).toEqual(scenarios.map((s) => s.name).sort());
    expect(scenarios.length).toBeGreaterThanOrEqual(8);
  });

  it.each(allBuiltins().map((s) => s.name))('%s: Workflow and TestRun validate, files as written', (name) => {
    const dir = path.join(out, name);
    const workflow = parse(fs.readFileSync(path.join(dir, 'workflow.yaml'), 'utf8'));
    const docs = parseAllDocuments(fs.readFileSync(path.join(dir, 'testrun.yaml'), 'utf8')).map((d) =>
      d.toJSON(),
    );
    expect(workflow.kind).toBe('Workflow');
    expect(crdErrors(workflow)).toEqual([]);
    const testRun = docs.find((d) => d.kind === 'TestRun');
    expect(crdErrors(testRun)).toEqual([]);
    expect(testRun.spec.parallelism).toBe(4);
    expect(testRun.spec.arguments).toContain(
      `--tag testid=${rendered.run.scenarios.find((s) => s.name === name)!.testId}`,
    );
    const configMap = docs.find((d) => d.kind === 'ConfigMap');
    expect(configMap.metadata.name).toBe(testRun.spec.script.configMap.name);
    expect(configMap.data['script.js']).toContain('export default function');
  });

  it('a Workflow has the phases as Serial steps and the fault phase as a Parallel with a StatusCheck', () => {
    const redis = scenarios.find((s) => s.name === 'redis-failure')!;
    const wf = rendered.resources.get('redis-failure')![0] as {
      spec: { templates: Record<string, unknown>[] };
    };
    const byName = new Map(wf.spec.templates.map((t) => [t.name, t]));
    expect(byName.get('main')).toMatchObject({
      templateType: 'Serial',
      children: ['warmup-baseline', 'fault-phase', 'recovery-after'],
    });
    expect(byName.get('warmup-baseline')).toMatchObject({
      templateType: 'Suspend',
      deadline: goDuration(redis.phases.warmupMs + redis.phases.baselineMs),
    });
    expect(byName.get('fault-phase')).toMatchObject({
      templateType: 'Parallel',
      children: ['fault-1', 'steady-state'],
    });
    expect(byName.get('fault-1')).toMatchObject({
      templateType: 'PodChaos',
      deadline: goDuration(redis.phases.faultMs),
      podChaos: {
        action: 'pod-failure',
        selector: { namespaces: ['shop'], labelSelectors: { 'app.kubernetes.io/name': 'redis' } },
      },
    });
    expect(byName.get('steady-state')).toMatchObject({
      templateType: 'StatusCheck',
      statusCheck: {
        mode: 'Continuous',
        http: { url: 'http://web.shop.svc:8080/healthz', criteria: { statusCode: '200' } },
      },
    });
    expect(byName.get('steady-state')).not.toHaveProperty('abortWithStatusCheck');
  });

  it('an abort guard makes the StatusCheck abort the workflow', () => {
    const wf = rendered.resources.get('traffic-spike')![0] as {
      spec: { templates: Record<string, unknown>[] };
    };
    const check = wf.spec.templates.find((t) => t.name === 'steady-state');
    expect(check).toMatchObject({ abortWithStatusCheck: true, statusCheck: { failureThreshold: 10 } });
  });

  it('a flap is a Serial of pod-failure and Suspend steps that adds up to its duration', () => {
    const wf = rendered.resources.get('retry-storm')![0] as {
      spec: { templates: Record<string, unknown>[] };
    };
    const flap = wf.spec.templates.find((t) => t.name === 'fault-1') as {
      templateType: string;
      children: string[];
    };
    expect(flap.templateType).toBe('Serial');
    const steps = flap.children.map(
      (c) => wf.spec.templates.find((t) => t.name === c) as { templateType: string; deadline: string },
    );
    expect(steps[0].templateType).toBe('PodChaos');
    expect(steps[1].templateType).toBe('Suspend');
    const total = steps.reduce((sum, s) => sum + Number(s.deadline.replace(/s$/, '')), 0);
    const retry = scenarios.find((s) => s.name === 'retry-storm')!;
    expect(total * 1000).toBe(retry.faults[0].durationMs);
  });

  it('latency from: the api selects the clients and targets the cache, delaying what the cache sends back', () => {
    const wf = rendered.resources.get('latency-injection')![0] as {
      spec: { templates: Record<string, unknown>[] };
    };
    expect(wf.spec.templates.find((t) => t.name === 'fault-1')).toMatchObject({
      templateType: 'NetworkChaos',
      networkChaos: {
        action: 'delay',
        selector: { labelSelectors: { app: 'web' } },
        target: { mode: 'all', selector: { labelSelectors: { 'app.kubernetes.io/name': 'redis' } } },
        delay: { latency: '100ms', jitter: '10ms' },
      },
    });
  });

  it('the validator goes red on a misspelt field and on a missing required one', () => {
    const wf = structuredClone(rendered.resources.get('redis-failure')![0]) as {
      spec: { templates: Record<string, unknown>[] };
    };
    const pod = wf.spec.templates.find((t) => t.name === 'fault-1') as { podChaos: Record<string, unknown> };
    pod.podChaos.acton = pod.podChaos.action;
    delete pod.podChaos.action;
    const errors = crdErrors(wf);
    expect(errors.join('\n')).toMatch(
      /podChaos.*(additional properties|must have required property 'action')/,
    );
    const bad = structuredClone(rendered.resources.get('redis-failure')![2]) as {
      spec: Record<string, unknown>;
    };
    delete bad.spec.parallelism;
    expect(crdErrors(bad).join('\n')).toMatch(/parallelism/);
  });
});

describe('render k8s: several faults, offsets, refusals', () => {
  it('two faults: each is a child of the fault phase, the later one waits for its offset, all validate', () => {
    const wf = workflowFor(scenario(TWO_FAULTS), {
      ...OPTIONS,
      name: 'two-faults-ci',
      testId: 'two-faults-ci',
    }) as {
      spec: { templates: Record<string, unknown>[] };
    };
    expect(crdErrors(wf)).toEqual([]);
    const byName = new Map(wf.spec.templates.map((t) => [t.name, t]));
    expect(byName.get('fault-phase')).toMatchObject({
      children: ['fault-1', 'fault-2', 'steady-state'],
      deadline: '20s',
    });
    expect(byName.get('fault-1')).toMatchObject({ templateType: 'PodChaos', deadline: '20s' });
    expect(byName.get('fault-2')).toMatchObject({
      templateType: 'Serial',
      children: ['fault-2-wait', 'fault-2-inject'],
    });
    expect(byName.get('fault-2-wait')).toMatchObject({ templateType: 'Suspend', deadline: '5s' });
    expect(byName.get('fault-2-inject')).toMatchObject({
      templateType: 'PodChaos',
      deadline: '10s',
      podChaos: { selector: { labelSelectors: { app: 'prometheus' } } },
    });
    expect(byName.get('steady-state')).toMatchObject({
      abortWithStatusCheck: true,
      statusCheck: { failureThreshold: 5 },
    });
  });

  const at = {
    name: 'fault-1',
    namespace: 'shop',
    target: SELECTORS.get('cache')!,
    from: null,
    durationMs: 30_000,
  };
  const toxic = { port: null, direction: 'downstream' as const, toxicity: 1, from: null, durationMs: 30_000 };
  it.each([
    [{ type: 'pause', durationMs: 30_000 }, /pause.*no Chaos Mesh equivalent/],
    [{ type: 'stall', timeoutMs: 0, ...toxic }, /stall is a TCP-level toxic/],
    [{ type: 'reset_peer', resetAfterMs: 0, ...toxic }, /reset_peer is a TCP-level toxic/],
    [{ type: 'down', ...toxic }, /down is a TCP-level toxic/],
    [
      {
        type: 'memory',
        method: 'leak-endpoint',
        path: '/leak',
        port: null,
        stepBytes: 1,
        intervalMs: 1,
        durationMs: 1,
      },
      /leak endpoint/,
    ],
    [
      { type: 'partition', mode: 'disconnect', from: null, durationMs: 30_000 },
      /disconnect.*no Chaos Mesh equivalent/,
    ],
    [{ type: 'kill', signal: 'SIGTERM', restart: true }, /only sends SIGKILL/],
    [{ type: 'latency', delayMs: 100, jitterMs: 0, ...toxic, toxicity: 0.5 }, /toxicity 0.5/],
    [
      { type: 'latency', delayMs: 100, jitterMs: 0, ...toxic, direction: 'upstream' },
      /upstream without from/,
    ],
  ])('refuses %j', (fault, reason) => {
    expect(() => faultTemplates(fault as never, at)).toThrow(RefusedFault);
    expect(() => faultTemplates(fault as never, at)).toThrow(reason);
  });

  it('kill needs the container name and maps to container-kill', () => {
    const noContainer = { ...at, target: SELECTORS.get('telemetry')! };
    expect(() => faultTemplates({ type: 'kill', signal: 'SIGKILL', restart: true }, noContainer)).toThrow(
      /@CONTAINER/,
    );
    expect(faultTemplates({ type: 'kill', signal: 'SIGKILL', restart: true }, at)[0]).toMatchObject({
      podChaos: { action: 'container-kill', containerNames: ['redis'] },
    });
  });

  it('a scenario with a refused fault is refused as a whole, naming the fault and the reason', () => {
    const paused = scenario(TWO_FAULTS.replace('type: stop, duration: 10s', 'type: pause, duration: 10s'));
    expect(() => workflowFor(paused, { ...OPTIONS, name: 'x', testId: 'x' })).toThrow(RefusedScenario);
    expect(() => workflowFor(paused, { ...OPTIONS, name: 'x', testId: 'x' })).toThrow(
      /faults\[1\] \(pause\)/,
    );
  });

  it('a target with no selector is a config error naming the file and line', () => {
    const map = parseSelectorMap('api=app=web');
    expect(() =>
      workflowFor(scenario(TWO_FAULTS), { ...OPTIONS, selectors: map, name: 'x', testId: 'x' }),
    ).toThrow(/user\/two-faults\.yml:\d+: target: no Kubernetes selector for "cache"/);
  });

  it('bad service-map entries are refused with the entry', () => {
    expect(() => parseSelectorMap('cache')).toThrow(/"cache": write it as NAME=label=value/);
    expect(() => parseSelectorMap('cache=app=Redis Server')).toThrow(/not a Kubernetes label value/);
    expect(() => parseSelectorMap('cache=app=redis@Bad_Name')).toThrow(/not a container name/);
  });
});

/** A k6 script (an ES module) as a plain script: its imports become the VM context's bindings. */
function asScript(source: string): string {
  return source
    .replace(/^import .*$/gm, '')
    .replace('export const options', 'const options')
    .replace('export default function ()', 'function main()');
}

describe('the k6 script and its executor', () => {
  const base = (load: string, request = '${request}'): Scenario =>
    scenario(`
name: l
title: t
hypothesis: h
target: { role: api }
fault: { type: none }
load:
  request: ${request}
  ${load}
phases: { warmup: 5s, baseline: 10s, fault: 20s, recovery: 0s, after: 5s }
thresholds: [ 'fault: p95 < 500ms' ]
`);

  it('open model, constant rate → constant-arrival-rate over the whole scenario', () => {
    const s = base('rate: 50/s\n  timeout: 2s');
    expect(executorFor(planLoad(s, 'http://x').spec)).toEqual({
      executor: 'constant-arrival-rate',
      rate: 50,
      timeUnit: '1s',
      duration: '40000ms',
      preAllocatedVUs: 25,
      maxVUs: 100,
    });
  });

  it('open model, stages → ramping-arrival-rate whose stages add up to the scenario', () => {
    const s = base(
      'stages: [ { rate: 10/s, duration: 15s }, { rate: 100/s, duration: 10s }, { rate: 10/s, duration: 5s } ]',
    );
    const e = executorFor(planLoad(s, 'http://x').spec);
    expect(e.executor).toBe('ramping-arrival-rate');
    if (e.executor !== 'ramping-arrival-rate') return;
    expect(e.startRate).toBe(10);
    expect(e.stages.map((st) => st.target)).toEqual([10, 100, 100, 10, 10]);
    expect(e.stages.reduce((sum, st) => sum + Number(st.duration.replace('ms', '')), 0)).toBe(40_000);
  });

  it('closed model → constant-vus, and a user ramp → ramping-vus', () => {
    const constant = base('users: 20\n  think: 1s');
    expect(executorFor(planLoad(constant, 'http://x').spec)).toEqual({
      executor: 'constant-vus',
      vus: 20,
      duration: '40000ms',
    });
    const ramp = base(
      'stages: [ { users: 10, duration: 20s }, { users: 50, duration: 20s } ]\n  think: 500ms',
    );
    const e = executorFor(planLoad(ramp, 'http://x').spec);
    expect(e).toMatchObject({ executor: 'ramping-vus', startVUs: 10, gracefulRampDown: '0s' });
  });

  it('the script parses and sends the scenario request with its statuses, timeout and think time', () => {
    const s = base('users: 3\n  think: 250ms\n  timeout: 3s');
    const source = k6Script(s, 'http://web.shop.svc:8080');
    const sent: unknown[][] = [];
    const slept: number[] = [];
    const http = {
      request: (...a: unknown[]) => {
        sent.push(a);
        return { status: 200, timings: { blocked: 1, connecting: 2, tls_handshaking: 0, duration: 40 } };
      },
      expectedStatuses: (...codes: number[]) => ({ codes }),
    };
    const body = asScript(source);
    const counted: unknown[][] = [];
    class Counter {
      constructor(readonly name: string) {}
      add(n: number, tags: Record<string, string>): void {
        counted.push([this.name, n, tags]);
      }
    }
    const context = vm.createContext({ http, Counter, sleep: (s: number) => slept.push(s) });
    vm.runInContext(`${body}\nthis.options = options; main();`, context);
    expect(sent).toEqual([
      [
        'POST',
        'http://web.shop.svc:8080/v1/predict',
        JSON.stringify({ user_id: 1, amount: 2.5 }),
        {
          headers: { 'content-type': 'application/json' },
          timeout: '3000ms',
          responseCallback: { codes: [200] },
        },
      ],
    ]);
    expect(slept).toEqual([0.25]);
    // 1 + 2 + 0 + 40 ms, in the bucket the judge reads back.
    expect(counted).toEqual([
      ['chaos_req_duration_bucket', 1, { bucket: String(bucketIndex(43)), outcome: 'ok' }],
    ]);
    expect(bucketUpperMs(bucketIndex(43))).toBeGreaterThanOrEqual(43);
    expect(bucketUpperMs(bucketIndex(43))).toBeLessThan(43 * 1.02);
    expect(
      (context as { options: { scenarios: Record<string, { executor: string }> } }).options.scenarios.l
        .executor,
    ).toBe('constant-vus');
  });

  it('tags each request with how it ended, so the judge can file it by send time and count its error', () => {
    const source = k6Script(base('rate: 10/s\n  timeout: 2s'), 'http://x');
    const tagged = (status: number, duration: number): Record<string, string> => {
      const counted: Record<string, string>[] = [];
      const context = vm.createContext({
        http: {
          request: () => ({ status, timings: { blocked: 0, connecting: 0, tls_handshaking: 0, duration } }),
          expectedStatuses: () => null,
        },
        Counter: class {
          add(_n: number, tags: Record<string, string>): void {
            counted.push(tags);
          }
        },
      });
      vm.runInContext(`${asScript(source)}\nmain();`, context);
      return counted[0];
    };
    expect(tagged(200, 12)).toEqual({ bucket: String(bucketIndex(12)), outcome: 'ok' });
    expect(tagged(503, 3)).toEqual({ bucket: String(bucketIndex(3)), outcome: 'status' });
    // No answer: k6 reports status 0, after the timeout or at once (refused).
    expect(tagged(0, 2000)).toEqual({ bucket: String(bucketIndex(2000)), outcome: 'none' });
  });

  it('a mix: each iteration sends one request by weight, its placeholders filled as the compose path fills them, counted under its name', () => {
    const s = scenario(`
name: l
title: t
hypothesis: h
target: { role: api }
fault: { type: none }
load:
  rate: 10/s
  timeout: 2s
  requests:
    - name: predict
      weight: 3
      method: POST
      path: /v1/predict
      headers: { x-user: 'u{{user}}' }
      json: { user_id: '{{user}}', note: 'id {{user}}' }
      expect: { status: [200, 201] }
      values: { user: { sequence: { from: 7, step: 2, to: 11 } } }
    - name: item
      path: /items/{{sku}}
      values: { sku: { pick: ['a b'] } }
phases: { warmup: 5s, baseline: 10s, fault: 20s, recovery: 0s, after: 5s }
thresholds: [ 'fault: p95 < 500ms' ]
`);
    const source = k6Script(s, 'http://web.shop.svc:8080');
    const sent: unknown[][] = [];
    const counted: Record<string, string>[] = [];
    let random = 0;
    const context = vm.createContext({
      http: {
        request: (...a: unknown[]) => {
          sent.push(a);
          return { status: 201, timings: { blocked: 0, connecting: 0, tls_handshaking: 0, duration: 5 } };
        },
        expectedStatuses: (...codes: number[]) => ({ codes }),
      },
      Counter: class {
        add(_n: number, tags: Record<string, string>): void {
          counted.push(tags);
        }
      },
      Math: Object.assign(Object.create(Math) as Math, { random: () => random }),
    });
    vm.runInContext(`${asScript(source)}\nthis.main = main;`, context);
    const main = (context as unknown as { main: () => void }).main;
    // Weights 3 and 1: a draw below 3/4 of the total is predict, above it item.
    for (const r of [0, 0.5, 0.74, 0.76, 0]) {
      random = r;
      main();
    }
    const predict = (user: number) => [
      'POST',
      'http://web.shop.svc:8080/v1/predict',
      JSON.stringify({ user_id: user, note: `id ${user}` }),
      {
        headers: { 'x-user': `u${user}`, 'content-type': 'application/json' },
        timeout: '2000ms',
        responseCallback: { codes: [200, 201] },
        tags: { request: 'predict' },
      },
    ];
    // The sequence 7, 9, 11, then 7 again; the pick's value URL-encoded in the path.
    expect(sent).toEqual([
      predict(7),
      predict(9),
      predict(11),
      [
        'GET',
        'http://web.shop.svc:8080/items/a%20b',
        null,
        { headers: {}, timeout: '2000ms', responseCallback: { codes: [200] }, tags: { request: 'item' } },
      ],
      predict(7),
    ]);
    expect(counted.map((t) => [t.request, t.outcome])).toEqual([
      ['predict', 'ok'],
      ['predict', 'ok'],
      ['predict', 'ok'],
      ['item', 'status'],
      ['predict', 'ok'],
    ]);
  });

  it('request text cannot break out of the script (JSON-quoted)', () => {
    const s = base('rate: 1/s', `{ method: GET, path: "/x'\\"); globalThis.pwned = 1; //" }`);
    const source = k6Script(s, 'http://x');
    const body = asScript(source);
    const context = vm.createContext({
      Counter: class {
        add(): void {}
      },
      http: {
        request: () => ({ timings: { blocked: 0, connecting: 0, tls_handshaking: 0, duration: 1 } }),
        expectedStatuses: () => null,
      },
    });
    vm.runInContext(`${body}\nmain();`, context);
    expect((context as { pwned?: number }).pwned).toBeUndefined();
  });
});

describe('render k8s: scenarios that expand over a compose graph', () => {
  it('refuses them with the reason, and renders the rest', () => {
    const catalog = loadCatalog({ builtinDir: builtinScenariosDir(), userDirs: [] }, { run: RUN });
    const template = catalog.scenarios.get('dependency-down') as Scenario;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'render-expand-'));
    const rendered = renderScenarios(
      [template],
      { ...OPTIONS, outDir: out },
      { scenariosDirs: [], builtin: true, options: { run: RUN } },
    );
    expect(rendered.run.scenarios).toEqual([]);
    expect(rendered.run.refused).toEqual([
      {
        scenario: 'dependency-down',
        reasons: [
          "it runs once per dependency of a compose stack's graph (target: { each: dependency }); write a scenario per service to run it on Kubernetes",
        ],
      },
    ]);
  });
});
