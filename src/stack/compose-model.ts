// The stack as compose itself understands it, before anything starts: services, their images
// and builds, labels, healthchecks, ports, dependencies, networks and commands, read from
// `compose config` (v1 and v2 print the merged, interpolated files in slightly different shapes;
// both are parsed here). Every check that must happen before `up` (service names in scenarios,
// the stack's graph and roles, the load's target) reads this.
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ComposeError, ComposeStack } from './compose';

export interface ComposePort {
  /** The container port. */
  target: number;
  /** The host port, or null when compose picks one (ephemeral) or none is published. */
  published: number | null;
  protocol: string;
}

export interface ComposeService {
  name: string;
  image: string | null;
  labels: Record<string, string>;
  /** The healthcheck's `test` as compose normalised it (["CMD", ...] or ["CMD-SHELL", "..."]); null: none. */
  healthcheck: string[] | null;
  /** Ports published to the host (container ports only listed under `expose` are left out). */
  ports: ComposePort[];
  /** Container ports listed under `expose` (reachable from other services, not published). */
  expose: number[];
  /** How the image is built, when it is (`build:`); null: it is pulled. */
  build: ComposeBuild | null;
  /** How many containers run it (`deploy.replicas`, or v1's `scale`); 1 when not said. */
  replicas: number;
  /** `depends_on`, the short (a list) and the long form (a map with conditions) alike. */
  dependsOn: ComposeDependency[];
  /** The networks it joins (`default` when it names none). */
  networks: string[];
  /** `command` and `entrypoint` as words; [] when the image's own are used. */
  command: string[];
  entrypoint: string[];
  /** A memory limit is set (`mem_limit`, or `deploy.resources.limits.memory`). */
  memoryLimited: boolean;
}

export interface ComposeBuild {
  /** The build context as compose resolved it (absolute with v2 and v1). */
  context: string;
  /** The Dockerfile, relative to the context unless absolute. */
  dockerfile: string;
  /** The stage built (`target:`); null: the last one. */
  target: string | null;
  /** The Dockerfile's text when the compose file holds it (`dockerfile_inline`); null: read the file. */
  inline: string | null;
}

export interface ComposeDependency {
  service: string;
  /** service_started (the short form), service_healthy or service_completed_successfully. */
  condition: string;
}

export interface ComposeModel {
  /** The compose files, as given. */
  files: string[];
  services: ComposeService[];
}

/** Service names, sorted, as messages list them. */
export function serviceNames(model: ComposeModel): string[] {
  return model.services.map((s) => s.name).sort();
}

/** The files' base names for messages: "docker-compose.yml + docker-compose.naive.yml". */
export function composeLabel(model: ComposeModel): string {
  return model.files.map((f) => path.basename(f)).join(' + ');
}

/** Asks compose for the merged configuration (no engine needed). */
export async function readComposeModel(files: string[]): Promise<ComposeModel> {
  const stack = new ComposeStack({ files, project: 'chaos-action-config' });
  const result = await stack.compose(['config'], 60_000);
  if (result.code !== 0) {
    const message = (result.stderr || result.stdout)
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !/^(WARN|warning)/i.test(line))
      .join(' ')
      .slice(0, 500);
    throw new ComposeError(`compose file ${files.join(' + ')} is not valid: ${message}`);
  }
  return parseComposeConfig(result.stdout, files);
}

/** Parses `compose config` output (v1 or v2). Pure. */
export function parseComposeConfig(text: string, files: string[]): ComposeModel {
  const doc = (parseYaml(text) ?? {}) as { services?: Record<string, Record<string, unknown>> };
  const services = Object.entries(doc.services ?? {}).map(([name, raw]): ComposeService => ({
    name,
    image: typeof raw.image === 'string' ? raw.image : null,
    labels: labelsOf(raw.labels),
    healthcheck: healthcheckOf(raw.healthcheck),
    ports: portsOf(raw.ports),
    expose: exposeOf(raw.expose),
    build: buildOf(raw.build),
    replicas: replicasOf(raw),
    dependsOn: dependsOnOf(raw.depends_on),
    networks: networksOf(raw.networks),
    command: wordsOf(raw.command),
    entrypoint: wordsOf(raw.entrypoint),
    memoryLimited: memoryLimited(raw),
  }));
  return { files, services: services.sort((a, b) => a.name.localeCompare(b.name)) };
}

