// A scenario's load as a k6-operator TestRun (k6.io/v1alpha1) and the ConfigMap holding its
// k6 script. The script is generated from the same load plan the compose path runs
// (src/scenario/load-plan.ts), so stage boundaries sit on the scenario's phases: open model →
// constant-/ramping-arrival-rate, closed model → constant-/ramping-vus. No k6 thresholds: each
// runner pod would judge only its own share (k6-docs#102); `chaos-action judge` reads every
// pod's samples from Prometheus and judges them together. Pure.
import type { Scenario } from '../config/scenario-schema';
import type { LoadSpec as GeneratorSpec, MixRequestSpec } from '../load';
import { planLoad } from '../scenario/load-plan';
import { BUCKET_INDEX_JS, SCRIPT_COUNTER } from './k6-metrics';

export interface K6Options {
  namespace: string;
  /** The DNS-1123 name of the TestRun and its ConfigMap. */
  name: string;
  /** The in-cluster base URL of the api (e.g. http://web.shop.svc:8080). */
  targetUrl: string;
  parallelism: number;
  /** Prometheus remote-write endpoint the runner pods send to. */
  remoteWriteUrl: string;
  /** The `testid` tag every sample carries, which the judge selects on. */
  testId: string;
}

export type K6Executor =
  | {
      executor: 'constant-arrival-rate';
      rate: number;
      timeUnit: '1s';
      duration: string;
      preAllocatedVUs: number;
      maxVUs: number;
    }
  | {
      executor: 'ramping-arrival-rate';
      startRate: number;
      timeUnit: '1s';
      preAllocatedVUs: number;
      maxVUs: number;
      stages: { target: number; duration: string }[];
    }
  | { executor: 'constant-vus'; vus: number; duration: string }
  | {
      executor: 'ramping-vus';
      startVUs: number;
      stages: { target: number; duration: string }[];
      gracefulRampDown: '0s';
    };

const ms = (n: number): string => `${Math.round(n)}ms`;

/**
 * The k6 scenario executor for a load plan. Arrival-rate executors need VUs to hold the
 * requests in flight: the rate times the request timeout covers a target that stops answering
 * (Little's law at the worst latency), with a floor for small rates.
 */
export function executorFor(spec: GeneratorSpec): K6Executor {
  if (spec.stages) {
    const rates = spec.stages.map((s) => Number(s.rate));
    const peak = Math.max(...rates);
    const timeoutS = Number(spec.timeout ?? 10_000) / 1000; // planLoad writes milliseconds
    const maxVUs = Math.max(10, Math.ceil(peak * timeoutS));
    const preAllocatedVUs = Math.min(maxVUs, Math.max(5, Math.ceil(peak * 0.5)));
    if (rates.every((r) => r === rates[0])) {
      const total = spec.stages.reduce((sum, s) => sum + Number(s.duration), 0);
      return {
        executor: 'constant-arrival-rate',
        rate: rates[0],
        timeUnit: '1s',
        duration: ms(total),
        preAllocatedVUs,
        maxVUs,
      };
    }
    return {
      executor: 'ramping-arrival-rate',
      startRate: rates[0],
      timeUnit: '1s',
      preAllocatedVUs,
      maxVUs,
      stages: spec.stages.map((s) => ({ target: Number(s.rate), duration: ms(Number(s.duration)) })),
    };
  }
  const stages = spec.userStages ?? [];
  const users = stages.map((s) => s.users);
  if (users.every((u) => u === users[0])) {
    const total = stages.reduce((sum, s) => sum + Number(s.duration), 0);
    return { executor: 'constant-vus', vus: users[0], duration: ms(total) };
  }
  return {
    executor: 'ramping-vus',
    startVUs: users[0],
    stages: stages.map((s) => ({ target: s.users, duration: ms(Number(s.duration)) })),
    gracefulRampDown: '0s',
  };
}

