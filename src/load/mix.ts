// The requests a run sends, prepared once before any connection is opened: each request
// compiled (template.ts) with its own expectation, and a wheel that says which request the k-th
// send is. The wheel spreads each request's share evenly (smooth weighted round-robin, as nginx
// balances upstreams): with weights 3 and 1, every four sends hold three of the first and one
// of the second, interleaved, so every phase and every second gets its share, not only the
// run as a whole. A single `request` is a mix of one.
import { compileRequest, placeholderNames, TemplateError, type CompiledRequest } from './template';
import type { MixRequestSpec, RequestSpec, ResponseExpectation } from './types';
import { valueSource, ValueSpecError, type ValueSource } from './values';

/** The most a mix's weights may add up to: the wheel holds one slot per unit of weight. */
export const MAX_TOTAL_WEIGHT = 10_000;
export const MAX_REQUESTS = 256;

export interface PreparedEntry {
  name: string;
  weight: number;
  method: string;
  /** Path and query as written (placeholders kept), for listings. */
  path: string;
  request: CompiledRequest;
  expect: ResponseExpectation | null;
  /** Accepted statuses when `expect.status` lists them; else any 2xx is a success. */
  acceptedStatuses: Set<number> | null;
  /** The expectation when it reads bodies (text or JSON fields): only then are bodies kept. */
  bodyCheck: ResponseExpectation | null;
  /** HEAD: its responses carry no body whatever their headers say. */
  bodiless: boolean;
}

export interface PreparedMix {
  origin: string;
  entries: PreparedEntry[];
  /** The entry of each slot of the wheel; the k-th send takes slot k mod wheel length. */
  wheel: Uint16Array;
  /** For each slot: how many sends of its entry come before it in one turn of the wheel. */
  ordinals: Uint32Array;
}

/** Which entry the k-th send is, and which of that entry's sends (from 0): what its values follow. */
export function entryOf(mix: PreparedMix, k: number): { entry: number; ordinal: number } {
  const length = mix.wheel.length;
  const slot = k % length;
  const entry = mix.wheel[slot];
  return { entry, ordinal: Math.floor(k / length) * mix.entries[entry].weight + mix.ordinals[slot] };
}

/** Smooth weighted round-robin over whole weights: one turn of the wheel. */
export function buildWheel(weights: number[]): { wheel: Uint16Array; ordinals: Uint32Array } {
  const total = weights.reduce((a, b) => a + b, 0);
  const wheel = new Uint16Array(total);
  const ordinals = new Uint32Array(total);
  const current = weights.map(() => 0);
  const seen = weights.map(() => 0);
  for (let slot = 0; slot < total; slot++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    wheel[slot] = best;
    ordinals[slot] = seen[best]++;
  }
  return { wheel, ordinals };
}

/** Framing is the client's job (it sets content-length from the body); these would contradict it. */
const FRAMING_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Header names must be HTTP tokens and values single-line, or the request bytes would be corrupt. */
function headerProblems(headers: Record<string, string>, field: string): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name))
      problems.push(`${field}.headers: ${JSON.stringify(name)} is not a valid header name`);
    else if (FRAMING_HEADERS.has(name.toLowerCase()))
      problems.push(`${field}.headers.${name}: set by the load generator itself; remove it`);
    else if (typeof value !== 'string' || /[\r\n\0]/.test(value))
      problems.push(`${field}.headers.${name}: must be a single-line string`);
  }
  return problems;
}

/** The base URL of the run, or null with the problem recorded. */
function baseUrl(url: string, problems: string[]): URL | null {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    problems.push(
      `url: ${JSON.stringify(url)} is not a valid URL (write it like http://127.0.0.1:8080/path)`,
    );
    return null;
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    problems.push(`url: ${JSON.stringify(url)} must use http or https`);
    return null;
  }
  if (!base.hostname) {
    problems.push(`url: ${JSON.stringify(url)} has no host`);
    return null;
  }
  return base;
}

/** The path with each placeholder replaced by its first value: what the URL check reads. */
function samplePath(path: string, sources: Record<string, ValueSource>): string {
  return path.replace(/\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g, (whole, name: string) =>
    sources[name] ? encodeURIComponent(String(sources[name].next(0))) : whole,
  );
}

