// `chaos-action init --explore`: which requests reach which dependency, measured on the running
// stack rather than guessed from names. Each candidate request (an imported mix, the OpenAPI
// document's parameter-free GETs, links on /, a few common paths) is sent three times, one at a
// time, and around each send the IPv4 packets every dependency's containers received other than
// on loopback (so their own healthchecks do not count) are read from /proc/PID/net/snmp and
// /proc/PID/net/dev (receivedIpPackets). Between tries, a window of the same length with nothing
// sent is read the same way. Nothing is changed in any container: the counters are the kernel's,
// read from the host. A request reaches a dependency when the dependency received packets during every try
// and during at most one of the quiet windows beside them; a dependency that also receives
// packets when nothing is sent cannot be told apart, and is said so.
import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import type { MixEntryInput } from '../config/request-mix';
import { monotonicMs, sleep } from '../util/clock';
import { docker } from './docker';
import { isHealthPath } from './entry-probe';
import { listProjectContainers } from './targets';

/** A request to try: what it is and where it came from (for the comment beside it). */
export interface Candidate {
  name: string;
  method: string;
  path: string;
  from: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
}

/** Paths many applications serve; tried when nothing better names them. */
export const COMMON_PATHS = [
  '/',
  '/api',
  '/api/v1',
  '/items',
  '/products',
  '/users',
  '/orders',
  '/posts',
  '/blogs',
  '/health',
  '/healthz',
  '/status',
];

/** How many times each candidate is sent; every try must show the dependency's packets. */
export const TRIES = 3;
/** How long after an answer the counters are read again: a write after the answer still counts. */
const SETTLE_MS = 50;
/** How many candidates at most: each takes a second or so. */
const MAX_CANDIDATES = 24;

/**
 * The candidates in the order they are worth trying: an imported mix (the team's own traffic),
 * the OpenAPI document's parameter-free GETs, links on /, then the common paths; one per method
 * and path. Imported requests with generated values are left out (named in `skipped`). Pure.
 */
