// The request the load sends and the health check every scenario uses, for a stack we have
// never seen: what the run config gives, and the rest inferred from the api service's compose
// definition — the health check from its healthcheck's curl/wget URL, the request from the
// health check (else GET /), the port from that URL or its first published port. Pure: it
// reads the compose model and says where each value came from.
import type { RequestParam, RunParams } from '../config/load-scenarios';
import type { TargetSettings } from '../config/run-config';
import type { ComposeService } from './compose-model';

export interface RunTarget {
  params: RunParams;
  /** The api's container port the load goes to (published to the host); null: its first published port. */
  port: number | null;
  /** One line per value: what it is and where it came from. */
  explained: string[];
}

/** The first http(s) URL in a healthcheck's test command. */
export function healthcheckUrl(test: string[] | null): URL | null {
  if (!test) return null;
  const command = test.slice(test[0] === 'CMD' || test[0] === 'CMD-SHELL' ? 1 : 0).join(' ');
  if (!/\b(curl|wget)\b/.test(command)) return null;
  const match = /https?:\/\/[^\s"'|;&)<>]+/.exec(command);
  if (!match) return null;
  try {
    return new URL(match[0]);
  } catch {
    return null;
  }
}

export function inferRunTarget(api: ComposeService | null, given: TargetSettings): RunTarget {
  const explained: string[] = [];
  const healthUrl = healthcheckUrl(api?.healthcheck ?? null);
  const published = api?.ports.map((p) => p.target) ?? [];
  const apiName = api ? `service ${api.name}` : 'the api service';

  let healthPath: string;
  if (given.healthPath) {
    healthPath = given.healthPath;
    explained.push(`health check GET ${healthPath} (given)`);
  } else if (healthUrl) {
    healthPath = `${healthUrl.pathname}${healthUrl.search}`;
    explained.push(`health check GET ${healthPath} (from the healthcheck of ${apiName})`);
  } else {
    healthPath = given.request?.method === 'GET' ? given.request.path : '/';
    explained.push(
      `health check GET ${healthPath} (${apiName} has no curl/wget healthcheck; set health-path to choose)`,
    );
  }

  let line: { method: string; path: string };
  if (given.request) {
    line = given.request;
    explained.push(`request ${line.method} ${line.path} (given)`);
  } else if (healthUrl || given.healthPath) {
    line = { method: 'GET', path: healthPath };
    explained.push(`request GET ${healthPath} (the health check; set request to load a real endpoint)`);
  } else {
    line = { method: 'GET', path: '/' };
    explained.push('request GET / (nothing to infer it from; set request, e.g. "POST /v1/orders")');
  }
  const request: RequestParam = {
    method: line.method,
    path: line.path,
    ...(Object.keys(given.requestHeaders).length ? { headers: given.requestHeaders } : {}),
    ...(given.requestJson !== undefined ? { json: given.requestJson } : {}),
    ...(given.requestBody !== null ? { body: given.requestBody } : {}),
    expect: { status: given.expectStatus ?? [200] },
  };

  let port: number | null = null;
  const healthPort = healthUrl
    ? Number(healthUrl.port || (healthUrl.protocol === 'https:' ? 443 : 80))
    : null;
  if (healthPort !== null && published.includes(healthPort)) {
    port = healthPort;
    explained.push(`port ${port} (the healthcheck's port, published by ${apiName})`);
  } else if (published.length) {
    port = published[0];
    explained.push(`port ${port} (the first port ${apiName} publishes)`);
  }
  return { params: { request, health_path: healthPath }, port, explained };
}
