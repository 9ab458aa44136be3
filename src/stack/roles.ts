// Built-in scenarios name roles (api, cache, telemetry, metrics, alerting, tracing), not services.
// A role becomes a compose service by, in order: the user's service map, a service
// labelled `dev.chaos-action.role=<role>`, or a service named like the role. Roles are
// resolved from the compose configuration, before anything starts (rolesFromModel).
import { composeLabel, serviceNames, type ComposeModel } from './compose-model';

export const ROLE_LABEL = 'dev.chaos-action.role';

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

/** The roles a role label names: one, or several separated by commas (`telemetry,tracing`). */
export function labelRoles(label: string | undefined): string[] {
  return (label ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
}

/** The roles of a stack from its compose configuration and the user's service map. */
export function rolesFromModel(model: ComposeModel, serviceMap: ServiceMap): RoleResolver {
  const services = serviceNames(model);
  const roles: Record<string, string> = {};
  for (const service of model.services) {
    for (const role of labelRoles(service.labels[ROLE_LABEL])) if (!roles[role]) roles[role] = service.name;
  }
  for (const [role, service] of Object.entries(serviceMap)) {
    if (!services.includes(service)) {
      throw new RoleError(
        `service-map: role "${role}" maps to service "${service}", which is not in ${composeLabel(model)} (services: ${services.join(', ')})`,
      );
    }
    roles[role] = service;
  }
  const lookup = (name: string): string | null => roles[name] ?? (services.includes(name) ? name : null);
  return {
    services,
    roles,
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