export function gatherCandidates(sources: {
  imported?: { source: string; requests: MixEntryInput[] };
  openapi?: { path: string; operations: string[] } | null;
  links?: string[];
  common?: string[];
}): { candidates: Candidate[]; skipped: string[] } {
  const candidates: Candidate[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  const add = (candidate: Candidate): void => {
    const key = `${candidate.method} ${candidate.path}`;
    if (seen.has(key) || candidates.length >= MAX_CANDIDATES) return;
    seen.add(key);
    candidates.push(candidate);
  };
  for (const entry of sources.imported?.requests ?? []) {
    const method = (entry.method ?? 'GET').toUpperCase();
    if (entry.values && Object.keys(entry.values).length) {
      skipped.push(`${entry.name} (${method} ${entry.path}): its values are generated; not tried`);
      continue;
    }
    add({
      name: entry.name,
      method,
      path: entry.path,
      from: sources.imported?.source ?? 'the import',
      ...(entry.headers
        ? { headers: Object.fromEntries(Object.entries(entry.headers).map(([k, v]) => [k, String(v)])) }
        : {}),
      ...(entry.json !== undefined ? { json: entry.json } : {}),
      ...(entry.body !== undefined ? { body: entry.body } : {}),
    });
  }
  for (const path of sources.openapi?.operations ?? [])
    add({ name: nameOf('GET', path), method: 'GET', path, from: sources.openapi?.path ?? 'OpenAPI' });
  for (const path of sources.links ?? [])
    add({ name: nameOf('GET', path), method: 'GET', path, from: 'a link on /' });
  for (const path of sources.common ?? [])
    add({ name: nameOf('GET', path), method: 'GET', path, from: 'a common path' });
  return { candidates, skipped };
}

function nameOf(method: string, path: string): string {
  const base = path.replace(/^\/+|\/+$/g, '').replace(/[^A-Za-z0-9_.-]+/g, '-') || 'root';
  return method === 'GET' ? base : `${method.toLowerCase()}-${base}`;
}

/** One try of a candidate: what it answered and the packets each dependency received meanwhile. */
export interface Try {
  answer: number | string;
  packets: Record<string, number>;
}

export interface Measured {
  candidate: Candidate;
  tries: Try[];
  /** The packets each dependency received in the quiet windows beside the tries (nothing sent). */
  quiet: Record<string, number>[];
  /** Dependencies that received packets in every try, and in at most one quiet window. */
  reaches: string[];
  /** Dependencies with packets in some tries only (a cache in the application, or chance). */
  sometimes: string[];
  /** Dependencies with packets in every try but also in the quiet windows: cannot be told. */
  unclear: string[];
}

/**
 * Which dependencies a candidate reaches, from its tries and the quiet windows beside them:
 * packets in every try, and in at most one quiet window (a scrape or a batch export falling
 * into one is chance; into most, the dependency is busy on its own). Pure.
 */
export function attribute(
  tries: Try[],
  quiet: Record<string, number>[],
  dependencies: string[],
): Pick<Measured, 'reaches' | 'sometimes' | 'unclear'> {
  const reaches: string[] = [];
  const sometimes: string[] = [];
  const unclear: string[] = [];
  const withPackets = (windows: Record<string, number>[], d: string) =>
    windows.filter((w) => (w[d] ?? 0) > 0).length;
  for (const dependency of dependencies) {
    const seen = withPackets(
      tries.map((t) => t.packets),
      dependency,
    );
    if (tries.length > 0 && seen === tries.length) {
      if (withPackets(quiet, dependency) <= 1) reaches.push(dependency);
      else unclear.push(dependency);
    } else if (seen > 0) sometimes.push(dependency);
  }
  return { reaches, sometimes, unclear };
}

/** Dependencies with packets in more than half of all quiet windows: busy on their own. Pure. */
export function busyDependencies(quiet: Record<string, number>[], dependencies: string[]): string[] {
  return dependencies.filter(
    (d) => quiet.length > 0 && quiet.filter((w) => (w[d] ?? 0) > 0).length * 2 > quiet.length,
  );
}

/**
 * The fewest requests that together reach every reachable dependency (greedy: the one reaching
 * most not yet reached first; among equals, the earlier candidate), and the dependencies no
 * request reached. Only requests that answered below 500 every time count. Pure.
 */
export function coveringMix(
  measured: Measured[],
  dependencies: string[],
): { chosen: Measured[]; unreached: string[] } {
  // A health endpoint that pings the database is no user's request: others first, then it.
  const usable = measured
    .filter(
      (m) => m.reaches.length > 0 && m.tries.every((t) => typeof t.answer === 'number' && t.answer < 500),
    )
    .sort((a, b) => Number(isHealthPath(a.candidate.path)) - Number(isHealthPath(b.candidate.path)));
  const left = new Set(dependencies.filter((d) => usable.some((m) => m.reaches.includes(d))));
  const chosen: Measured[] = [];
  while (left.size > 0) {
    let best: Measured | null = null;
    let bestCount = 0;
    for (const m of usable) {
      const count = m.reaches.filter((d) => left.has(d)).length;
      if (count > bestCount) [best, bestCount] = [m, count];
    }
    if (!best) break;
    chosen.push(best);
    for (const d of best.reaches) left.delete(d);
  }
  const reached = new Set(chosen.flatMap((m) => m.reaches));
  return { chosen, unreached: dependencies.filter((d) => !reached.has(d)) };
}

/** Packets each interface received, from a /proc/PID/net/dev text. Pure. */
export function interfacePackets(netDev: string): Map<string, number> {
  const packets = new Map<string, number>();
  for (const line of netDev.split('\n').slice(2)) {
    const match = /^\s*([^:\s]+):\s*(\d+)\s+(\d+)/.exec(line);
    if (match) packets.set(match[1], Number(match[3]));
  }
  return packets;
}

/**
 * The IPv4 packets a network namespace received other than on loopback: its `Ip: InReceives`
 * (/proc/PID/net/snmp, every interface) less what loopback received (/proc/PID/net/dev; with
 * IPv6 off in the container, Docker's default, loopback carries IPv4 only). Not the interfaces'
 * own counts: those include ARP and the IPv6 link-local traffic (router solicitations,
 * multicast listener reports) that arrives for some seconds after containers join a network,
 * whatever is sent. In a CI run it landed in two of the three quiet windows of the only
 * candidate measured, and redis was reported busy. Pure.
 */
export function receivedIpPackets(snmp: string, netDev: string): number {
  const lines = snmp.split('\n').filter((line) => line.startsWith('Ip:'));
  const names = (lines[0] ?? '').split(/\s+/);
  const values = (lines[1] ?? '').split(/\s+/);
  const at = names.indexOf('InReceives');
  const received = at > 0 ? Number(values[at]) : NaN;
  if (!Number.isFinite(received)) throw new Error('no Ip InReceives counter in /proc/PID/net/snmp');
  return received - (interfacePackets(netDev).get('lo') ?? 0);
}

/** The main process of each running container of each dependency service. */
async function dependencyPids(project: string, dependencies: string[]): Promise<Map<string, number[]>> {
  const pids = new Map<string, number[]>(dependencies.map((d) => [d, []]));
  for (const container of await listProjectContainers(project)) {
    if (!pids.has(container.service) || container.state !== 'running') continue;
    const pid = (await docker().getContainer(container.id).inspect()).State.Pid;
    if (pid > 0) pids.get(container.service)?.push(pid);
  }
  return pids;
}

async function readCounters(pids: Map<string, number[]>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [dependency, list] of pids) {
    let total = 0;
    for (const pid of list)
      total += receivedIpPackets(
        await readFile(`/proc/${pid}/net/snmp`, 'utf8'),
        await readFile(`/proc/${pid}/net/dev`, 'utf8'),
      );
    counts[dependency] = total;
  }
  return counts;
}

// At least 0: IPv6 on loopback (a container with IPv6 on) is taken off the IPv4 count too.
const difference = (after: Record<string, number>, before: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys(after).map((k) => [k, Math.max(0, after[k] - (before[k] ?? 0))]));

