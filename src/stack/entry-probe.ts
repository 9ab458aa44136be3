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
  /** The request to load with, and why; null when nothing answered 2xx with a body. */
  request: { path: string; why: string } | null;
  /** The OpenAPI document found, and its parameter-free GET operations. */
  openapi: { path: string; operations: string[] } | null;
}

async function get(
  baseUrl: string,
  path: string,
): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const response = await request(new URL(path, `${baseUrl}/`), { headersTimeout: 5000, bodyTimeout: 5000 });
    return { status: response.statusCode, body: await response.body.text() };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

const answersWithBody = (r: { status: number; body: string } | { error: string }): boolean =>
  'status' in r && r.status >= 200 && r.status < 300 && r.body.trim().length > 0;

export async function probeEntry(baseUrl: string): Promise<EntryProbe> {
  const root = await get(baseUrl, '/');
  const rootText = 'status' in root ? `status ${root.status}, ${root.body.length} bytes` : root.error;
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
    return { root: rootText, request: { path: '/', why: `/ answered ${rootText}` }, openapi };
  for (const path of (openapi?.operations ?? []).filter((p) => !isHealthPath(p))) {
    const answer = await get(baseUrl, path);
    if (answersWithBody(answer) && 'status' in answer)
      return {
        root: rootText,
        request: {
          path,
          why: `from ${openapi?.path}: answered status ${answer.status}, ${answer.body.length} bytes (/ answered ${rootText})`,
        },
        openapi,
      };
  }
  return { root: rootText, request: null, openapi };
}