/** The k6 script (an ES module k6 runs): one scenario, the scenario's request or mix, no thresholds. */
export function k6Script(scenario: Scenario, targetUrl: string): string {
  const { spec } = planLoad(scenario, targetUrl);
  if (spec.requests?.length) return k6MixScript(scenario, spec, spec.requests);
  const request = spec.request ?? {};
  const expect = spec.expect;
  const method = (request.method ?? 'GET').toUpperCase();
  const url = urlOf(spec.url, request.path ?? '/');
  const { headers, body } = headersAndBody(request);
  const statuses = expect?.status ?? [200];
  const thinkS = thinkSeconds(spec);
  const lines = [
    ...scriptHead(scenario, executorFor(spec), {
      think: thinkS > 0,
      readsBodies: Boolean(expect?.bodyContains),
      check: Boolean(expect?.bodyContains),
      counted: 'in its latency bucket and by its outcome',
    }),
    `const URL = ${JSON.stringify(url)};`,
    `const BODY = ${JSON.stringify(body)};`,
    'const PARAMS = {',
    `  headers: ${JSON.stringify(headers)},`,
    `  timeout: ${JSON.stringify(ms(Number(spec.timeout ?? 10_000)))},`,
    `  responseCallback: http.expectedStatuses(${statuses.map((s) => String(s)).join(', ')}),`,
    '};',
    '',
    `const EXPECTED = ${JSON.stringify(statuses)};`,
    '',
    'export default function () {',
    `  const res = http.request(${JSON.stringify(method)}, URL, BODY, PARAMS);`,
    ...(expect?.bodyContains
      ? [
          `  const bodyOk = check(res, { 'body contains': (r) => String(r.body).includes(${JSON.stringify(expect.bodyContains)}) });`,
        ]
      : ['  const bodyOk = true;']),
    '  // How it ended: answered as expected, answered otherwise, or no answer at all (k6 status 0).',
    "  const outcome = res.status === 0 ? 'none' : EXPECTED.includes(res.status) && bodyOk ? 'ok' : 'status';",
    '  // From the first byte queued to the last received, connection set-up included. The judge',
    '  // files each request by when it was sent: this sample, minus its latency.',
    '  const t = res.timings;',
    '  LATENCY.add(1, { bucket: String(bucketIndex(t.blocked + t.connecting + t.tls_handshaking + t.duration)), outcome });',
    ...(thinkS > 0 ? [`  sleep(${thinkS});`] : []),
    '}',
    '',
  ];
  return lines.join('\n');
}

/** The script's opening, the same for one request and a mix: imports, options, the counter. */
function scriptHead(
  scenario: Scenario,
  executor: K6Executor,
  options: { think: boolean; readsBodies: boolean; check: boolean; counted: string },
): string[] {
  return [
    `// Generated by chaos-action render k8s from ${JSON.stringify(scenario.name)}: do not edit, render again.`,
    "// The verdict is not k6's: `chaos-action judge` reads every runner pod's samples (tag testid) from",
    "// Prometheus and applies the scenario's thresholds per phase.",
    "import http from 'k6/http';",
    "import { Counter } from 'k6/metrics';",
    ...(options.think ? ["import { sleep } from 'k6';"] : []),
    ...(options.check ? ["import { check } from 'k6';"] : []),
    '',
    'export const options = {',
    '  discardResponseBodies: ' + String(!options.readsBodies) + ',',
    `  scenarios: { ${JSON.stringify(scenario.name)}: ${JSON.stringify(executor)} },`,
    '};',
    '',
    `// Every request counted ${options.counted}, so the judge`,
    '// can sum all pods and file each request by when it was sent (src/k8s/k6-metrics.ts, k6-samples.ts).',
    `const LATENCY = new Counter(${JSON.stringify(SCRIPT_COUNTER)});`,
    BUCKET_INDEX_JS,
    '',
  ];
}

const thinkSeconds = (spec: GeneratorSpec): number =>
  spec.think !== undefined ? Number(spec.think) / 1000 : 0;

/** A request's headers and body as sent: JSON serialised, with its content type unless one is given. */
function headersAndBody(request: { headers?: Record<string, string>; json?: unknown; body?: string }): {
  headers: Record<string, string>;
  body: string | null;
} {
  const headers: Record<string, string> = { ...(request.headers ?? {}) };
  if (request.json === undefined) return { headers, body: request.body ?? null };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json';
  return { headers, body: JSON.stringify(request.json) };
}

/** A request's URL: the load's base URL and its path, unless the path is a URL itself. */
function urlOf(base: string, path: string): string {
  return /^https?:\/\//.test(path) ? path : `${base}${path.startsWith('/') ? '' : '/'}${path}`;
}

/**
 * The script for a mix: each iteration picks one request by weight, fills its `{{placeholders}}`
 * as the compose path does (URL-encoded in the path, as they are in a header or a raw body, a
 * JSON value when a JSON string is only the placeholder), sends it, and counts it under its
 * name (tag `request`; the judge sums over it). A sequence or cycle follows each request's own
 * send count in each VU: in k6, every VU draws its own, where the compose path's threads draw
 * one sequence together.
 */