async function send(baseUrl: string, candidate: Candidate): Promise<number | string> {
  try {
    const headers: Record<string, string> = { ...(candidate.headers ?? {}) };
    let body: string | undefined = candidate.body;
    if (candidate.json !== undefined) {
      body = JSON.stringify(candidate.json);
      headers['content-type'] ??= 'application/json';
    }
    const response = await request(new URL(candidate.path, `${baseUrl}/`), {
      method: candidate.method as 'GET',
      headers,
      body,
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    await response.body.dump();
    return response.statusCode;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export interface Exploration {
  dependencies: string[];
  /** Dependencies with packets in more than half of all quiet windows. */
  busy: string[];
  measured: Measured[];
  /** Candidates not measured: 404/405 or no answer on a first try. */
  notServed: string[];
}

/** How long the stack is left alone once it serves, before the first window. */
const SETTLE_AFTER_READY_MS = 1000;

/**
 * Measures every candidate against the running project: each candidate that answers (not
 * 404/405, not an error) on a first send is sent TRIES more times, the counters read around
 * each send, and before each try a quiet window of the previous try's length is read too.
 */
export async function exploreRequests(
  project: string,
  baseUrl: string,
  dependencies: string[],
  candidates: Candidate[],
  say: (line: string) => void,
): Promise<Exploration> {
  const pids = await dependencyPids(project, dependencies);
  for (const [dependency, list] of pids)
    if (list.length === 0) say(`explore: ${dependency} has no running container; nothing can reach it`);
  await sleep(SETTLE_AFTER_READY_MS);
  const measured: Measured[] = [];
  const notServed: string[] = [];
  for (const candidate of candidates) {
    const first = await send(baseUrl, candidate);
    if (typeof first !== 'number' || first === 404 || first === 405) {
      notServed.push(
        `${candidate.method} ${candidate.path}: ${typeof first === 'number' ? `status ${first}` : first}`,
      );
      continue;
    }
    const tries: Try[] = [];
    const quiet: Record<string, number>[] = [];
    let windowMs = 100;
    for (let i = 0; i < TRIES; i++) {
      const idleFrom = await readCounters(pids);
      await sleep(windowMs);
      quiet.push(difference(await readCounters(pids), idleFrom));
      const before = await readCounters(pids);
      const started = monotonicMs();
      const answer = await send(baseUrl, candidate);
      await sleep(SETTLE_MS);
      tries.push({ answer, packets: difference(await readCounters(pids), before) });
      windowMs = Math.max(100, monotonicMs() - started);
    }
    measured.push({ candidate, tries, quiet, ...attribute(tries, quiet, dependencies) });
  }
  return {
    dependencies,
    busy: busyDependencies(
      measured.flatMap((m) => m.quiet),
      dependencies,
    ),
    measured,
    notServed,
  };
}

/** One line per measured candidate and a closing one on what no request reached, for init's output. */
export function describeExploration(exploration: Exploration): string[] {
  const lines: string[] = [];
  for (const dependency of exploration.busy)
    lines.push(
      `explore: ${dependency} received packets in most windows when nothing was sent: a request reaching it cannot be told apart`,
    );
  for (const m of exploration.measured) {
    const answers = [...new Set(m.tries.map((t) => t.answer))].join('/');
    const packets = (d: string) => m.tries.map((t) => t.packets[d] ?? 0).join('+');
    const reach = m.reaches.length
      ? `reaches ${m.reaches.map((d) => `${d} (${packets(d)} packets)`).join(', ')}`
      : 'reaches no dependency';
    const partly =
      (m.sometimes.length ? `; ${m.sometimes.join(', ')} in some tries only` : '') +
      (m.unclear.length ? `; ${m.unclear.join(', ')} busy when nothing was sent too` : '');
    lines.push(
      `explore: ${m.candidate.method} ${m.candidate.path} (${m.candidate.from}) answered ${answers}: ${reach}${partly}`,
    );
  }
  if (exploration.notServed.length) lines.push(`explore: not served: ${exploration.notServed.join('; ')}`);
  return lines;
}

/** The covering mix as mix entries, each with the evidence comment written above it. */
export function exploredMix(exploration: Exploration): {
  requests: MixEntryInput[];
  comments: Record<string, string>;
  unreached: string[];
} {
  const { chosen, unreached } = coveringMix(exploration.measured, exploration.dependencies);
  const comments: Record<string, string> = {};
  const requests = chosen.map((m): MixEntryInput => {
    const statuses = [...new Set(m.tries.map((t) => t.answer as number))].sort();
    comments[m.candidate.name] =
      `reaches ${m.reaches.join(', ')} (packets in each of ${m.tries.length} tries; from ${m.candidate.from})`;
    return {
      name: m.candidate.name,
      method: m.candidate.method as MixEntryInput['method'],
      path: m.candidate.path,
      ...(m.candidate.headers && Object.keys(m.candidate.headers).length
        ? { headers: m.candidate.headers }
        : {}),
      ...(m.candidate.json !== undefined ? { json: m.candidate.json } : {}),
      ...(m.candidate.body !== undefined ? { body: m.candidate.body } : {}),
      expect: { status: statuses.length === 1 ? statuses[0] : statuses },
      reaches: m.reaches,
    };
  });
  return { requests, comments, unreached };
}
