// Prometheus metrics of a run: the text exposition, and a push to a loopback
// "Pushgateway" that records what it receives.
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'prom-client';
import {
  buildMetricsRegistry,
  pushGrouping,
  pushMetrics,
  renderMetrics,
  writeMetricsFile,
} from '../../../src/report/metrics';
import {
  buildRun,
  buildScenario,
  errorScenario,
  failingScenario,
  inconclusiveScenario,
} from '../../helpers/sample-results';

const run = buildRun([buildScenario(), failingScenario(), inconclusiveScenario(), errorScenario()]);

interface Received {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

async function startGateway(status = 200): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.writeHead(status);
    res.end(status >= 400 ? 'push rejected' : '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, received };
}

describe('metrics', () => {
  it('exposes outcomes, thresholds, phase latency / error ratio and recovery time', async () => {
    const text = await renderMetrics(run);
    const lines = text.split('\n');
    const has = (l: string) => expect(lines).toContain(l);
    has('# TYPE chaos_scenario_outcome gauge');
    has('chaos_scenario_outcome{scenario="redis-failure-naive",outcome="fail"} 1');
    has('chaos_scenario_outcome{scenario="redis-failure-naive",outcome="pass"} 0');
    has('chaos_scenario_outcome{scenario="telemetry-outage",outcome="inconclusive"} 1');
    has('chaos_run_outcome{suite="default",outcome="fail"} 1');
    has('chaos_run_violations{suite="default"} 2');
    has('chaos_threshold_passed{scenario="redis-failure-naive",threshold="fault: p95 < 500ms"} 0');
    has('chaos_threshold_passed{scenario="redis-failure",threshold="fault: p95 < 500ms"} 1');
    has(
      'chaos_threshold_evaluated{scenario="telemetry-outage",threshold="alert HighLatency does not fire"} 0',
    );
    expect(text).not.toContain(
      'chaos_threshold_passed{scenario="telemetry-outage",threshold="alert HighLatency',
    );
    has('chaos_phase_latency_p95_seconds{scenario="redis-failure-naive",phase="fault"} 0.612');
    has('chaos_phase_error_ratio{scenario="redis-failure-naive",phase="fault"} 0.032');
    has('chaos_recovery_time_seconds{scenario="redis-failure"} 3.2');
    expect(text).not.toContain('chaos_recovery_time_seconds{scenario="memory-pressure"}');
    has('chaos_scenario_generator_limited{scenario="redis-failure"} 0');
  });

  it('exposes MTTR and, for a paired run, each phase verdict word and p95 change with its interval', async () => {
    const interval = (change: number | null, low: number | null, high: number | null) => ({
      change,
      low,
      high,
    });
    const side = { scheduled: 3000, timed: 3000, p50Ms: 2, p95Ms: 9, p99Ms: 20, errorRate: 0 };
    const phase = (
      name: 'baseline' | 'fault',
      verdict: 'regressed' | 'inconclusive',
      p95: ReturnType<typeof interval>,
    ) => ({
      phase: name,
      pr: side,
      base: side,
      p95,
      p99: interval(null, null, null),
      errorRate: interval(0, -0.001, 0.001),
      shift: null,
      verdict,
      why: '',
    });
    const paired = buildScenario(
      { name: 'load-test' },
      {
        mttrMs: 12_500,
        comparison: {
          base: { project: 'p-base', composeFiles: [], outcome: 'pass', reason: '' },
          mode: 'concurrent',
          confidence: 0.95,
          limits: { p95: 0.2, p99: 0.2, errorRate: 0.01 },
          phases: [
            phase('baseline', 'inconclusive', interval(0.1, -0.2, null)),
            phase('fault', 'regressed', interval(1.5, 0.9, 2.5)),
          ],
          baseTimeline: [],
        },
      },
    );
    const text = await renderMetrics(buildRun([paired]));
    const lines = text.split('\n');
    for (const line of [
      'chaos_mttr_seconds{scenario="load-test"} 12.5',
      'chaos_comparison_verdict{scenario="load-test",phase="fault",verdict="regressed"} 1',
      'chaos_comparison_verdict{scenario="load-test",phase="fault",verdict="within"} 0',
      'chaos_comparison_verdict{scenario="load-test",phase="baseline",verdict="inconclusive"} 1',
      'chaos_comparison_p95_change{scenario="load-test",phase="fault",bound="low"} 0.9',
      'chaos_comparison_p95_change{scenario="load-test",phase="fault",bound="high"} 2.5',
      'chaos_comparison_p95_change{scenario="load-test",phase="baseline",bound="low"} -0.2',
    ])
      expect(lines).toContain(line);
    // An end the data cannot bound is absent, not 0 or +Inf.
    expect(text).not.toContain(
      'chaos_comparison_p95_change{scenario="load-test",phase="baseline",bound="high"}',
    );
    // Unpaired runs have no series of it (only its HELP and TYPE lines).
    expect(await renderMetrics(run)).not.toMatch(/^chaos_comparison_\w+\{/m);
  });

  it('uses a dedicated registry, never the global one', async () => {
    const registry = buildMetricsRegistry(run);
    expect(registry).not.toBe(register);
    expect((await registry.getMetricsAsJSON()).length).toBeGreaterThan(10);
    expect((await register.getMetricsAsJSON()).filter((m) => m.name.startsWith('chaos_'))).toHaveLength(0);
    // Building twice does not clash (no "metric already registered").
    expect(() => buildMetricsRegistry(run)).not.toThrow();
  });

  it('escapes label values', async () => {
    const text = await renderMetrics(
      buildRun([
        buildScenario(
          {},
          { thresholds: [{ ...failingScenario().thresholds[0], source: 'log api contains "a\\b"\nx' }] },
        ),
      ]),
    );
    expect(text).toContain('threshold="log api contains \\"a\\\\b\\"\\nx"');
  });

  it('writeMetricsFile writes the text exposition', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'metrics-')), 'chaos.prom');
    await writeMetricsFile(run, path);
    const text = await readFile(path, 'utf8');
    expect(text).toBe(await renderMetrics(run));
  });

  it("pushes with PUT to a group of the run's own: job, repository, ref and run id", async () => {
    const gw = await startGateway();
    const saved = { ...process.env };
    Object.assign(process.env, {
      GITHUB_REPOSITORY: 'octo/shop',
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_REF_NAME: '42/merge',
      GITHUB_RUN_ID: '9001',
      GITHUB_RUN_ATTEMPT: '2',
    });
    try {
      await pushMetrics(run, gw.url);
      expect(gw.received).toHaveLength(1);
      const [req] = gw.received;
      expect(req.method).toBe('PUT');
      // org/repo has a slash, which a path segment cannot hold: base64url, as the Pushgateway reads it.
      expect(req.url).toBe(
        `/metrics/job/chaos-action/repository%40base64/${Buffer.from('octo/shop').toString('base64url')}/ref/pr-42/run_id/9001.2`,
      );
      expect(req.body).toContain('chaos_scenario_outcome{scenario="redis-failure-naive",outcome="fail"} 1');
      expect(req.body).toContain(
        'chaos_phase_latency_p95_seconds{scenario="redis-failure-naive",phase="fault"} 0.612',
      );
    } finally {
      process.env = saved;
      await new Promise<void>((r) => gw.server.close(() => r()));
    }
  });

  it('groups a branch run by its branch, and a run outside Actions as local at its start time', () => {
    expect(
      pushGrouping(run, {
        GITHUB_REPOSITORY: 'octo/shop',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_REF_NAME: 'main',
        GITHUB_RUN_ID: '7',
      }),
    ).toEqual({ repository: 'octo/shop', ref: 'main', run_id: '7' });
    expect(pushGrouping(run, {})).toEqual({ repository: 'local', ref: 'local', run_id: run.startedAt });
  });

  it('honours a path prefix and custom groupings', async () => {
    const gw = await startGateway();
    try {
      await pushMetrics(run, `${gw.url}/pushgateway`, {
        groupings: { suite: 'nightly run', branch: 'feature/x' },
      });
      expect(gw.received[0].url).toBe(
        `/pushgateway/metrics/job/chaos-action/suite/nightly%20run/branch%40base64/${Buffer.from('feature/x').toString('base64url')}`,
      );
    } finally {
      await new Promise<void>((r) => gw.server.close(() => r()));
    }
  });

  it('rejects when the gateway answers an error', async () => {
    const gw = await startGateway(500);
    try {
      await expect(pushMetrics(run, gw.url)).rejects.toThrow(/push failed with status 500/);
    } finally {
      await new Promise<void>((r) => gw.server.close(() => r()));
    }
  });
});
