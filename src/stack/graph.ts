// The stack as a graph, built once from `compose config`: the entry (the service that takes
// outside traffic), the application behind it (its instances: services built from the same
// context, or replicas), and every other service of the entry's chain as a dependency with a
// kind and the evidence for it (kinds.ts). `init`, the role resolver, the expansion of
// scenarios over dependencies and the report all read this; nothing else guesses. Pure, but
// for reading the Dockerfiles of built services (dockerfile.ts).
import path from 'node:path';
import { healthcheckUrl, type ComposeModel, type ComposeService } from './compose-model';
import { builtFrom } from './dockerfile';
import { kindOf, type DependencyKind, type KindEvidence, type ServiceKind } from './kinds';
import { labelRoles, ROLE_LABEL } from './labels';

export type Part = 'entry' | 'application' | 'dependency' | 'apart';

export interface GraphService {
  name: string;
  part: Part;
  kind: ServiceKind;
  product: string | null;
  /** Why the kind (image, port, command), in words. */
  evidence: string;
  /** Containers that run it (replicas). */
  replicas: number;
  /** The services it depends on, and with which condition. */
  dependsOn: ComposeService['dependsOn'];
  /** Why it has its part, in words. */
  why: string;
}

export interface Entry {
  service: string;
  /** The container port the load goes to; null: it publishes none (a target-url must be given). */
  port: number | null;
  path: string;
  why: string;
}

export interface Application {
  /** The instances' group name: the shared build context's folder, or the service's name. */
  name: string;
  /** The services that are instances of it (several when built from one context). */
  services: string[];
  /** Containers in all: each service's replicas added up. */
  instances: number;
  why: string;
}

export interface StackGraph {
  files: string[];
  /** Every service, in the model's order (by name). */
  services: GraphService[];
  entry: Entry | null;
  /** Why no entry was found, when none was. */
  noEntry: string | null;
  application: Application | null;
  /** The services with part `dependency`, in order. */
  dependencies: GraphService[];
}

export interface GraphOptions {
  /** The service the run config maps the api role to: it is the entry, whatever else holds. */
  api?: string;
}

/** Ports with a meaning other than HTTP for a person: a database's, TLS. */
const NOT_HTTP_PORTS = new Set([443, 22, 25, 53]);

function kindEvidence(service: ComposeService): KindEvidence {
  return kindOf({
    image: service.image,
    builtFrom: service.build ? builtFrom(service.build) : null,
    ports: [...service.ports.map((p) => p.target), ...service.expose],
    command: [...service.entrypoint, ...service.command],
  });
}

const isDependencyKind = (kind: ServiceKind): boolean => kind !== 'unknown' && kind !== 'proxy';

/** Who depends on whom, both ways. */
function dependents(model: ComposeModel): Map<string, string[]> {
  const by = new Map<string, string[]>(model.services.map((s) => [s.name, []]));
  for (const s of model.services) for (const d of s.dependsOn) by.get(d.service)?.push(s.name);
  return by;
}

