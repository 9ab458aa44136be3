// The probes' one HTTP client: undici through a dispatcher of our own. The addresses probed are
// the stack's own (published ports on loopback, the compose network, a cluster's Prometheus), so
// a request must never leave through a proxy: not HTTP(S)_PROXY, not NODE_USE_ENV_PROXY (Node's
// fetch and undici share one global dispatcher, which that variable turns into a proxy agent),
// not a global dispatcher some other code installed. An explicit Agent ignores all of them.
import { Agent, request } from 'undici';

/** Connects straight to the address asked for, whatever the environment says about proxies. */
export const DIRECT = new Agent({ keepAliveTimeout: 4_000 });

export interface ProbeResponse {
  status: number;
  /** The body as text (a probe's answers are small). */
  text: string;
}

export interface ProbeRequest {
  method?: string;
  /** Query parameters, appended to the URL. */
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange, from connecting to the body's last byte. */
  timeoutMs: number;
}

/** One request, answered with its status and body; rejects when there is no answer at all. */
export async function probeRequest(url: string, options: ProbeRequest): Promise<ProbeResponse> {
  const target = new URL(url);
  for (const [key, value] of Object.entries(options.query ?? {})) target.searchParams.set(key, String(value));
  const response = await request(target, {
    dispatcher: DIRECT,
    method: (options.method ?? 'GET') as 'GET',
    headers: options.headers,
    body: options.body,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  return { status: response.statusCode, text: await response.body.text() };
}

/** The body parsed as JSON, or undefined when it is not JSON (the caller says what it expected). */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
