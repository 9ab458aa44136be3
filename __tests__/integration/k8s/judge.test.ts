// `chaos-action judge` against a real Prometheus (the example's image) fed through its
// remote-write receiver the way k6-operator's runner pods feed it (two pods' counters, tagged
// with the run's testid), streamed in real time so Prometheus's own rule evaluation fires an
// alert, with WorkflowNode JSON built to the CRD's schema. The verdict must be the one the
// compose path reaches on the same requests (its HDR statistics through the same evaluator).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  builtinScenariosDir,
  loadCatalog,
  selectScenarios,
  type RunParams,
} from '../../../src/config/load-scenarios';
import { judgeRun, prometheusSource } from '../../../src/k8s/judge';
import { bucketIndex, K6_BUCKETS, K6_REQS } from '../../../src/k8s/k6-metrics';
import { renderScenarios } from '../../../src/k8s/render';
import { parseSelectorMap } from '../../../src/k8s/selectors';
import type { WorkflowNode } from '../../../src/k8s/workflow-nodes';
import { createLatencyHistogram, recordLatencyMs, summarize } from '../../../src/load/histogram';
import type { PhaseName, PhaseStats } from '../../../src/results';
import { emptyObservations } from '../../../src/scenario/observations';
import { evaluateThresholds } from '../../../src/scenario/verdict';
import { crdErrors } from '../../helpers/crd-schema';
import { remoteWrite, type RemoteSeries } from '../../helpers/remote-write';

const run = promisify(execFile);
jest.setTimeout(120_000);

const IMAGE = 'chaos-action-example/monitoring:local';
const RUN: RunParams = {
  request: { method: 'GET', path: '/healthz', expect: { status: [200] } },
  health_path: '/healthz',
};
const SCENARIO = `
name: k8s-judge
title: Cache down, judged from the cluster
hypothesis: The api answers through a cache outage, slower but without errors.
target: { role: cache }
fault: { type: stop, duration: 6s }
load:
  request: \${request}
  rate: 40/s
phases: { warmup: 2s, baseline: 4s, recovery: 4s, after: 2s }
steady-state:
  - http: { path: /healthz, status: 200 }
thresholds:
  - 'baseline: p95 < 100ms'
  - 'fault: p95 < 100ms'
  - 'fault: error_rate < 5%'
  - 'fault: p50 > 100ms'
  - 'p99 < 1s'
  - 'after: error_rate < 1%'
  - recovery_time < 5s
  - alert ChaosJudgeErrors fires within 8s
  - log api contains "degraded"
`;
// Seconds 0-1 warm-up, 2-5 baseline, 6-11 fault, 12-15 recovery, 16-17 after.
const PHASE_OF = (second: number): PhaseName =>
  second < 2
    ? 'warmup'
    : second < 6
      ? 'baseline'
      : second < 12
        ? 'fault'
        : second < 16
          ? 'recovery'
          : 'after';
const SECONDS = 18;

/** The requests of one second: [latencyMs, status, pod]; deterministic. */
function requestsOf(second: number): [number, number, 'a' | 'b'][] {
  const phase = PHASE_OF(second);
  const slow = phase === 'fault' || second === 12; // the first recovery second is still slow
  const out: [number, number, 'a' | 'b'][] = [];
  for (let i = 0; i < 40; i++) {
    const jitter = ((second * 40 + i) * 7919) % 100; // 0..99
    const latency = slow ? 120 + jitter * 0.8 : 10 + jitter * 0.2;
    const status = phase === 'fault' && i % 10 === 0 ? 503 : 200;
    out.push([latency, status, i % 2 === 0 ? 'a' : 'b']);
  }
  return out;
}