function prepareEntry(
  base: URL,
  spec: MixRequestSpec,
  field: string,
  problems: string[],
): PreparedEntry | null {
  const before = problems.length;
  const { method = 'GET', path, headers = {}, json, body } = spec;
  const weight = spec.weight ?? 1;
  if (!Number.isInteger(weight) || weight < 1 || weight > MAX_TOTAL_WEIGHT)
    problems.push(`${field}.weight: must be a whole number from 1 to ${MAX_TOTAL_WEIGHT} (got ${weight})`);
  if (!/^[A-Z]+$/i.test(method))
    problems.push(`${field}.method: ${JSON.stringify(method)} is not an HTTP method`);
  if (json !== undefined && body !== undefined) problems.push(`${field}: give json or body, not both`);
  problems.push(...headerProblems(headers, field));
  for (const status of spec.expect?.status ?? []) {
    if (!Number.isInteger(status) || status < 100 || status > 599)
      problems.push(`${field}.expect.status: ${JSON.stringify(status)} is not an HTTP status (100–599)`);
  }
  const sources: Record<string, ValueSource> = {};
  for (const [name, value] of Object.entries(spec.values ?? {})) {
    if (!/^[A-Za-z_][\w-]*$/.test(name)) {
      problems.push(
        `${field}.values: ${JSON.stringify(name)} is not a value name (letters, digits, _ and -)`,
      );
      continue;
    }
    try {
      sources[name] = valueSource(value, `${field}.values.${name}`);
    } catch (error) {
      if (!(error instanceof ValueSpecError)) throw error;
      problems.push(error.message);
    }
  }
  let target = base;
  if (path !== undefined) {
    try {
      target = new URL(samplePath(path, sources), base);
    } catch {
      problems.push(`${field}.path: ${JSON.stringify(path)} is not a valid path or URL`);
      return null;
    }
    if (target.origin !== base.origin)
      problems.push(`${field}.path: ${path} points to another origin than url`);
  }
  if (problems.length > before) return null;
  // The path as the request line carries it: relative to the base, placeholders kept.
  const written = path === undefined ? `${base.pathname}${base.search}` : pathAsSent(path, base);
  const upper = method.toUpperCase();
  const finalHeaders: Record<string, string> = { ...headers };
  const hasHeader = (name: string): boolean =>
    Object.keys(finalHeaders).some((key) => key.toLowerCase() === name);
  if (json !== undefined && !hasHeader('content-type')) finalHeaders['content-type'] = 'application/json';
  let request: CompiledRequest;
  try {
    request = compileRequest({
      method: upper,
      host: base.host,
      path: written,
      headers: finalHeaders,
      body:
        json !== undefined
          ? { kind: 'json', value: json }
          : body !== undefined
            ? { kind: 'raw', text: body }
            : null,
      values: sources,
    });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    problems.push(`${field}: ${error.message}`);
    return null;
  }
  const expect = spec.expect ?? null;
  return {
    name: spec.name,
    weight,
    method: upper,
    path: written,
    request,
    expect,
    acceptedStatuses: expect?.status?.length ? new Set(expect.status) : null,
    bodyCheck: expect && (expect.bodyContains !== undefined || expect.json) ? expect : null,
    bodiless: upper === 'HEAD',
  };
}

/**
 * A path (or absolute URL on the base's origin) as the request line carries it. Placeholders
 * are kept as written: URL parsing would percent-encode their braces.
 */
function pathAsSent(path: string, base: URL): string {
  const names = placeholderNames(path);
  const marked = names.reduce(
    (text, name, index) =>
      text.replace(new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`), `__chaos_value_${index}__`),
    path,
  );
  const url = new URL(marked, base);
  let out = `${url.pathname}${url.search}`;
  names.forEach((name, index) => (out = out.replace(`__chaos_value_${index}__`, `{{${name}}}`)));
  return out;
}

/**
 * Prepares what a run sends: `requests` (a mix) or the single `request` with `expect`, named
 * after its method and path. Problems are pushed as sentences; null when there is any.
 */
export function prepareMix(
  spec: { url: string; request?: RequestSpec; expect?: ResponseExpectation; requests?: MixRequestSpec[] },
  problems: string[],
): PreparedMix | null {
  const base = baseUrl(spec.url, problems);
  if (!base) return null;
  if (spec.requests !== undefined && (spec.request !== undefined || spec.expect !== undefined)) {
    problems.push('give requests (a mix, each with its own expect) or request with expect, not both');
    return null;
  }
  const single: MixRequestSpec = {
    ...(spec.request ?? {}),
    name: '',
    ...(spec.expect ? { expect: spec.expect } : {}),
  };
  const list = spec.requests ?? [single];
  const field = (index: number): string => (spec.requests ? `requests[${index}]` : 'request');
  if (list.length === 0) problems.push('requests: give at least one request');
  if (list.length > MAX_REQUESTS)
    problems.push(`requests: at most ${MAX_REQUESTS} requests (got ${list.length})`);
  const names = new Set<string>();
  if (spec.requests)
    list.forEach((entry, index) => {
      if (typeof entry.name !== 'string' || entry.name.trim() === '')
        problems.push(`${field(index)}.name: every request of a mix has a name`);
      else if (names.has(entry.name)) problems.push(`${field(index)}.name: "${entry.name}" is used twice`);
      names.add(entry.name);
    });
  const entries = list.map((entry, index) => prepareEntry(base, entry, field(index), problems));
  if (entries.some((entry) => entry === null) || problems.length) return null;
  const prepared = entries as PreparedEntry[];
  if (!spec.requests) prepared[0].name = `${prepared[0].method} ${prepared[0].path}`;
  const total = prepared.reduce((n, entry) => n + entry.weight, 0);
  if (total > MAX_TOTAL_WEIGHT) {
    problems.push(
      `requests: the weights add up to ${total}; at most ${MAX_TOTAL_WEIGHT} (give them as shares, e.g. 9 and 1)`,
    );
    return null;
  }
  return { origin: base.origin, entries: prepared, ...buildWheel(prepared.map((entry) => entry.weight)) };
}
