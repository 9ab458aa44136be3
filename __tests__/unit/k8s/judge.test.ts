// The Kubernetes judge against a fake Prometheus with Prometheus's range semantics
// (__tests__/helpers/fake-prometheus.ts), fed the samples two k6 runner pods push once a second.
// Requests are filed by when they were sent, counters are taken per series with reset handling,
// alert coverage comes from Prometheus's record of its rule evaluations, and PromQL checks judge
// every series and see the steps with no data.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCatalog, selectScenarios } from '../../../src/config/load-scenarios';
import { judgeScenario } from '../../../src/k8s/judge';
import { bucketIndex, K6_BUCKETS } from '../../../src/k8s/k6-metrics';
import { increases } from '../../../src/k8s/k6-samples';
import { renderScenarios, type RenderedRun } from '../../../src/k8s/render';
import { parseSelectorMap } from '../../../src/k8s/selectors';
import { ruleGroupCoverage } from '../../../src/k8s/rule-coverage';
import type { WorkflowNode } from '../../../src/k8s/workflow-nodes';
import type { ScenarioResult } from '../../../src/results';
import { FakePrometheus } from '../../helpers/fake-prometheus';
import { RUN_PARAMS, workflowNodes } from '../../helpers/k8s-run';

/** Phases as workflowNodes() lays them: warm-up 0–2 s, baseline 2–6 s, fault 6–12 s, recovery 12–16 s, after 16–18 s. */
const SINGLE = 'request: ${request}';
const scenarioText = (thresholds: string[], load = SINGLE): string => `
name: k8s-unit
title: Cache down, judged from the cluster
hypothesis: The api answers through a cache outage.
target: { role: cache }
fault: { type: stop, duration: 6s }
load:
  ${load}
  rate: 40/s
  timeout: 10s
phases: { warmup: 2s, baseline: 4s, recovery: 4s, after: 2s }
thresholds:
${thresholds.map((t) => `  - ${JSON.stringify(t)}`).join('\n')}
`;

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const RULES = 'rules.yml;app';

function render(thresholds: string[], load = SINGLE): RenderedRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-judge-unit-'));
  fs.writeFileSync(path.join(dir, 'k8s-unit.yml'), scenarioText(thresholds, load));
  const options = { run: RUN_PARAMS };
  const catalog = loadCatalog({ builtinDir: null, userDirs: [dir] }, options);
  const [scenario] = selectScenarios(catalog, { names: ['k8s-unit'] });
  return renderScenarios(
    [scenario],
    {
      namespace: 'shop',
      outDir: path.join(dir, 'rendered'),
      targetUrl: 'http://web.shop.svc:8080',
      selectors: parseSelectorMap('api=app=web,cache=app=redis'),
      parallelism: 2,
      remoteWriteUrl: 'http://prometheus:9090/api/v1/write',
      runId: 'unit-1',
    },
    { scenariosDirs: [dir], builtin: false, options },
  ).run;
}

interface Request {
  /** Send time, ms from t0. */
  sentMs: number;
  latencyMs: number;
  outcome: 'ok' | 'status' | 'none';
  pod: 'a' | 'b';
  /** The mix's request name, as the script tags it; absent for a single request. */
  request?: string;
}

/** 40 requests a second for 18 s, each as `shape` says; pods alternate. */
function requests(shape: (sentMs: number, i: number) => Omit<Request, 'sentMs' | 'pod'>): Request[] {
  const out: Request[] = [];
  for (let i = 0; i < 18 * 40; i++) {
    const sentMs = i * 25;
    out.push({ sentMs, pod: i % 2 === 0 ? 'a' : 'b', ...shape(sentMs, i) });
  }
  return out;
}

/**
 * What the pods push: every second (at t0 + k·1000, k = 0..40), each pod's cumulative counter
 * per bucket and outcome of the requests that completed by then. `resetAt`: pod b restarts its
 * counters from 0 at that push.
 */
