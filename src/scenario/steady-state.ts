// The steady-state hypothesis: checks that must hold before a fault (else the experiment
// says nothing: inconclusive) and again after recovery.
import type { SteadyStateCheck } from '../config/scenario-schema';
import { probeHttp } from '../probes/http';
import { queryInstant } from '../probes/prometheus';
import { seriesName } from './observations';
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
        status: check.below !== null ? { below: check.below } : check.statuses,
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
        // Every series must hold: one replica at 0 is not hidden by another at 1.
        const samples = await queryInstant(endpoints.prometheusUrl, check.query);
        const failing = samples.filter((s) => !compare(s.value, check.op, check.value));
        if (samples.length === 0) problems.push(`${check.source}: value empty`);
        else if (failing.length > 0) {
          const named = failing.map((s) => `${s.value} on ${seriesName(s.labels)}`);
          problems.push(
            `${check.source}: ${samples.length === 1 ? `value ${failing[0].value}` : `${named.slice(0, 3).join('; ')} (${failing.length} of ${samples.length} series)`}`,
          );
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
