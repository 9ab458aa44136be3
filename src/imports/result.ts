// What an import gives `init`: the mix, and what it kept and dropped, each with why. Shared by
// the OpenAPI, HAR and access-log imports, with the rules the two recordings share (static
// assets, ids in paths, weights from counts). Pure.
import type { MixEntryInput } from '../config/request-mix';

export interface ImportResult {
  requests: MixEntryInput[];
  /** One line per request kept. */
  kept: string[];
  /** What was left out, grouped as the import saw it, each with why. */
  dropped: { what: string; why: string }[];
  /** How the mix was made (weights, values), one sentence each. */
  notes: string[];
  /** A comment written above a request, by its name (`init --explore`: what it reaches). */
  comments?: Record<string, string>;
}

/** A name for the mix: the operation's or the request's, made unique and free of braces. */
export function mixName(wanted: string, taken: Set<string>): string {
  const base =
    wanted
      .replace(/[{}]/g, '')
      .replace(/[^A-Za-z0-9_./-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'request';
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

const STATIC_EXTENSIONS =
  /\.(js|mjs|css|map|png|jpe?g|gif|webp|avif|svg|ico|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|wav|pdf|zip|gz|txt|xml|webmanifest)$/i;

/** Why a recorded request is a static asset (by extension or response type), or null when it is not. */
export function staticAsset(pathname: string, contentType = ''): string | null {
  const extension = STATIC_EXTENSIONS.exec(pathname);
  if (extension) return `a static .${extension[1].toLowerCase()} file`;
  if (/^(image|font|audio|video)\/|^text\/css|javascript/i.test(contentType))
    return `a static asset (${contentType.split(';')[0]})`;
  return null;
}

const ID_SEGMENT = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24,})$/i;

/** A path's id segments (numbers, UUIDs, long hex) as `{{id}}`, `{{id2}}`, ... and the ids seen. */
export function templatePath(pathname: string): { template: string; ids: string[] } {
  const ids: string[] = [];
  const template = pathname
    .split('/')
    .map((segment) => {
      if (!ID_SEGMENT.test(segment)) return segment;
      ids.push(segment);
      return `{{id${ids.length === 1 ? '' : ids.length}}}`;
    })
    .join('/');
  return { template, ids };
}

/** `item` for GET /item/{{id}}, `post-orders` for POST /orders, `root` for GET /. */
function readableName(method: string, template: string): string {
  const words = template.split('/').filter((segment) => segment && !segment.startsWith('{{'));
  const base = words.join('-') || 'root';
  return method === 'GET' ? base : `${method.toLowerCase()}-${base}`;
}

/** Up to this many distinct values of an id are kept for its `pick:`. */
const MAX_PICKED = 100;

export interface Observed {
  method: string;
  pathname: string;
  /** The query as recorded, with its leading `?`, or ''. */
  search: string;
  json?: unknown;
  body?: string;
  contentType?: string;
}

/**
 * Groups recorded requests by method, path template (ids as placeholders) and query: one mix
 * entry each, weighted by how often it was seen, its ids drawn from those seen (`pick:`).
 */
export function mixFromObserved(
  observed: Observed[],
  notes: string[],
): { requests: MixEntryInput[]; kept: string[] } {
  const groups = new Map<string, { first: Observed; count: number; ids: Set<string>[] }>();
  for (const request of observed) {
    const { template, ids } = templatePath(request.pathname);
    const key = `${request.method} ${template}${request.search}`;
    const group = groups.get(key) ?? { first: request, count: 0, ids: ids.map(() => new Set<string>()) };
    group.count++;
    ids.forEach((id, index) => group.ids[index]?.size < MAX_PICKED && group.ids[index].add(id));
    groups.set(key, group);
  }
  const sorted = [...groups.entries()].sort((a, b) => b[1].count - a[1].count);
  const total = sorted.reduce((n, [, group]) => n + group.count, 0);
  // Weights are whole and add up to at most 1000: a share of the traffic, at least 1.
  const scale = total > 1000 ? 1000 / total : 1;
  const names = new Set<string>();
  const requests = sorted.map(([, { first, count, ids }]): MixEntryInput => {
    const { template } = templatePath(first.pathname);
    const values = Object.fromEntries(
      ids.map((seen, index) => {
        const values = [...seen].map((id) => (/^\d{1,15}$/.test(id) ? Number(id) : id));
        return [`id${index === 0 ? '' : index + 1}`, { pick: values }];
      }),
    );
    return {
      name: mixName(readableName(first.method, template), names),
      weight: Math.max(1, Math.round(count * scale)),
      method: first.method,
      path: `${template}${first.search}`,
      ...(Object.keys(values).length ? { values } : {}),
      ...(first.json !== undefined
        ? { json: first.json }
        : first.body !== undefined
          ? { body: first.body }
          : {}),
      ...(first.contentType && first.body !== undefined
        ? { headers: { 'content-type': first.contentType } }
        : {}),
    };
  });
  if (requests.some((r) => r.values))
    notes.push('ids in paths (numbers, UUIDs, long hex) became {{id}} placeholders drawn from the ids seen');
  notes.push(
    `weights: how often each request was seen${scale < 1 ? ', scaled to add up to about 1000' : ''}`,
  );
  return {
    requests,
    kept: requests.map(
      (r, index) => `${r.method} ${r.path} as ${r.name}: seen ${sorted[index][1].count} times`,
    ),
  };
}

/** What an import passed over, once per kind, with how often: `GET /style.css (3×)`. */
export function droppedList(
  dropped: ReadonlyMap<string, { why: string; count: number }>,
): ImportResult['dropped'] {
  return [...dropped.entries()].map(([what, { why, count }]) => ({
    what: count > 1 ? `${what} (${count}×)` : what,
    why,
  }));
}