function feed(
  prom: FakePrometheus,
  testId: string,
  reqs: Request[],
  resetAtPush: number | null = null,
): void {
  const keys = new Map<string, [number, number][]>();
  const key = (r: Request): string =>
    `${r.pod}|${bucketIndex(r.latencyMs)}|${r.outcome}${r.request !== undefined ? `|${r.request}` : ''}`;
  for (const r of reqs) keys.set(key(r), []);
  for (let k = 0; k <= 40; k++) {
    const at = T0 + k * 1000;
    for (const [name, samples] of keys) {
      const [pod] = name.split('|');
      const from =
        pod === 'b' && resetAtPush !== null && k >= resetAtPush ? (resetAtPush - 1) * 1000 : -Infinity;
      const done = reqs.filter(
        (r) => key(r) === name && r.sentMs + r.latencyMs <= k * 1000 && r.sentMs + r.latencyMs > from,
      );
      if (done.length > 0 || samples.length > 0) samples.push([at, done.length]);
    }
  }
  for (const [name, samples] of keys) {
    const [pod, bucket, outcome, request] = name.split('|');
    const labels = { __name__: K6_BUCKETS, testid: testId, pod, bucket, outcome };
    if (samples.length) prom.add(request !== undefined ? { ...labels, request } : labels, samples);
  }
}

/** Prometheus evaluated the group every second from before t0 to after the end, skipping [gapFrom, gapTo) s. */
function ruleEvaluations(prom: FakePrometheus, gap: [number, number] | null = null): void {
  const evaluated: [number, number][] = [];
  const iterations: [number, number][] = [];
  let n = 0;
  // Scraped every 5 s; each scrape sees the last evaluation and the counter.
  for (let s = -20; s <= 90; s++) {
    const down = gap !== null && s >= gap[0] && s < gap[1];
    if (!down) n++;
    if (s % 5 === 0 && !down) {
      const at = T0 + s * 1000;
      evaluated.push([at, at / 1000]);
      iterations.push([at, gap !== null && s >= gap[1] ? n - (gap[0] + 20) : n]);
    }
  }
  prom.add(
    { __name__: 'prometheus_rule_group_last_evaluation_timestamp_seconds', rule_group: RULES },
    evaluated,
  );
  prom.add({ __name__: 'prometheus_rule_group_iterations_total', rule_group: RULES }, iterations);
  prom.add(
    { __name__: 'prometheus_rule_group_interval_seconds', rule_group: RULES },
    evaluated.map(([t]) => [t, 1]),
  );
}

async function judge(run: RenderedRun, prom: FakePrometheus): Promise<ScenarioResult> {
  const { workflow } = run.scenarios[0];
  return judgeScenario({
    run,
    scenario: 'k8s-unit',
    nodes: workflowNodes(workflow, T0) as unknown as WorkflowNode[],
    source: prom,
  });
}

const verdicts = (r: ScenarioResult) =>
  Object.fromEntries(r.thresholds.map((t) => [t.source, [t.passed, t.actual]]));
const phaseOf = (ms: number): string =>
  ms < 2000 ? 'warmup' : ms < 6000 ? 'baseline' : ms < 12_000 ? 'fault' : ms < 16_000 ? 'recovery' : 'after';

describe('the judge files requests by when they were sent', () => {
  it('a fault-phase request that hangs until its timeout counts in the fault phase', async () => {
    const run = render(['fault: error_rate < 1%', 'fault: p95 < 500ms', 'recovery: error_rate < 1%']);
    const prom = new FakePrometheus();
    // Half the fault's requests hang 10 s and time out; everything else answers in 10 ms.
    feed(
      prom,
      run.scenarios[0].testId,
      requests((sentMs, i) =>
        phaseOf(sentMs) === 'fault' && i % 2 === 0
          ? { latencyMs: 10_000, outcome: 'none' }
          : { latencyMs: 10, outcome: 'ok' },
      ),
    );
    const result = await judge(run, prom);
    expect(verdicts(result)).toEqual({
      'fault: error_rate < 1%': [false, expect.any(String)],
      'fault: p95 < 500ms': [false, expect.stringMatching(/^(9\.|10\.?)\d*s$/)],
      'recovery: error_rate < 1%': [true, '0%'],
    });
    // A send time is read back within one push interval: only requests that close to the
    // phase's edges can land on the wrong side of it.
    const fault = result.phases.find((p) => p.phase === 'fault');
    expect(fault?.errorRate).toBeGreaterThan(0.45);
    expect(fault?.errorRate).toBeLessThan(0.55);
    expect(Math.abs((fault?.scheduled ?? 0) - 240)).toBeLessThanOrEqual(40);
  });
});