function chooseEntry(
  model: ComposeModel,
  kinds: Map<string, KindEvidence>,
  options: GraphOptions,
): { entry: ComposeService | null; why: string } {
  const byName = (name: string) => model.services.find((s) => s.name === name) ?? null;
  if (options.api) {
    const given = byName(options.api);
    if (given) return { entry: given, why: 'the service map names it (api)' };
  }
  const labelled = model.services.find((s) => labelRoles(s.labels[ROLE_LABEL]).includes('api'));
  if (labelled) return { entry: labelled, why: `labelled ${ROLE_LABEL}=${labelled.labels[ROLE_LABEL]}` };
  const published = model.services.filter((s) => s.ports.some((p) => !NOT_HTTP_PORTS.has(p.target)));
  const candidates = published.filter((s) => !isDependencyKind(kinds.get(s.name)?.kind ?? 'unknown'));
  if (candidates.length === 0) {
    const what = published.length
      ? `only ${published.map((s) => `${s.name} (${kinds.get(s.name)?.product})`).join(', ')} publish${published.length === 1 ? 'es' : ''} ports, and ${published.length === 1 ? 'it is a dependency' : 'they are dependencies'}`
      : 'no service publishes a port';
    return { entry: null, why: what };
  }
  const dependedOn = dependents(model);
  const roots = candidates.filter((s) => (dependedOn.get(s.name) ?? []).length === 0);
  const pool = roots.length ? roots : candidates;
  // In front of the rest: a proxy; then a service whose healthcheck is an HTTP request.
  const score = (s: ComposeService): number =>
    (kinds.get(s.name)?.kind === 'proxy' ? 2 : 0) + (healthcheckUrl(s.healthcheck) ? 1 : 0);
  const pick = [...pool].sort((a, b) => score(b) - score(a))[0];
  const reasons = [`it publishes ${pick.ports.map((p) => p.target).join(', ')}`];
  if (roots.length) reasons.push('no service depends on it');
  if (kinds.get(pick.name)?.kind === 'proxy') reasons.push(`it is a proxy (${kinds.get(pick.name)?.why})`);
  else if (healthcheckUrl(pick.healthcheck)) reasons.push('its healthcheck is an HTTP request');
  const others = candidates.filter((s) => s !== pick).map((s) => s.name);
  if (others.length)
    reasons.push(
      `chosen over ${others.join(', ')}, which ${others.length === 1 ? 'also publishes' : 'also publish'} ports`,
    );
  return { entry: pick, why: reasons.join('; ') };
}

/** The container port the load goes to: the HTTP healthcheck's when published, else the first that can be HTTP. */
function entryPort(service: ComposeService): number | null {
  const url = healthcheckUrl(service.healthcheck);
  const published = service.ports.map((p) => p.target);
  if (url) {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (published.includes(port)) return port;
  }
  return published.find((p) => !NOT_HTTP_PORTS.has(p)) ?? published[0] ?? null;
}

/** Services built from the same context are instances of one application. */
function buildKey(service: ComposeService): string | null {
  return service.build ? path.resolve(service.build.context, service.build.dockerfile) : null;
}

function applicationOf(
  model: ComposeModel,
  entry: ComposeService,
  kinds: Map<string, KindEvidence>,
): Application {
  const byName = (name: string) => model.services.find((s) => s.name === name);
  // Behind a proxy, the application is what it depends on that is not a dependency kind.
  let core: ComposeService[] = [entry];
  let why = 'the entry is the application';
  if (kinds.get(entry.name)?.kind === 'proxy') {
    const behind = entry.dependsOn
      .map((d) => byName(d.service))
      .filter(
        (s): s is ComposeService =>
          s !== undefined && !isDependencyKind(kinds.get(s.name)?.kind ?? 'unknown'),
      )
      .filter((s) => kinds.get(s.name)?.kind !== 'proxy');
    if (behind.length) {
      core = behind;
      why = `the entry ${entry.name} is a proxy and depends on ${behind.map((s) => s.name).join(', ')}`;
    }
  }
  const keys = new Set(core.map(buildKey).filter((k): k is string => k !== null));
  // A service of a dependency kind is never an instance, even when it runs the application's
  // image with another command (a span sink built from the api's context).
  const services = model.services.filter(
    (s) =>
      core.includes(s) ||
      (buildKey(s) !== null &&
        keys.has(buildKey(s) as string) &&
        !isDependencyKind(kinds.get(s.name)?.kind ?? 'unknown')),
  );
  const shared = services.length > 1 && services.every((s) => buildKey(s) === buildKey(services[0]));
  const name =
    shared && services[0].build ? path.basename(services[0].build.context) || services[0].name : core[0].name;
  if (shared) why += `; ${services.map((s) => s.name).join(', ')} are built from the same context (${name})`;
  const instances = services.reduce((n, s) => n + s.replicas, 0);
  if (services.length === 1 && services[0].replicas > 1) why += `; ${services[0].replicas} replicas`;
  return { name, services: services.map((s) => s.name), instances, why };
}

