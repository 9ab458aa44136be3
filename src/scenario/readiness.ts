// Ready means serving: a stack is ready when its entry answers the run's health check, not
// when its containers run (a container without a healthcheck counts as running the moment its
// process starts, long before it listens). Before every scenario the engine waits, up to the
// run's ready-timeout, for the check to hold twice in a row (once could be a proxy's lucky
// upstream), and says what it waits for and, when it gives up, how long it waited and what the
// entry answered last.
import { formatDuration } from '../config/duration';
import { probeHttp } from '../probes/http';

export interface ServingCheck {
  /** The entry's base URL. */
  targetUrl: string;
  path: string;
  /** 200, a list, or '< 500' as in the run's health_status. */
  status: number | number[] | string;
}

export interface ReadyResult {
  ok: boolean;
  waitedMs: number;
  /** The last answer, in words: "status 502, expected below 500", "SocketError: other side closed". */
  last: string;
}

/** The check in words: `GET http://172.18.0.3:80/ answering any status below 500`. */
export function describeServingCheck(check: ServingCheck): string {
  return `GET ${new URL(check.path, `${check.targetUrl}/`).toString()} answering ${acceptedText(check.status)}`;
}

function acceptedText(status: ServingCheck['status']): string {
  if (typeof status === 'number') return String(status);
  if (Array.isArray(status)) return status.join(' or ');
  return `any status below ${status.replace(/[<\s]/g, '')}`;
}

function probeStatus(status: ServingCheck['status']): number | number[] | { below: number } {
  if (typeof status === 'string') return { below: Number(status.replace(/[<\s]/g, '')) };
  return status;
}

/** How many answers in a row must hold. */
const IN_A_ROW = 2;

export async function waitUntilServing(
  check: ServingCheck,
  timeoutMs: number,
  options: {
    signal?: AbortSignal;
    intervalMs?: number;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<ReadyResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const started = now();
  let held = 0;
  let last = 'no answer yet';
  for (;;) {
    const result = await probeHttp({
      url: new URL(check.path, `${check.targetUrl}/`).toString(),
      status: probeStatus(check.status),
      timeoutMs: 5000,
    });
    last = result.ok ? `status ${result.status}` : result.problem;
    held = result.ok ? held + 1 : 0;
    if (held >= IN_A_ROW) return { ok: true, waitedMs: now() - started, last };
    if (now() - started >= timeoutMs || options.signal?.aborted)
      return { ok: false, waitedMs: now() - started, last };
    await sleep(options.intervalMs ?? 500);
  }
}

/** The reason a scenario could not start: the stack never served within the bound. */
export function notServingReason(check: ServingCheck, result: ReadyResult): string {
  return `the stack never served: ${describeServingCheck(check)} did not hold within ${formatDuration(result.waitedMs)} (last answer: ${result.last})`;
}