describe('a mix, judged per request from the tag the script gives each', () => {
  it('p95{request:NAME} reads that request alone, and each phase lists the requests', async () => {
    const mix = [
      'requests:',
      '    - { name: fast, path: /healthz }',
      "    - { name: slow, path: '/v1/predict/{{id}}', values: { id: { range: [1, 9] } } }",
    ].join('\n');
    const run = render(['fault: p95{request:fast} < 100ms', 'fault: p95{request:slow} < 100ms'], mix);
    const prom = new FakePrometheus();
    // Every other request is slow's; in the fault phase it takes 800 ms, fast's stay at 10 ms.
    feed(
      prom,
      run.scenarios[0].testId,
      requests((sentMs, i) => ({
        latencyMs: i % 2 === 0 && phaseOf(sentMs) === 'fault' ? 800 : 10,
        outcome: 'ok',
        request: i % 2 === 0 ? 'slow' : 'fast',
      })),
    );
    const result = await judge(run, prom);
    expect(verdicts(result)).toEqual({
      'fault: p95{request:fast} < 100ms': [true, expect.stringMatching(/^\d+(\.\d+)?ms$/)],
      'fault: p95{request:slow} < 100ms': [false, expect.stringMatching(/^8\d\dms$/)],
    });
    const fault = result.phases.find((p) => p.phase === 'fault');
    expect(fault?.requests?.map((r) => [r.name, Math.abs(r.scheduled - 120) <= 20])).toEqual([
      ['fast', true],
      ['slow', true],
    ]);
  });
});

describe('counter resets', () => {
  it('a runner whose counters reset still counts every request', async () => {
    const run = render(['after: error_rate < 1%']);
    const prom = new FakePrometheus();
    // In the after phase 6 of its 80 requests fail (7.5 %); pod b restarts its counters at the push of 17 s.
    const reqs = requests((sentMs, i) =>
      phaseOf(sentMs) === 'after' && i % 13 === 1
        ? { latencyMs: 5, outcome: 'status' }
        : { latencyMs: 5, outcome: 'ok' },
    );
    feed(prom, run.scenarios[0].testId, reqs, 17);
    const after = reqs.filter((r) => phaseOf(r.sentMs) === 'after');
    const failed = after.filter((r) => r.outcome !== 'ok').length;
    expect(failed / after.length).toBeCloseTo(0.075, 3);
    const result = await judge(run, prom);
    expect(verdicts(result)['after: error_rate < 1%']).toEqual([false, '7.5%']);
    expect(result.phases.find((p) => p.phase === 'after')).toMatchObject({ scheduled: 80 });
  });

  it('increases() reads a drop as a reset and a late series from 0', () => {
    expect(
      increases(
        [
          [0, 10],
          [1000, 14],
          [2000, 3],
          [3000, 5],
        ],
        0,
      ),
    ).toEqual([
      { atEpochMs: 1000, increase: 4 },
      { atEpochMs: 2000, increase: 3 },
      { atEpochMs: 3000, increase: 2 },
    ]);
    expect(increases([[5000, 7]], 0)).toEqual([{ atEpochMs: 5000, increase: 7 }]);
  });
});