function k6MixScript(scenario: Scenario, spec: GeneratorSpec, mix: MixRequestSpec[]): string {
  const timeout = ms(Number(spec.timeout ?? 10_000));
  const requests = mix.map((r) => {
    // Placeholders are filled at each send: a JSON body stays a value until then.
    const { headers } = headersAndBody(r);
    const body = r.json !== undefined ? { json: r.json } : r.body !== undefined ? { raw: r.body } : null;
    return {
      name: r.name,
      weight: r.weight ?? 1,
      method: (r.method ?? 'GET').toUpperCase(),
      url: urlOf(spec.url, r.path ?? '/'),
      headers,
      body,
      expected: r.expect?.status ?? [200],
      bodyContains: r.expect?.bodyContains ?? null,
      values: r.values ?? {},
    };
  });
  const thinkS = thinkSeconds(spec);
  const lines = [
    ...scriptHead(scenario, executorFor(spec), {
      think: thinkS > 0,
      readsBodies: requests.some((r) => r.bodyContains !== null),
      check: false,
      counted: 'in its latency bucket, by its outcome and under its name',
    }),
    `const REQUESTS = ${JSON.stringify(requests)};`,
    'const TOTAL_WEIGHT = REQUESTS.reduce((sum, r) => sum + r.weight, 0);',
    'const SENT = REQUESTS.map(() => 0);',
    '',
    '// A value for the n-th send (src/load/values.ts).',
    'function draw(spec, n) {',
    "  if (spec.kind === 'sequence') {",
    '    if (spec.to === undefined) return spec.from + n * spec.step;',
    '    const steps = Math.floor((spec.to - spec.from) / spec.step) + 1;',
    '    return spec.from + (n % steps) * spec.step;',
    '  }',
    "  if (spec.kind === 'range') return spec.min + Math.floor(Math.random() * (spec.max - spec.min + 1));",
    "  if (spec.kind === 'pick') return spec.values[Math.floor(Math.random() * spec.values.length)];",
    "  if (spec.kind === 'cycle') return spec.values[n % spec.values.length];",
    "  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {",
    '    const v = Math.floor(Math.random() * 16);',
    "    return (c === 'x' ? v : (v & 3) | 8).toString(16);",
    '  });',
    '}',
    '',
    String.raw`const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g;`,
    'const fill = (text, values, format) => text.replace(PLACEHOLDER, (_, name) => format(values[name]));',
    "const asPath = (v) => (typeof v === 'number' ? String(v) : encodeURIComponent(String(v)));",
    'const asText = (v) => String(v);',
    'function fillJson(value, values) {',
    "  if (typeof value === 'string') {",
    String.raw`    const lone = /^\{\{\s*([A-Za-z_][\w-]*)\s*\}\}$/.exec(value);`,
    '    return lone ? values[lone[1]] : fill(value, values, asText);',
    '  }',
    '  if (Array.isArray(value)) return value.map((item) => fillJson(item, values));',
    "  if (value !== null && typeof value === 'object') {",
    '    const out = {};',
    '    for (const key of Object.keys(value)) out[key] = fillJson(value[key], values);',
    '    return out;',
    '  }',
    '  return value;',
    '}',
    '',
    'function pick() {',
    '  let left = Math.random() * TOTAL_WEIGHT;',
    '  for (let i = 0; i < REQUESTS.length; i++) {',
    '    left -= REQUESTS[i].weight;',
    '    if (left < 0) return i;',
    '  }',
    '  return REQUESTS.length - 1;',
    '}',
    '',
    'export default function () {',
    '  const i = pick();',
    '  const r = REQUESTS[i];',
    '  const n = SENT[i]++;',
    '  const values = {};',
    '  for (const name of Object.keys(r.values)) values[name] = draw(r.values[name], n);',
    '  const headers = {};',
    '  for (const key of Object.keys(r.headers)) headers[key] = fill(r.headers[key], values, asText);',
    '  const body = r.body === null ? null : r.body.raw !== undefined ? fill(r.body.raw, values, asText) : JSON.stringify(fillJson(r.body.json, values));',
    `  const params = { headers, timeout: ${JSON.stringify(timeout)}, responseCallback: http.expectedStatuses(...r.expected), tags: { request: r.name } };`,
    '  const res = http.request(r.method, fill(r.url, values, asPath), body, params);',
    '  const bodyOk = r.bodyContains === null || String(res.body).includes(r.bodyContains);',
    '  // How it ended: answered as expected, answered otherwise, or no answer at all (k6 status 0).',
    "  const outcome = res.status === 0 ? 'none' : r.expected.includes(res.status) && bodyOk ? 'ok' : 'status';",
    '  const t = res.timings;',
    '  LATENCY.add(1, { bucket: String(bucketIndex(t.blocked + t.connecting + t.tls_handshaking + t.duration)), outcome, request: r.name });',
    ...(thinkS > 0 ? [`  sleep(${thinkS});`] : []),
    '}',
    '',
  ];
  return lines.join('\n');
}

/** The ConfigMap with the script and the TestRun that runs it on `parallelism` pods. */
export function k6Resources(
  scenario: Scenario,
  options: K6Options,
): [Record<string, unknown>, Record<string, unknown>] {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: options.name, namespace: options.namespace, labels: labels(scenario, options) },
    data: { 'script.js': k6Script(scenario, options.targetUrl) },
  };
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name: options.name, namespace: options.namespace, labels: labels(scenario, options) },
    spec: {
      parallelism: options.parallelism,
      script: { configMap: { name: options.name, file: 'script.js' } },
      arguments: `--out experimental-prometheus-rw --tag testid=${options.testId}`,
      runner: {
        env: [
          { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: options.remoteWriteUrl },
          // One native histogram per metric, summed across pods by the judge: exact percentiles
          // over all runners, where per-pod p95 gauges could not be combined.
          { name: 'K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM', value: 'true' },
          { name: 'K6_PROMETHEUS_RW_PUSH_INTERVAL', value: '1s' },
        ],
      },
    },
  };
  return [configMap, testRun];
}

export function labels(scenario: Scenario, options: { testId: string }): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'chaos-action',
    'chaos-action.dev/scenario': scenario.name,
    'chaos-action.dev/run': options.testId,
  };
}