function labelsOf(raw: unknown): Record<string, string> {
  if (Array.isArray(raw)) {
    return Object.fromEntries(
      raw.map((entry) => {
        const text = String(entry);
        const eq = text.indexOf('=');
        return eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  if (raw && typeof raw === 'object')
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
  return {};
}

function healthcheckOf(raw: unknown): string[] | null {
  if (!raw || typeof raw !== 'object') return null;
  const { test, disable } = raw as { test?: unknown; disable?: unknown };
  if (disable === true) return null;
  if (typeof test === 'string') return ['CMD-SHELL', test];
  if (Array.isArray(test) && test.length > 0 && test[0] !== 'NONE') return test.map(String);
  return null;
}

/** v2 prints the long syntax; v1 the short one ("127.0.0.1:8080:80/tcp", "127.0.0.1::80", "80"). */
function portsOf(raw: unknown): ComposePort[] {
  if (!Array.isArray(raw)) return [];
  const out: ComposePort[] = [];
  for (const entry of raw) {
    if (entry && typeof entry === 'object') {
      const e = entry as { target?: unknown; published?: unknown; protocol?: unknown };
      const target = Number(e.target);
      if (!Number.isInteger(target)) continue;
      const published = e.published === undefined || e.published === '' ? null : Number(e.published);
      out.push({
        target,
        published: published !== null && Number.isInteger(published) ? published : null,
        protocol: typeof e.protocol === 'string' ? e.protocol : 'tcp',
      });
      continue;
    }
    const text = String(entry);
    const [spec, protocol = 'tcp'] = text.split('/');
    const parts = spec.split(':');
    const targetPart = parts[parts.length - 1];
    const publishedPart = parts.length >= 2 ? parts[parts.length - 2] : '';
    // Ranges ("8000-8002:8000-8002") publish several ports: take the first.
    const target = Number(targetPart.split('-')[0]);
    if (!Number.isInteger(target)) continue;
    const published = publishedPart === '' ? null : Number(publishedPart.split('-')[0]);
    out.push({ target, published: Number.isInteger(published) ? published : null, protocol });
  }
  return out;
}

function exposeOf(raw: unknown): number[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .map((entry) => Number(String(entry).split('/')[0].split('-')[0]))
    .filter((port) => Number.isInteger(port) && port > 0);
}

/** v2 prints `build: { context, dockerfile }`; v1 the same, or a bare context string. */
function buildOf(raw: unknown): ComposeBuild | null {
  if (typeof raw === 'string') return { context: raw, dockerfile: 'Dockerfile', target: null, inline: null };
  if (!raw || typeof raw !== 'object') return null;
  const b = raw as { context?: unknown; dockerfile?: unknown; target?: unknown; dockerfile_inline?: unknown };
  return {
    context: typeof b.context === 'string' ? b.context : '.',
    dockerfile: typeof b.dockerfile === 'string' ? b.dockerfile : 'Dockerfile',
    target: typeof b.target === 'string' ? b.target : null,
    inline: typeof b.dockerfile_inline === 'string' ? b.dockerfile_inline : null,
  };
}

function replicasOf(raw: Record<string, unknown>): number {
  const deploy = raw.deploy as { replicas?: unknown } | undefined;
  const n = Number(deploy?.replicas ?? raw.scale ?? 1);
  return Number.isInteger(n) && n >= 0 ? n : 1;
}

/** The short form is a list of names; the long form (and v2's output) a map name → { condition }. */
function dependsOnOf(raw: unknown): ComposeDependency[] {
  if (Array.isArray(raw))
    return raw.map((service) => ({ service: String(service), condition: 'service_started' }));
  if (!raw || typeof raw !== 'object') return [];
  return Object.entries(raw as Record<string, unknown>).map(([service, spec]) => ({
    service,
    condition:
      spec && typeof spec === 'object' && typeof (spec as { condition?: unknown }).condition === 'string'
        ? (spec as { condition: string }).condition
        : 'service_started',
  }));
}

function networksOf(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (raw && typeof raw === 'object') return Object.keys(raw);
  return ['default'];
}

/** A command as words: v2 prints a list, v1 may print the string as written. */
function wordsOf(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === 'string') return raw.split(/\s+/).filter(Boolean);
  return [];
}

function memoryLimited(raw: Record<string, unknown>): boolean {
  const deploy = raw.deploy as { resources?: { limits?: { memory?: unknown } } } | undefined;
  const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && v !== 0 && v !== '0';
  return given(raw.mem_limit) || given(deploy?.resources?.limits?.memory);
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
