// A Kubernetes run without a cluster, for the judge's tests: a real Prometheus (the example's
// image) with its remote-write receiver and one alert rule, fed in real time with the samples two
// k6-operator runner pods would send for a scripted 18-second scenario, and the WorkflowNodes
// Chaos Mesh would leave behind (built to the CRD's schema).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { RunParams } from '../../src/config/load-scenarios';
import { bucketIndex, K6_BUCKETS, K6_REQS } from '../../src/k8s/k6-metrics';
import type { PhaseName } from '../../src/results';
import { remoteWrite, type RemoteSeries } from './remote-write';

const run = promisify(execFile);
const IMAGE = 'chaos-action-example/monitoring:local';

export const RUN_PARAMS: RunParams = {
  request: { method: 'GET', path: '/healthz', expect: { status: [200] } },
  health_path: '/healthz',
};

/** The scripted scenario: 40 req/s; the fault phase is slow and has 10 % errors. */
export const K8S_SCENARIO = `
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

export const SECONDS = 18;
/** Seconds 0-1 warm-up, 2-5 baseline, 6-11 fault, 12-15 recovery, 16-17 after. */
export function phaseOf(second: number): PhaseName {
  if (second < 2) return 'warmup';
  if (second < 6) return 'baseline';
  if (second < 12) return 'fault';
  return second < 16 ? 'recovery' : 'after';
}

/** The requests of one second: [latencyMs, status, pod]; deterministic. */
export function requestsOf(second: number): [number, number, 'a' | 'b'][] {
  const phase = phaseOf(second);
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

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
  /** What the engine and the host's routing say of the container now: for a failure's message. */
  diagnose(): Promise<string>;
}

/** Prometheus with the remote-write receiver and the rule ChaosJudgeErrors, published on loopback. */
export async function startPrometheus(dir: string): Promise<RunningPrometheus> {
  const config = path.join(dir, 'prometheus');
  fs.mkdirSync(config, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(
    path.join(config, 'prometheus.yml'),
    // It scrapes itself, as kube-prometheus-stack's does: the judge reads when the rules were
    // evaluated from Prometheus's own metrics (src/k8s/rule-coverage.ts).
    'global: { scrape_interval: 15s, evaluation_interval: 1s }\nrule_files: [/etc/judge/rules.yml]\n' +
      "scrape_configs:\n  - job_name: prometheus\n    scrape_interval: 1s\n    static_configs: [{ targets: ['localhost:9090'] }]\n",
  );
  fs.writeFileSync(
    path.join(config, 'rules.yml'),
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
  for (const f of fs.readdirSync(config)) fs.chmodSync(path.join(config, f), 0o644);
  // Reached at its address on a network of the test's own, not through a published port: a
  // published port goes through docker-proxy, and on this 2-core machine a published port was
  // seen refusing connections while Prometheus ran and answered (remote write ECONNREFUSED
  // right after /-/ready; 1 of 4 full test runs in one session, 2 of 18 runs under load before).
  const network = `chaos-k8s-judge-${process.pid}-${Date.now().toString(36)}`;
  await run('docker', ['network', 'create', '--label', 'chaos-action-test=k8s-judge', network]);
  let container = '';
  const stop = async (): Promise<void> => {
    if (container) await run('docker', ['rm', '-f', container]).catch(() => undefined);
    await run('docker', ['network', 'rm', network]).catch(() => undefined);
  };
  try {
    const { stdout } = await run('docker', [
      ...['run', '-d', '--rm', '--label', 'chaos-action-test=k8s-judge', '--network', network],
      // The image is the example's, built by compose: `compose up --build` labels it with the
      // project that built it last (com.docker.compose.project=chaos-fraud-api-…), and a
      // container inherits its image's labels. Unless overridden, this container counts as a
      // member of that test's project, and that project's `compose down` removes it mid-run (the
      // engine's log: "removal of container … is already in progress" beside --rm; 2 of 2
      // failures in one CI run, each as a neighbouring example run tore down).
      ...['--label', 'com.docker.compose.project=', '--label', 'com.docker.compose.service='],
      ...['-v', `${config}:/etc/judge:ro`, '--entrypoint', '/usr/bin/prometheus', IMAGE],
      '--config.file=/etc/judge/prometheus.yml',
      '--storage.tsdb.path=/tmp/prometheus',
      '--web.enable-remote-write-receiver',
      '--web.listen-address=:9090',
    ]);
    container = stdout.trim();
    const ip = (
      await run('docker', [
        'inspect',
        '-f',
        `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
        container,
      ])
    ).stdout.trim();
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`Prometheus has no address on ${network}: "${ip}"`);
    const url = `http://${ip}:9090`;
    for (let i = 0; ; i++) {
      const ready = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (i > 150) throw new Error('Prometheus did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
    const diagnose = async (): Promise<string> => {
      const look = (command: string, args: string[]) =>
        run(command, args).then(
          ({ stdout }) => `${command} ${args.join(' ')}: ${stdout.trim()}`,
          (error: { stderr?: string; message?: string }) =>
            `${command} ${args.join(' ')}: failed: ${(error.stderr ?? error.message ?? '').trim()}`,
        );
      return (
        await Promise.all([
          look('docker', [
            'inspect',
            '-f',
            `{{.State.Status}} exit={{.State.ExitCode}} oom={{.State.OOMKilled}} pid={{.State.Pid}} ip={{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
            container,
          ]),
          look('docker', ['network', 'inspect', '-f', '{{json .IPAM.Config}}', network]),
          look('ip', ['route', 'get', ip]),
          look('ip', ['neigh', 'show', ip]),
          look('docker', ['logs', '--tail', '5', container]),
        ])
      ).join('\n');
    };
    return { url, stop, diagnose };
  } catch (error) {
    await stop();
    throw error;
  }
}

const sleepUntil = (epochMs: number): Promise<void> =>
  new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now())));

/**
 * Streams two pods' cumulative counters (latency buckets by outcome, as the generated script
 * tags them, and k6's requests by status, which the alert rule reads), one push a
 * second in real time, so Prometheus evaluates its rule as it would live. Returns t0 (epoch ms,
 * on a whole second): second k's requests carry the timestamp t0 + (k+1)·1000.
 */
export async function streamRun(
  prometheus: string,
  testId: string,
  diagnose: () => Promise<string> = async () => '',
): Promise<number> {
  try {
    return await streamSamples(prometheus, testId);
  } catch (error) {
    throw new Error(
      `${(error as Error).message} (${String((error as { cause?: unknown }).cause ?? '')})\n${await diagnose()}`,
      {
        cause: error,
      },
    );
  }
}

async function streamSamples(prometheus: string, testId: string): Promise<number> {
  const t0 = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  const buckets = new Map<string, number>(); // pod|bucket|outcome → count
  const reqs = new Map<string, number>(); // pod|expected|status → count
  for (const pod of ['a', 'b']) {
    reqs.set(`${pod}|true|200`, 0);
    reqs.set(`${pod}|false|503`, 0);
  }
  const series = (at: number): RemoteSeries[] => [
    ...[...buckets].map(([k, v]) => {
      const [pod, bucket, outcome] = k.split('|');
      return {
        labels: { __name__: K6_BUCKETS, testid: testId, pod, bucket, outcome },
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
  await sleepUntil(t0);
  await remoteWrite(prometheus, series(t0));
  for (let second = 0; second < SECONDS; second++) {
    for (const [latency, status, pod] of requestsOf(second)) {
      const b = `${pod}|${bucketIndex(latency)}|${status === 200 ? 'ok' : 'status'}`;
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
      const r = `${pod}|${status === 200}|${status}`;
      reqs.set(r, (reqs.get(r) ?? 0) + 1);
    }
    const at = t0 + (second + 1) * 1000;
    await sleepUntil(at);
    await remoteWrite(prometheus, series(at));
  }
  await new Promise((r) => setTimeout(r, 2500)); // the last rule evaluations
  return t0;
}

/** The nodes Chaos Mesh leaves for the rendered workflow run from t0, as kubectl prints them. */
export function workflowNodes(workflow: string, t0: number): Record<string, unknown>[] {
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
    metadata: {
      name: `${workflow}-${name}`,
      namespace: 'shop',
      labels: { 'chaos-mesh.org/workflow': workflow },
    },
    spec: { templateName: template, type, workflowName: workflow, startTime: iso(from), deadline: iso(to) },
    status: { conditions: conditions.map((c) => ({ type: c, status: 'True', reason: '' })) },
  });
  return [
    node('main', 'main', 'Serial', t0, t0 + SECONDS * 1000, []),
    node('wb', 'warmup-baseline', 'Suspend', t0, t0 + 6000, ['Accomplished']),
    node('fp', 'fault-phase', 'Parallel', t0 + 6000, t0 + 12_000, ['Accomplished']),
    node('f1', 'fault-1', 'PodChaos', t0 + 6000, t0 + 12_000, ['DeadlineExceed']),
    node('ss', 'steady-state', 'StatusCheck', t0 + 6000, t0 + 12_000, ['Accomplished']),
    node('ra', 'recovery-after', 'Suspend', t0 + 12_000, t0 + SECONDS * 1000, ['Accomplished']),
  ];
}
