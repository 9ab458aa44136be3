// Reads Prometheus (instant and range queries, alert state) and Alertmanager over their
// HTTP APIs. Every call has a short timeout: a probe must never stall the scenario clock.
import { jsonOf, probeRequest } from './client';

export class PrometheusError extends Error {}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface ObservedAlert {
  name: string;
  state: 'pending' | 'firing' | 'inactive';
  severity: string;
  labels: Record<string, string>;
  /** When Prometheus says the alert became active (epoch ms). */
  activeAtEpochMs: number | null;
}

/** GET `path` of the API at `baseUrl`: the status and the body as JSON (undefined when it is not JSON). */
async function get(
  baseUrl: string,
  path: string,
  timeoutMs: number,
  query: Record<string, string | number> = {},
): Promise<{ status: number; data: unknown }> {
  const response = await probeRequest(`${baseUrl.replace(/\/$/, '')}${path}`, { query, timeoutMs });
  return { status: response.status, data: jsonOf(response.text) };
}

/** An instant query; the vector's samples (a scalar becomes one sample without labels). */
export async function queryInstant(baseUrl: string, query: string, timeoutMs = 3000): Promise<Sample[]> {
  const response = await get(baseUrl, '/api/v1/query', timeoutMs, { query });
  const body = (response.data ?? {}) as {
    status?: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (response.status !== 200 || body.status !== 'success' || !body.data) {
    throw new PrometheusError(
      `Prometheus query ${JSON.stringify(query)} failed: ${body.error ?? `HTTP ${response.status}`}`,
    );
  }
  if (body.data.resultType === 'scalar') {
    const [, value] = body.data.result as [number, string];
    return [{ labels: {}, value: Number(value) }];
  }
  const vector = body.data.result as { metric: Record<string, string>; value: [number, string] }[];
  return vector.map((entry) => ({ labels: entry.metric, value: Number(entry.value[1]) }));
}

/** A range query: per series, the [epochMs, value] points. */
export async function queryRange(
  baseUrl: string,
  query: string,
  startEpochMs: number,
  endEpochMs: number,
  stepSeconds = 1,
  timeoutMs = 5000,
): Promise<{ labels: Record<string, string>; points: [number, number][] }[]> {
  const response = await get(baseUrl, '/api/v1/query_range', timeoutMs, {
    query,
    start: startEpochMs / 1000,
    end: endEpochMs / 1000,
    step: stepSeconds,
  });
  const body = (response.data ?? {}) as { status?: string; error?: string; data?: { result: unknown } };
  if (response.status !== 200 || body.status !== 'success' || !body.data) {
    throw new PrometheusError(
      `Prometheus range query ${JSON.stringify(query)} failed: ${body.error ?? `HTTP ${response.status}`}`,
    );
  }
  const matrix = body.data.result as { metric: Record<string, string>; values: [number, string][] }[];
  return matrix.map((series) => ({
    labels: series.metric,
    points: series.values.map(([t, v]) => [t * 1000, Number(v)] as [number, number]),
  }));
}

/** Alerts as Prometheus evaluates them (pending and firing). */
export async function prometheusAlerts(baseUrl: string, timeoutMs = 3000): Promise<ObservedAlert[]> {
  const response = await get(baseUrl, '/api/v1/alerts', timeoutMs);
  const body = (response.data ?? {}) as {
    status?: string;
    data?: { alerts: { labels: Record<string, string>; state: string; activeAt?: string }[] };
  };
  if (response.status !== 200 || body.status !== 'success' || !body.data) {
    throw new PrometheusError(`Prometheus /api/v1/alerts answered HTTP ${response.status}`);
  }
  return body.data.alerts.map((alert) => ({
    name: alert.labels.alertname,
    state: alert.state === 'firing' ? 'firing' : alert.state === 'pending' ? 'pending' : 'inactive',
    severity: alert.labels.severity ?? 'none',
    labels: alert.labels,
    activeAtEpochMs: alert.activeAt ? Date.parse(alert.activeAt) : null,
  }));
}

/** Alerts Alertmanager has received (its v2 API); all of them are firing there. */
export async function alertmanagerAlerts(baseUrl: string, timeoutMs = 3000): Promise<ObservedAlert[]> {
  const response = await get(baseUrl, '/api/v2/alerts', timeoutMs);
  if (response.status !== 200 || !Array.isArray(response.data)) {
    throw new PrometheusError(`Alertmanager /api/v2/alerts answered HTTP ${response.status}`);
  }
  const alerts = response.data as {
    labels: Record<string, string>;
    startsAt?: string;
    status?: { state?: string };
  }[];
  return alerts.map((alert) => ({
    name: alert.labels.alertname,
    state: alert.status?.state === 'suppressed' ? 'inactive' : 'firing',
    severity: alert.labels.severity ?? 'none',
    labels: alert.labels,
    activeAtEpochMs: alert.startsAt ? Date.parse(alert.startsAt) : null,
  }));
}

/** One rule group Prometheus evaluates: its file, its name, and the alerts it defines. */
export interface RuleGroup {
  file: string;
  name: string;
  alerts: string[];
}

/** The rule groups Prometheus has loaded (its /api/v1/rules), with the alerting rules of each. */
export async function prometheusRuleGroups(baseUrl: string, timeoutMs = 5000): Promise<RuleGroup[]> {
  const response = await get(baseUrl, '/api/v1/rules', timeoutMs);
  const body = (response.data ?? {}) as {
    status?: string;
    data?: { groups?: { file: string; name: string; rules?: { name: string; type: string }[] }[] };
  };
  if (response.status !== 200 || body.status !== 'success' || !body.data?.groups) {
    throw new PrometheusError(`Prometheus /api/v1/rules answered HTTP ${response.status}`);
  }
  return body.data.groups.map((g) => ({
    file: g.file,
    name: g.name,
    alerts: (g.rules ?? []).filter((r) => r.type === 'alerting').map((r) => r.name),
  }));
}
