// The steady-state hypothesis: checks that must hold before a fault (else the experiment
// says nothing: inconclusive) and again after recovery.
import type { SteadyStateCheck } from '../config/scenario-schema';
import { probeHttp } from '../probes/http';
import { queryInstant } from '../probes/prometheus';
import { compare } from './thresholds';

export interface SteadyStateResult {
  ok: boolean;
  /** One line per failed check, naming it as written. */
  problems: string[];
}

export interface SteadyStateEndpoints {
  targetUrl: string;
  prometheusUrl: string | null;
}

export async function checkSteadyState(
  checks: readonly SteadyStateCheck[],
  endpoints: SteadyStateEndpoints,
): Promise<SteadyStateResult> {
  const problems: string[] = [];
  for (const check of checks) {
    if (check.kind === 'http') {
      const result = await probeHttp({
        url: new URL(check.path, `${endpoints.targetUrl}/`).toString(),
        status: check.status,
        maxLatencyMs: check.maxLatencyMs ?? undefined,
        timeoutMs: 5000,
      });
      if (!result.ok) problems.push(`${check.source}: ${result.problem}`);
    } else {
      if (!endpoints.prometheusUrl) {
        problems.push(`${check.source}: no Prometheus in the stack (give a service the metrics role)`);
        continue;
      }
      try {
        const samples = await queryInstant(endpoints.prometheusUrl, check.query);
        const value = samples.length ? Math.max(...samples.map((s) => s.value)) : null;
        if (value === null || !compare(value, check.op, check.value)) {
          problems.push(`${check.source}: value ${value ?? 'empty'}`);
        }
      } catch (error) {
        problems.push(`${check.source}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return { ok: problems.length === 0, problems };
}

/** Polls until the checks hold or the time is up; returns how long it took (null: never). */
export async function waitForSteadyState(
  checks: readonly SteadyStateCheck[],
  endpoints: SteadyStateEndpoints,
  timeoutMs: number,
  intervalMs = 500,
): Promise<{ elapsedMs: number | null; last: SteadyStateResult }> {
  const started = Date.now();
  for (;;) {
    const last = await checkSteadyState(checks, endpoints);
    if (last.ok) return { elapsedMs: Date.now() - started, last };
    if (Date.now() - started >= timeoutMs) return { elapsedMs: null, last };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
