// Service roles: built-in scenarios name roles, a run maps them to the user's compose services.

export const ROLES = ['api', 'cache', 'telemetry', 'metrics', 'alerting', 'tracing'] as const;
export type Role = (typeof ROLES)[number];

/** What each role means, for docs and `chaos-action list`. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  api: 'the service that receives the load (its published port is the default load target)',
  cache: 'the cache or feature store the api reads from (Redis in the example)',
  telemetry: 'the telemetry collector the api exports to (OTLP)',
  metrics: 'Prometheus (queried for promql checks and alerts)',
  alerting: 'Alertmanager',
  tracing: 'a trace store with a Jaeger-compatible query API on port 16686 (read for trace checks)',
};

export function isRole(name: string): name is Role {
  return (ROLES as readonly string[]).includes(name);
}
