// The request the load sends and the health check every scenario uses, for a stack we have
// never seen: what the run config gives, and the rest from the stack's graph (graph.ts).
// - The request: the entry's root, `GET /`; once the stack serves, the run checks that it answers
//   2xx with a body, else takes what the entry offers (engine.ts resolveRequest). A health
//   endpoint exercises nothing: it is the last resort, never the first choice.
// - The health check: the entry's HTTP healthcheck (curl or wget in compose) when it has one,
//   answering 200; else the entry itself: `GET /` answering anything below 500 (or the run's
//   expect-status), which says the application serves without asking for a page to exist.
// - The port: the entry's (the healthcheck's when published, else its first HTTP port).
// Pure: it reads the compose model and says where each value came from.
import type { RequestParam, RunParams } from '../config/load-scenarios';
import type { MixEntryInput } from '../config/request-mix';
import type { TargetSettings } from '../config/run-config';
import { healthcheckUrl, type ComposeService } from './compose-model';
import type { Entry } from './graph';

export interface RunTarget {
  params: RunParams;
  /** The entry's container port the load goes to (published to the host); null: its first published port. */
  port: number | null;
  /** One line per value: what it is and where it came from. */
  explained: string[];
}

/** The statuses that mean "the entry serves" when it has no healthcheck: the run's expect-status, else anything below 500. */
export function servingStatus(given: TargetSettings): number[] | string {
  return given.expectStatus ?? '< 500';
}

export function inferRunTarget(
  api: ComposeService | null,
  given: TargetSettings,
  entry: Entry | null = null,
): RunTarget {
  const explained: string[] = [];
  const healthUrl = healthcheckUrl(api?.healthcheck ?? null);
  const apiName = api ? `service ${api.name}` : 'the entry';

  let healthPath: string;
  let healthStatus: RunParams['health_status'] = 200;
  if (given.healthPath) {
    healthPath = given.healthPath;
    explained.push(`health check GET ${healthPath} answering 200 (given)`);
  } else if (healthUrl) {
    healthPath = `${healthUrl.pathname}${healthUrl.search}`;
    explained.push(`health check GET ${healthPath} answering 200 (from the healthcheck of ${apiName})`);
  } else {
    healthPath = '/';
    healthStatus = servingStatus(given);
    const accepted = Array.isArray(healthStatus) ? healthStatus.join(' or ') : 'any status below 500';
    explained.push(
      `health check GET / answering ${accepted} (${apiName} has no HTTP healthcheck: the check is that it answers; set health-path to choose)`,
    );
  }

  let line: { method: string; path: string };
  if (given.request) {
    line = given.request;
    explained.push(`request ${line.method} ${line.path} (given)`);
  } else {
    line = { method: 'GET', path: '/' };
    explained.push(
      `request GET / (the entry's root, checked once the stack serves: else a GET its OpenAPI document offers, else the health check; set request to load a real endpoint, e.g. "POST /v1/orders")`,
    );
  }
  const request: RequestParam = {
    method: line.method,
    path: line.path,
    ...(Object.keys(given.requestHeaders).length ? { headers: given.requestHeaders } : {}),
    ...(given.requestJson !== undefined ? { json: given.requestJson } : {}),
    ...(given.requestBody !== null ? { body: given.requestBody } : {}),
    expect: { status: given.expectStatus ?? [200] },
  };

  const published = api?.ports.map((p) => p.target) ?? [];
  let port: number | null = entry?.service === api?.name ? (entry?.port ?? null) : null;
  const healthPort = healthUrl
    ? Number(healthUrl.port || (healthUrl.protocol === 'https:' ? 443 : 80))
    : null;
  if (port === null && healthPort !== null && published.includes(healthPort)) port = healthPort;
  if (port === null && published.length) port = published[0];
  if (port !== null)
    explained.push(
      `port ${port} (${healthPort === port ? "the healthcheck's port, " : ''}published by ${apiName})`,
    );
  // Built-ins send `${requests}`: the run's mix when given (else the scenario loader makes the request a mix of one).
  const mix = given.requests
    ? { requests: given.requests.map((entry) => withRunDefaults(entry, given)) }
    : {};
  if (given.requests)
    explained.push(
      `a mix of ${given.requests.length} requests (${given.requests.map((r) => r.name).join(', ')}; given)`,
    );
  return {
    params: { request, ...mix, health_path: healthPath, health_status: healthStatus },
    port,
    explained,
  };
}

/**
 * A request of the run's mix with the run's own request settings under it: the run's headers
 * (a token, a tenant) on every request, each request's own headers winning; the run's
 * expect-status for a request that names no status of its own. Pure.
 */
export function withRunDefaults(entry: MixEntryInput, given: TargetSettings): MixEntryInput {
  const headers = Object.keys(given.requestHeaders).length
    ? { headers: { ...given.requestHeaders, ...(entry.headers ?? {}) } }
    : {};
  const status =
    given.expectStatus && entry.expect?.status === undefined
      ? { expect: { ...(entry.expect ?? {}), status: given.expectStatus } }
      : {};
  return { ...entry, ...headers, ...status };
}
