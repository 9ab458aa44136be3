// One HTTP request with its status, latency and body check: the steady-state probe.
import { request } from 'undici';
import { DIRECT } from './client';
import { monotonicMs } from '../util/clock';

export interface HttpProbe {
  url: string;
  method?: string;
  /** The accepted status(es), or any status below a limit; default 200. */
  status?: number | number[] | { below: number };
  maxLatencyMs?: number;
  bodyContains?: string;
  json?: unknown;
  timeoutMs?: number;
}

export interface HttpProbeResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  /** Why it failed, in words, for the report; empty when ok. */
  problem: string;
}

export async function probeHttp(probe: HttpProbe): Promise<HttpProbeResult> {
  const started = monotonicMs();
  const wanted = probe.status ?? 200;
  const accepts = (status: number): boolean =>
    typeof wanted === 'number'
      ? status === wanted
      : Array.isArray(wanted)
        ? wanted.includes(status)
        : status < wanted.below;
  const expected =
    typeof wanted === 'number'
      ? String(wanted)
      : Array.isArray(wanted)
        ? wanted.join(' or ')
        : `below ${wanted.below}`;
  try {
    const response = await request(probe.url, {
      dispatcher: DIRECT,
      method: (probe.method ?? (probe.json === undefined ? 'GET' : 'POST')) as 'GET',
      headers: probe.json === undefined ? {} : { 'content-type': 'application/json' },
      body: probe.json === undefined ? undefined : JSON.stringify(probe.json),
      headersTimeout: probe.timeoutMs ?? 5000,
      bodyTimeout: probe.timeoutMs ?? 5000,
    });
    const body = await response.body.text();
    const latencyMs = monotonicMs() - started;
    const problems: string[] = [];
    if (!accepts(response.statusCode)) problems.push(`status ${response.statusCode}, expected ${expected}`);
    if (probe.maxLatencyMs !== undefined && latencyMs > probe.maxLatencyMs) {
      problems.push(`took ${Math.round(latencyMs)}ms, limit ${probe.maxLatencyMs}ms`);
    }
    if (probe.bodyContains !== undefined && !body.includes(probe.bodyContains)) {
      problems.push(`body does not contain ${JSON.stringify(probe.bodyContains)}`);
    }
    return {
      ok: problems.length === 0,
      status: response.statusCode,
      latencyMs,
      problem: problems.join('; '),
    };
  } catch (error) {
    return {
      ok: false,
      status: null,
      latencyMs: monotonicMs() - started,
      problem: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}
