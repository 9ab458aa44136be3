// What the entry answers, looked at once the stack serves (`chaos-action init --probe`): whether
// its root `/` answers 2xx with a body (then it is the default request), else the first
// parameter-free GET of an OpenAPI document at a well-known path that does and is not a health
// endpoint; and every parameter-free GET of that document, offered as requests to choose from.
import { request } from 'undici';

export const OPENAPI_PATHS = ['/openapi.json', '/swagger.json', '/v3/api-docs', '/api-docs'];

/** A health, readiness or metrics endpoint exercises nothing: never the default request. */
export function isHealthPath(path: string): boolean {
  return /(^|\/)(health|healthz|healthcheck|ready|readyz|readiness|live|livez|liveness|ping|status|metrics)(\/|$|\?)/i.test(
    path,
  );
}

/** The GET operations of an OpenAPI (or Swagger 2) document that need no parameter. Pure. */
export function parameterFreeGets(doc: unknown): string[] {
  if (!doc || typeof doc !== 'object') return [];
  const d = doc as { paths?: Record<string, unknown>; basePath?: unknown; servers?: { url?: unknown }[] };
  const base = typeof d.basePath === 'string' ? d.basePath.replace(/\/$/, '') : '';
  const out: string[] = [];
  for (const [path, item] of Object.entries(d.paths ?? {})) {
    if (!item || typeof item !== 'object' || /[{}]/.test(path)) continue;
    const get = (item as { get?: unknown }).get;
    if (!get || typeof get !== 'object') continue;
    const required = (list: unknown): boolean =>
      Array.isArray(list) &&
      list.some(
        (p) =>
          p &&
          typeof p === 'object' &&
          ((p as { required?: unknown }).required === true || (p as { in?: unknown }).in === 'path'),
      );
    if (
      required((item as { parameters?: unknown }).parameters) ||
      required((get as { parameters?: unknown }).parameters)
    )
      continue;
    out.push(`${base}${path}`);
  }
  return out;
}

export interface EntryProbe {
  /** What `/` answered: its status and body size, or the error. */
  root: string;
  /** The same-origin links on `/`, when it answered an HTML page (`init --explore` tries them). */
  links: string[];
  /** The request to load with, and why; null when nothing answered 2xx with a body. */
  request: { path: string; why: string } | null;
  /** The OpenAPI document found, and its parameter-free GET operations. */
  openapi: { path: string; operations: string[] } | null;
}

const STATIC = /\.(js|mjs|css|map|png|jpe?g|gif|webp|avif|svg|ico|woff2?|ttf|eot|pdf|zip|gz|txt|xml)$/i;

/**
 * Same-origin links of an HTML page, as absolute paths: no query, fragment, asset, other host,
 * `..`, or anything with whitespace or a control character (a page's text is printed and
 * written into chaos-action.yml). Pure.
 */
export function linksOn(html: string): string[] {
  const out = new Set<string>();
  for (const match of html.matchAll(/\bhref\s*=\s*["']([^"'#?]*)[^"']*["']/gi)) {
    const href = match[1].trim();
    if (href === '' || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) continue;
    // eslint-disable-next-line no-control-regex
    if (/[\s\x00-\x1f\x7f]/.test(href)) continue;
    const path = href.startsWith('/') ? href : `/${href.replace(/^\.\//, '')}`;
    if (STATIC.test(path) || /\.\./.test(path)) continue;
    out.add(path);
  }
  return [...out];
}

async function get(
  baseUrl: string,
  path: string,
): Promise<{ status: number; body: string; html: boolean } | { error: string }> {
  try {
    const response = await request(new URL(path, `${baseUrl}/`), { headersTimeout: 5000, bodyTimeout: 5000 });
    const type = String(response.headers['content-type'] ?? '');
    return { status: response.statusCode, body: await response.body.text(), html: type.includes('html') };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

const answersWithBody = (r: { status: number; body: string } | { error: string }): boolean =>
  'status' in r && r.status >= 200 && r.status < 300 && r.body.trim().length > 0;

export async function probeEntry(baseUrl: string): Promise<EntryProbe> {
  const root = await get(baseUrl, '/');
  const rootText = 'status' in root ? `status ${root.status}, ${root.body.length} bytes` : root.error;
  const links = 'status' in root && root.html ? linksOn(root.body) : [];
  let openapi: EntryProbe['openapi'] = null;
  for (const path of OPENAPI_PATHS) {
    const answer = await get(baseUrl, path);
    if (!('status' in answer) || answer.status !== 200) continue;
    try {
      const operations = parameterFreeGets(JSON.parse(answer.body));
      openapi = { path, operations };
      break;
    } catch {
      continue;
    }
  }
  if (answersWithBody(root))
    return { root: rootText, links, request: { path: '/', why: `/ answered ${rootText}` }, openapi };
  for (const path of (openapi?.operations ?? []).filter((p) => !isHealthPath(p))) {
    const answer = await get(baseUrl, path);
    if (answersWithBody(answer) && 'status' in answer)
      return {
        root: rootText,
        links,
        request: {
          path,
          why: `from ${openapi?.path}: answered status ${answer.status}, ${answer.body.length} bytes (/ answered ${rootText})`,
        },
        openapi,
      };
  }
  return { root: rootText, links, request: null, openapi };
}
