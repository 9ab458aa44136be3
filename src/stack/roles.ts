// Built-in scenarios name roles (api, cache, telemetry, metrics, alerting, tracing), not services.
// A role becomes a compose service by, in order: the user's service map, a service labelled
// `dev.chaos-action.role=<role>`, or the stack's graph (graph.ts): the api is its entry, the
// cache, telemetry and metrics roles its first dependency of that kind, alerting an
// Alertmanager, tracing a Jaeger. Roles are resolved before anything starts (rolesFromModel).
import { composeLabel, serviceNames, type ComposeModel } from './compose-model';
import { buildStackGraph, type StackGraph } from './graph';
import { labelRoles, ROLE_LABEL } from './labels';

export { labelRoles, ROLE_LABEL };

export class RoleError extends Error {}

export type ServiceMap = Record<string, string>;

export interface RoleResolver {
  /** The compose service for a role or a service name; throws naming what exists. */
  service(roleOrService: string): string;
  /** The service for a role, or null when the stack has none (optional roles like alerting). */
  optional(role: string): string | null;
  services: string[];
  roles: Record<string, string>;
}

/** The roles of a stack as resolved before the run, with where each came from and the graph they came from. */
export interface ResolvedRoles extends RoleResolver {
  /** Where each role came from, in words (the service map, a label, the graph's evidence). */
  why: Record<string, string>;
  /** The stack as a graph, built with the service map's api as its entry. */
  graph: StackGraph;
}

/** Roles the graph gives: the entry, and the first dependency of a kind or product. */
export function rolesFromGraph(graph: StackGraph): { role: string; service: string; why: string }[] {
  const out: { role: string; service: string; why: string }[] = [];
  if (graph.entry)
    out.push({ role: 'api', service: graph.entry.service, why: `the entry: ${graph.entry.why}` });
  const first = (test: (s: StackGraph['dependencies'][number]) => boolean) => graph.dependencies.find(test);
  const add = (role: string, found: StackGraph['dependencies'][number] | undefined) => {
    if (found) out.push({ role, service: found.name, why: `${found.product} (${found.evidence})` });
  };
  add(
    'cache',
    first((s) => s.kind === 'cache'),
  );
  add(
    'telemetry',
    first((s) => s.kind === 'telemetry'),
  );
  add(
    'metrics',
    first((s) => s.product === 'prometheus') ??
      first((s) => s.kind === 'metrics' && s.product !== 'alertmanager'),
  );
  add(
    'alerting',
    first((s) => s.product === 'alertmanager'),
  );
  add(
    'tracing',
    first((s) => s.product === 'jaeger'),
  );
  return out;
}

/** The roles of a stack from its compose configuration and the user's service map. */
export function rolesFromModel(model: ComposeModel, serviceMap: ServiceMap): ResolvedRoles {
  const services = serviceNames(model);
  const roles: Record<string, string> = {};
  const why: Record<string, string> = {};
  const graph = buildStackGraph(model, { api: serviceMap.api });
  for (const service of model.services) {
    for (const role of labelRoles(service.labels[ROLE_LABEL]))
      if (!roles[role]) {
        roles[role] = service.name;
        why[role] = `labelled ${ROLE_LABEL}=${service.labels[ROLE_LABEL]}`;
      }
  }
  for (const { role, service, why: because } of rolesFromGraph(graph)) {
    if (roles[role]) continue;
    roles[role] = service;
    why[role] = because;
  }
  for (const [role, service] of Object.entries(serviceMap)) {
    if (!services.includes(service)) {
      throw new RoleError(
        `service-map: role "${role}" maps to service "${service}", which is not in ${composeLabel(model)} (services: ${services.join(', ')})`,
      );
    }
    roles[role] = service;
    why[role] = 'the service map';
  }
  const lookup = (name: string): string | null => roles[name] ?? (services.includes(name) ? name : null);
  return {
    services,
    roles,
    why,
    graph,
    optional: lookup,
    service(name: string): string {
      const found = lookup(name);
      if (found) return found;
      throw new RoleError(
        `no service plays the role "${name}": map it with service-map (e.g. "${name}=<service>") ` +
          `or label a service ${ROLE_LABEL}=${name} (services: ${services.join(', ')})`,
      );
    },
  };
}

/** Parses "api=web, cache=redis-main" (commas or newlines) into a map, with a clear error. */
export function parseServiceMap(text: string): ServiceMap {
  const map: ServiceMap = {};
  for (const raw of text.split(/[,\n]/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const match = /^([a-z][a-z0-9_-]*)\s*[=:]\s*([A-Za-z0-9][A-Za-z0-9_.-]*)$/.exec(entry);
    if (!match) throw new RoleError(`service-map: "${entry}" is not of the form role=service`);
    map[match[1]] = match[2];
  }
  return map;
}
