// `chaos-action judge` against a real Prometheus (the example's image) fed through its
// remote-write receiver the way k6-operator's runner pods feed it (two pods' counters, tagged
// with the run's testid), streamed in real time so Prometheus's own rule evaluation fires an
// alert, with WorkflowNode JSON built to the CRD's schema (__tests__/helpers/k8s-run.ts). The
// verdict must be the one the compose path reaches on the same requests (its HDR statistics
// through the same evaluator).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { loadCatalog, selectScenarios } from '../../../src/config/load-scenarios';
import { judgeRun, prometheusSource } from '../../../src/k8s/judge';
import { renderScenarios } from '../../../src/k8s/render';
import { parseSelectorMap } from '../../../src/k8s/selectors';
import type { WorkflowNode } from '../../../src/k8s/workflow-nodes';
import { createLatencyHistogram, recordLatencyMs, summarize } from '../../../src/load/histogram';
import type { PhaseName, PhaseStats } from '../../../src/results';
import { emptyObservations } from '../../../src/scenario/observations';
import { evaluateThresholds } from '../../../src/scenario/verdict';
import { crdErrors } from '../../helpers/crd-schema';
import {
  K8S_SCENARIO,
  phaseOf,
  requestsOf,
  RUN_PARAMS,
  SECONDS,
  startPrometheus,
  streamRun,
  workflowNodes,
} from '../../helpers/k8s-run';

const run = promisify(execFile);
jest.setTimeout(120_000);

describe('judge: Prometheus (remote write) + WorkflowNodes → the compose verdict', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-judge-'));
  let prometheus = '';
  let stopPrometheus = async (): Promise<void> => undefined;
  let diagnose = async (): Promise<string> => '';

  beforeAll(async () => {
    const started = await startPrometheus(dir);
    prometheus = started.url;
    stopPrometheus = started.stop;
    diagnose = started.diagnose;
  });

  afterAll(async () => {
    await stopPrometheus();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the compose path verdict for the same requests, fires the alert, leaves unreadable checks inconclusive', async () => {
    const scenariosDir = path.join(dir, 'scenarios');
    fs.mkdirSync(scenariosDir);
    fs.writeFileSync(path.join(scenariosDir, 'k8s-judge.yml'), K8S_SCENARIO);
    const options = { run: RUN_PARAMS };
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

    // Two pods' counters, one push a second in real time; then the nodes Chaos Mesh leaves.
    const t0 = await streamRun(prometheus, testId, () => diagnose());
    const nodes = workflowNodes(workflow, t0);
    for (const n of nodes) expect(crdErrors(n)).toEqual([]);
    fs.writeFileSync(
      path.join(dir, 'nodes.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes }),
    );

    const result = await judgeRun(
      rendered.run,
      ['k8s-judge'],
      nodes as unknown as WorkflowNode[],
      prometheusSource(prometheus),
    );
    const judged = result.scenarios[0];
    const byText = new Map(judged.thresholds.map((t) => [t.source, t]));

    // The compose path on the same requests: HDR statistics per phase, the same evaluator.
    const observations = emptyObservations();
    for (const phase of ['baseline', 'fault', 'recovery', 'after'] as PhaseName[]) {
      const seconds = [...Array(SECONDS).keys()].filter((s) => phaseOf(s) === phase);
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
      '--k8s-rendered',
      path.join(dir, 'rendered'),
      '--k8s-nodes',
      path.join(dir, 'nodes.json'),
      '--prometheus-url',
      prometheus,
      '--results-dir',
      results,
    );
    expect({
      code: judged.code,
      out: judged.code === 1 ? '' : `${judged.stdout}\n${judged.stderr}\n${await diagnose()}`,
    }).toEqual({
      code: 1,
      out: '',
    });
    const written = JSON.parse(fs.readFileSync(path.join(results, 'results.json'), 'utf8'));
    expect(written.outcome).toBe('fail');
    expect(
      written.scenarios[0].thresholds.filter((t: { passed: boolean | null }) => t.passed === false),
    ).toHaveLength(2);
    const missing = await cli(
      '--k8s-rendered',
      path.join(dir, 'rendered'),
      '--k8s-nodes',
      path.join(dir, 'absent.json'),
      '--prometheus-url',
      prometheus,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/absent\.json/);
  });
});
