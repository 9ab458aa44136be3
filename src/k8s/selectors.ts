// Where a scenario's targets live on a cluster: the service map's Kubernetes form,
// `api=app=web,cache=app.kubernetes.io/name=redis@redis`. Each entry maps a role or a compose
// service name to a label selector (one or more `key=value` joined by `+`) and, after `@`, the
// container name (needed by faults that act on one container). Pure.
import { ConfigError } from '../config/errors';

export interface PodSelector {
  /** What the scenario names: a role (`cache`) or a compose service (`redis`). */
  name: string;
  labels: Record<string, string>;
  container: string | null;
}

export type SelectorMap = Map<string, PodSelector>;

// Kubernetes label keys: an optional DNS prefix and a name; values: up to 63 name characters.
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const CONTAINER = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Parses `--service-map` (comma- or newline-separated entries). `source` names the flag or file for errors. */
export function parseSelectorMap(text: string, source = '--service-map'): SelectorMap {
  const map: SelectorMap = new Map();
  const entries = text
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const bad = (why: string): never => {
      throw ConfigError.single(source, null, 'service-map', `"${entry}": ${why}`);
    };
    const eq = entry.indexOf('=');
    if (eq <= 0) bad('write it as NAME=label=value, e.g. cache=app.kubernetes.io/name=redis');
    const name = entry.slice(0, eq).trim();
    let rest = entry.slice(eq + 1).trim();
    let container: string | null = null;
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
      container = rest.slice(at + 1).trim();
      rest = rest.slice(0, at).trim();
      if (!CONTAINER.test(container)) bad(`"${container}" is not a container name`);
    }
    const labels: Record<string, string> = {};
    for (const pair of rest.split('+')) {
      const i = pair.indexOf('=');
      if (i <= 0) bad(`"${pair}" is not a label selector (key=value)`);
      const key = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (!LABEL_KEY.test(key)) bad(`"${key}" is not a Kubernetes label key`);
      if (!LABEL_VALUE.test(value)) bad(`"${value}" is not a Kubernetes label value`);
      labels[key] = value;
    }
    if (map.has(name)) bad(`"${name}" is mapped twice`);
    map.set(name, { name, labels, container });
  }
  return map;
}

/** The selector for a scenario target (role first, then service), or a ConfigError naming what is missing. */
export function selectorFor(
  map: SelectorMap,
  names: readonly string[],
  where: { file: string; line: number | null },
): PodSelector {
  for (const name of names) {
    const found = map.get(name);
    if (found) return found;
  }
  throw ConfigError.single(
    where.file,
    where.line,
    'target',
    `no Kubernetes selector for ${names.map((n) => `"${n}"`).join(' or ')}: add it to --service-map, e.g. ${names[0]}=app=${names[0]}`,
  );
}