describe('judge: Prometheus (remote write) + WorkflowNodes → the compose verdict', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-judge-'));
  let container = '';
  let prometheus = '';

  beforeAll(async () => {
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      'global: { scrape_interval: 15s, evaluation_interval: 1s }\nrule_files: [/etc/judge/rules.yml]\n',
    );
    fs.writeFileSync(
      path.join(dir, 'rules.yml'),
      [
        'groups:',
        '  - name: judge',
        '    interval: 1s',
        '    rules:',
        '      - alert: ChaosJudgeErrors',
        `        expr: sum(increase(${K6_REQS}{expected_response="false"}[3s])) > 0`,
        '        labels: { severity: critical }',
        '',
      ].join('\n'),
    );
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
    const { stdout } = await run('docker', [
      'run',
      '-d',
      '--rm',
      '--label',
      'chaos-action-test=k8s-judge',
      '-p',
      '127.0.0.1::9090',
      '-v',
      `${dir}:/etc/judge:ro`,
      '--entrypoint',
      '/usr/bin/prometheus',
      IMAGE,
      '--config.file=/etc/judge/prometheus.yml',
      '--storage.tsdb.path=/tmp/prometheus',
      '--web.enable-remote-write-receiver',
      '--web.listen-address=:9090',
    ]);
    container = stdout.trim();
    const port = (await run('docker', ['port', container, '9090/tcp'])).stdout.trim().split(':').pop();
    prometheus = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const ready = await fetch(`${prometheus}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (i > 100) throw new Error('Prometheus did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    if (container) await run('docker', ['rm', '-f', container]).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the compose path verdict for the same requests, fires the alert, leaves unreadable checks inconclusive', async () => {
    const scenariosDir = path.join(dir, 'scenarios');
    fs.mkdirSync(scenariosDir);
    fs.writeFileSync(path.join(scenariosDir, 'k8s-judge.yml'), SCENARIO);
    const options = { run: RUN };
    const catalog = loadCatalog({ builtinDir: null, userDirs: [scenariosDir] }, options);
    const [scenario] = selectScenarios(catalog, { names: ['k8s-judge'] });
    const rendered = renderScenarios(
      [scenario],
      {
        namespace: 'shop',
        outDir: path.join(dir, 'rendered'),
        targetUrl: 'http://web.shop.svc:8080',
        selectors: parseSelectorMap('api=app=web,cache=app=redis'),
        parallelism: 2,
        remoteWriteUrl: `${prometheus}/api/v1/write`,
        runId: 'it-1',
      },
      { scenariosDirs: [scenariosDir], builtin: false, options },
    );
    const { testId, workflow } = rendered.run.scenarios[0];
    expect(builtinScenariosDir()).not.toBeNull();

    // Stream two pods' cumulative counters, one push per second, in real time.
    const t0 = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const buckets = new Map<string, number>(); // pod|bucket → count
    const reqs = new Map<string, number>(); // pod|expected|status → count
    const series = (at: number): RemoteSeries[] => [
      ...[...buckets].map(([k, v]) => {
        const [pod, bucket] = k.split('|');
        return {
          labels: { __name__: K6_BUCKETS, testid: testId, pod, bucket },
          samples: [{ value: v, timestampMs: at }],
        };
      }),
      ...[...reqs].map(([k, v]) => {
        const [pod, expected, status] = k.split('|');
        return {
          labels: { __name__: K6_REQS, testid: testId, pod, expected_response: expected, status },
          samples: [{ value: v, timestampMs: at }],
        };
      }),
    ];
    for (const pod of ['a', 'b']) {
      reqs.set(`${pod}|true|200`, 0);
      reqs.set(`${pod}|false|503`, 0);
    }
    await new Promise((r) => setTimeout(r, t0 - Date.now()));
    await remoteWrite(prometheus, series(t0));
    for (let second = 0; second < SECONDS; second++) {
      for (const [latency, status, pod] of requestsOf(second)) {
        const b = `${pod}|${bucketIndex(latency)}`;
        buckets.set(b, (buckets.get(b) ?? 0) + 1);
        const r = `${pod}|${status === 200}|${status}`;
        reqs.set(r, (reqs.get(r) ?? 0) + 1);
      }
      const at = t0 + (second + 1) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
      await remoteWrite(prometheus, series(at));
    }
    await new Promise((r) => setTimeout(r, 2500)); // the last rule evaluations

    const iso = (ms: number): string => new Date(ms).toISOString();
    const node = (
      name: string,
      template: string,
      type: string,
      from: number,
      to: number,
      conditions: string[],
    ) => ({
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'WorkflowNode',
      metadata: { name, namespace: 'shop', labels: { 'chaos-mesh.org/workflow': workflow } },
      spec: { templateName: template, type, workflowName: workflow, startTime: iso(from), deadline: iso(to) },
      status: { conditions: conditions.map((c) => ({ type: c, status: 'True', reason: '' })) },
    });
    const nodes = [
      node(`${workflow}-main`, 'main', 'Serial', t0, t0 + SECONDS * 1000, []),
      node(`${workflow}-wb`, 'warmup-baseline', 'Suspend', t0, t0 + 6000, ['Accomplished']),
      node(`${workflow}-fp`, 'fault-phase', 'Parallel', t0 + 6000, t0 + 12_000, ['Accomplished']),
      node(`${workflow}-f1`, 'fault-1', 'PodChaos', t0 + 6000, t0 + 12_000, ['DeadlineExceed']),
      node(`${workflow}-ss`, 'steady-state', 'StatusCheck', t0 + 6000, t0 + 12_000, ['Accomplished']),
      node(`${workflow}-ra`, 'recovery-after', 'Suspend', t0 + 12_000, t0 + SECONDS * 1000, ['Accomplished']),
    ];
    for (const n of nodes) expect(crdErrors(n)).toEqual([]);
    fs.writeFileSync(
      path.join(dir, 'nodes.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes }),
    );

    const result = await judgeRun(
      rendered.run,
      ['k8s-judge'],
      nodes as WorkflowNode[],
      prometheusSource(prometheus),
    );
    const judged = result.scenarios[0];
    const byText = new Map(judged.thresholds.map((t) => [t.source, t]));

    // The compose path on the same requests: HDR statistics per phase, the same evaluator.
    const observations = emptyObservations();
    for (const phase of ['baseline', 'fault', 'recovery', 'after'] as PhaseName[]) {
      const seconds = [...Array(SECONDS).keys()].filter((s) => PHASE_OF(s) === phase);
      const histogram = createLatencyHistogram();
      let errors = 0;
      let total = 0;
      for (const s of seconds)
        for (const [latency, status] of requestsOf(s)) {
          recordLatencyMs(histogram, latency);
          total++;
          if (status !== 200) errors++;
        }
      const stats: PhaseStats = {
        phase,
        startMs: seconds[0] * 1000,
        endMs: (seconds[seconds.length - 1] + 1) * 1000,
        scheduled: total,
        timed: total,
        completed: total,
        targetRate: 40,
        achievedRate: total / seconds.length,
        errorRate: errors / total,
        errors: errors ? { non2xx: errors } : {},
        late: 0,
        ...summarize(histogram),
      };
      observations.phases[phase] = stats;
    }
    const compose = evaluateThresholds(
      scenario.thresholds.filter((t) => t.kind === 'metric'),
      observations,
    );
    expect(compose).toHaveLength(6);
    for (const c of compose) {
      expect({ threshold: c.source, passed: byText.get(c.source)?.passed }).toEqual({
        threshold: c.source,
        passed: c.passed,
      });
    }
    expect(compose.filter((c) => c.passed === false).map((c) => c.source)).toEqual([
      'fault: p95 < 100ms',
      'fault: error_rate < 5%',
    ]);
    // Counts are exact across both pods: 6 fault seconds × 40 requests, 4 errors each.
    const fault = judged.phases.find((p) => p.phase === 'fault')!;
    expect(fault.completed).toBe(240);
    expect(fault.errorRate).toBeCloseTo(0.1, 5);
    expect(fault.p95Ms).toBeGreaterThanOrEqual(observations.phases.fault!.p95Ms!);
    expect(fault.p95Ms! / observations.phases.fault!.p95Ms!).toBeLessThan(1.021);

    expect(byText.get('recovery_time < 5s')).toMatchObject({ passed: true });
    expect(judged.recoveryTimeMs).toBeGreaterThanOrEqual(1000);
    expect(judged.recoveryTimeMs).toBeLessThanOrEqual(3000);
    expect(byText.get('alert ChaosJudgeErrors fires within 8s')).toMatchObject({ passed: true });
    expect(byText.get('log api contains "degraded"')).toMatchObject({ passed: null });
    expect(judged.outcome).toBe('fail');
    expect(result.outcome).toBe('fail');
  });

  it('the CLI judges the rendered run: exit 1 on the violation, results.json written; a bad nodes file is exit 2', async () => {
    // The first test left the samples in Prometheus, the rendered run and nodes.json in place.
    const cli = (...args: string[]) =>
      run('npx', ['tsx', 'src/cli/main.ts', 'judge', ...args], {
        cwd: path.join(__dirname, '..', '..', '..'),
      }).then(
        ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const results = path.join(dir, 'results');
    const judged = await cli(
      '--rendered',
      path.join(dir, 'rendered'),
      '--nodes',
      path.join(dir, 'nodes.json'),
      '--prometheus',
      prometheus,
      '--results',
      results,
    );
    expect(judged.code).toBe(1);
    const written = JSON.parse(fs.readFileSync(path.join(results, 'results.json'), 'utf8'));
    expect(written.outcome).toBe('fail');
    expect(
      written.scenarios[0].thresholds.filter((t: { passed: boolean | null }) => t.passed === false),
    ).toHaveLength(2);
    const missing = await cli(
      '--rendered',
      path.join(dir, 'rendered'),
      '--nodes',
      path.join(dir, 'absent.json'),
      '--prometheus',
      prometheus,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/absent\.json/);
  });
});