describe('alert coverage comes from what Prometheus answered', () => {
  const fine = requests(() => ({ latencyMs: 5, outcome: 'ok' }));

  it('no record of rule evaluations: `does not fire` is inconclusive, not passed', async () => {
    const run = render(['alert ApiErrors does not fire']);
    const prom = new FakePrometheus();
    feed(prom, run.scenarios[0].testId, fine);
    prom.groups = [{ file: 'rules.yml', name: 'app', alerts: ['ApiErrors'] }];
    const result = await judge(run, prom);
    expect(result.thresholds[0].passed).toBeNull();
    expect(result.notes.join('\n')).toMatch(/own metrics of its rule evaluations were not found/);
  });

  it('evaluations all through the run: it passes', async () => {
    const run = render(['alert ApiErrors does not fire']);
    const prom = new FakePrometheus();
    feed(prom, run.scenarios[0].testId, fine);
    prom.groups = [{ file: 'rules.yml', name: 'app', alerts: ['ApiErrors'] }];
    ruleEvaluations(prom);
    expect((await judge(run, prom)).thresholds[0]).toMatchObject({ passed: true, actual: 'not fired' });
  });

  it('a stretch without evaluations (Prometheus restarted) is named', async () => {
    const run = render(['alert ApiErrors does not fire']);
    const prom = new FakePrometheus();
    feed(prom, run.scenarios[0].testId, fine);
    prom.groups = [{ file: 'rules.yml', name: 'app', alerts: ['ApiErrors'] }];
    ruleEvaluations(prom, [7, 13]);
    const r = (await judge(run, prom)).thresholds[0];
    expect(r.passed).toBeNull();
    expect(r.detail).toMatch(
      /^the alert probe was blind for 10s \(5s–15s\) between 0s and 18s \(rule group rules\.yml;app: its evaluation counter went back/,
    );
  });

  it('an alert no rule defines could never fire: inconclusive', async () => {
    const run = render(['alert Typo does not fire']);
    const prom = new FakePrometheus();
    feed(prom, run.scenarios[0].testId, fine);
    prom.groups = [{ file: 'rules.yml', name: 'app', alerts: ['ApiErrors'] }];
    ruleEvaluations(prom);
    const result = await judge(run, prom);
    expect(result.thresholds[0].passed).toBeNull();
    expect(result.notes.join('\n')).toMatch(/no alerting rule named Typo/);
  });

  it('ruleGroupCoverage: scrapes 30 s apart still cover the run when no evaluation was missed', () => {
    const points: [number, number][] = [0, 30, 60].map((s) => [T0 + s * 1000, T0 / 1000 + s]);
    const coverage = ruleGroupCoverage(
      {
        group: RULES,
        lastEvaluation: points,
        iterations: points.map(([t], i) => [t, 100 + i * 30]),
        intervalS: 1,
      },
      T0,
    );
    expect(coverage).toEqual({ fromMs: 0, toMs: 60_000, blind: [], problems: [] });
  });
});

describe('PromQL on the cluster', () => {
  it('judges every series, and a stretch with no data is blind', async () => {
    const run = render(['fault: min promql \'up{job="api"}\' >= 1']);
    const prom = new FakePrometheus();
    feed(
      prom,
      run.scenarios[0].testId,
      requests(() => ({ latencyMs: 5, outcome: 'ok' })),
    );
    const every = (from: number, to: number, value: number): [number, number][] =>
      Array.from({ length: to - from }, (_, i) => [T0 + (from + i) * 1000, value]);
    prom.add({ __name__: 'up', job: 'api', instance: 'api-1' }, every(0, 19, 1));
    prom.add({ __name__: 'up', job: 'api', instance: 'api-2' }, every(0, 19, 0));
    expect((await judge(run, prom)).thresholds[0]).toMatchObject({
      passed: false,
      actual: '0 on up{instance="api-2", job="api"}',
    });
  });

  it('steps with no series at all make it inconclusive, not judged on what is left', async () => {
    const run = render(['fault: min promql \'up{job="api"}\' >= 1']);
    const prom = new FakePrometheus();
    feed(
      prom,
      run.scenarios[0].testId,
      requests(() => ({ latencyMs: 5, outcome: 'ok' })),
    );
    // The target vanished at 7 s: Prometheus wrote a stale marker (NaN) and has no value after it.
    prom.add({ __name__: 'up', job: 'api', instance: 'api-1' }, [
      ...Array.from({ length: 7 }, (_, i): [number, number] => [T0 + i * 1000, 1]),
      [T0 + 7000, NaN],
    ]);
    const r = (await judge(run, prom)).thresholds[0];
    expect(r.passed).toBeNull();
    expect(r.detail).toMatch(/PromQL probe was blind/);
  });
});