/** The services reachable from the start ones through depends_on (either way) and shared networks. */
function chainOf(model: ComposeModel, start: string[]): Set<string> {
  const seen = new Set(start);
  const queue = [...start];
  while (queue.length) {
    const name = queue.shift();
    const current = model.services.find((s) => s.name === name);
    if (!current) continue;
    for (const other of model.services) {
      if (seen.has(other.name)) continue;
      const linked =
        current.dependsOn.some((d) => d.service === other.name) ||
        other.dependsOn.some((d) => d.service === current.name) ||
        current.networks.some((n) => other.networks.includes(n));
      if (linked) {
        seen.add(other.name);
        queue.push(other.name);
      }
    }
  }
  return seen;
}

export function buildStackGraph(model: ComposeModel, options: GraphOptions = {}): StackGraph {
  const kinds = new Map(model.services.map((s) => [s.name, kindEvidence(s)]));
  const { entry: entryService, why: entryWhy } = chooseEntry(model, kinds, options);
  const application = entryService ? applicationOf(model, entryService, kinds) : null;
  const chain = entryService ? chainOf(model, [entryService.name, ...(application?.services ?? [])]) : null;
  const services = model.services.map((s): GraphService => {
    const k = kinds.get(s.name) as KindEvidence;
    let part: Part;
    let why: string;
    if (s === entryService) {
      part = 'entry';
      why = entryWhy;
    } else if (application?.services.includes(s.name)) {
      part = 'application';
      why = application.services.length > 1 ? `instance of ${application.name}` : 'behind the entry';
    } else if (chain === null || chain.has(s.name)) {
      part = 'dependency';
      why = chain === null ? 'no entry was found' : "in the entry's chain (depends_on, shared networks)";
    } else {
      part = 'apart';
      why = "shares no network and no depends_on with the entry's chain";
    }
    return {
      name: s.name,
      part,
      kind: k.kind,
      product: k.product,
      evidence: k.why,
      replicas: s.replicas,
      dependsOn: s.dependsOn,
      why,
    };
  });
  const entry: Entry | null = entryService
    ? { service: entryService.name, port: entryPort(entryService), path: '/', why: entryWhy }
    : null;
  return {
    files: model.files,
    services,
    entry,
    noEntry: entryService ? null : entryWhy,
    application,
    dependencies: services.filter((s) => s.part === 'dependency'),
  };
}

/** A dependency's kind as scenarios and reports name it (a proxy in the chain is of no kind). */
export function dependencyKind(service: GraphService): DependencyKind {
  return service.kind === 'proxy' ? 'unknown' : service.kind;
}

/** One line per service, for `init` and the run's log: `  db        dependency  database (image mariadb:10-focal)`. */
export function describeGraph(graph: StackGraph): string[] {
  const width = Math.max(...graph.services.map((s) => s.name.length), 4);
  const lines = graph.services.map((s) => {
    const name = s.name.padEnd(width);
    const replicas = s.replicas > 1 ? `, ${s.replicas} replicas` : '';
    const waits = s.dependsOn.length
      ? `; depends on ${s.dependsOn.map((d) => (d.condition === 'service_started' ? d.service : `${d.service} (${d.condition.replace('service_', '')})`)).join(', ')}`
      : '';
    if (s.part === 'entry') return `${name}  entry        ${s.why}${waits}`;
    if (s.part === 'application')
      return `${name}  application  ${s.why}${s.kind === 'unknown' ? '' : `, ${s.product} (${s.evidence})`}${replicas}${waits}`;
    const kind = dependencyKind(s);
    const shown = kind === 'unknown' ? `unknown (${s.evidence})` : `${kind}: ${s.product} (${s.evidence})`;
    if (s.part === 'apart') return `${name}  apart        ${shown}; ${s.why}`;
    return `${name}  dependency   ${shown}${replicas}${waits}`;
  });
  return lines;
}
