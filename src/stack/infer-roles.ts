// `chaos-action init`'s guess at a stack's roles, from what compose says about each service:
// a role label wins; otherwise the service's name and image (redis, valkey, memcached or keydb
// play the cache; otel-collector, jaeger, tempo or zipkin the telemetry sink, and jaeger the
// tracing store as well; prometheus the metrics; alertmanager the alerting), and the api is the
// service with a published port and a healthcheck. Pure; every guess comes with its reason.
import type { Role } from '../config/roles';
import type { ComposeModel, ComposeService } from './compose-model';
import { labelRoles, ROLE_LABEL } from './roles';
import { healthcheckUrl } from './run-target';

export interface RoleGuess {
  role: Role;
  service: string;
  why: string;
}

// shared: the role may go to a service that already plays another (Jaeger receives and stores traces).
const BY_NAME: { role: Exclude<Role, 'api'>; words: string[]; shared?: boolean }[] = [
  { role: 'cache', words: ['redis', 'valkey', 'memcached', 'keydb'] },
  {
    role: 'telemetry',
    words: [
      'otel-collector',
      'opentelemetry-collector',
      'otelcol',
      'jaeger',
      'jaegertracing',
      'tempo',
      'zipkin',
    ],
  },
  { role: 'metrics', words: ['prometheus'] },
  { role: 'tracing', words: ['jaeger', 'jaegertracing'], shared: true },
  { role: 'alerting', words: ['alertmanager'] },
];

/** The image's repository without the tag or digest: "docker.io/bitnami/redis:7" → "docker.io/bitnami/redis". */
function imageName(image: string | null): string {
  if (!image) return '';
  const [repository] = image.split('@');
  const slash = repository.lastIndexOf('/');
  const colon = repository.lastIndexOf(':');
  return colon > slash ? repository.slice(0, colon) : repository;
}

/** A whole word (or hyphenated words) of `text`: "redis" in "redis-main", not in "redistribute". */
function hasWord(text: string, word: string): boolean {
  return new RegExp(`(^|[^a-z0-9])${word.replace(/-/g, '[-_]?')}([^a-z0-9]|$)`).test(text.toLowerCase());
}

function byNameOrImage(service: ComposeService, words: string[]): string | null {
  for (const word of words) {
    if (hasWord(service.name, word)) return `its name "${service.name}"`;
    const image = imageName(service.image);
    if (hasWord(image, word)) return `its image ${service.image}`;
  }
  return null;
}

export function guessRoles(model: ComposeModel): { roles: RoleGuess[]; notes: string[] } {
  const roles: RoleGuess[] = [];
  const notes: string[] = [];
  const taken = new Set<string>();
  const give = (guess: RoleGuess): void => {
    if (roles.some((r) => r.role === guess.role)) return;
    roles.push(guess);
    taken.add(guess.service);
  };
  for (const service of model.services) {
    const label = service.labels[ROLE_LABEL];
    for (const role of labelRoles(label))
      give({ role: role as Role, service: service.name, why: `labelled ${ROLE_LABEL}=${label}` });
  }
  for (const { role, words, shared } of BY_NAME) {
    if (roles.some((r) => r.role === role)) continue;
    const matches = model.services
      .filter((s) => shared || !taken.has(s.name))
      .map((s) => ({ service: s, why: byNameOrImage(s, words) }))
      .filter((m): m is { service: ComposeService; why: string } => m.why !== null);
    if (matches.length === 0) continue;
    give({ role, service: matches[0].service.name, why: matches[0].why });
    if (matches.length > 1)
      notes.push(
        `${role}: chose ${matches[0].service.name} of ${matches.map((m) => m.service.name).join(', ')}; change service-map to pick another`,
      );
  }
  if (!roles.some((r) => r.role === 'api')) {
    const candidates = model.services.filter(
      (s) => !taken.has(s.name) && s.ports.length > 0 && s.healthcheck !== null,
    );
    // An HTTP healthcheck is the best sign of an HTTP api.
    const http = candidates.filter((s) => healthcheckUrl(s.healthcheck) !== null);
    const pick = http[0] ?? candidates[0];
    if (pick) {
      give({
        role: 'api',
        service: pick.name,
        why: `it publishes port ${pick.ports.map((p) => p.target).join(', ')} and has a${http.length ? 'n HTTP' : ''} healthcheck`,
      });
      const others = (http.length ? http : candidates).filter((s) => s !== pick);
      if (others.length)
        notes.push(
          `api: chose ${pick.name} over ${others.map((s) => s.name).join(', ')}; change service-map to pick another`,
        );
    }
  }
  return { roles, notes };
}
