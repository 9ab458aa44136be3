// A counting proxy with no toxic, installed by the runner for a whole scenario: every
// connection attempt from the clients to the target's port is counted per second, also
// while the target is stopped (the proxy accepts, fails onward, resets the client and
// counts an upstream failure), which is what a retry-storm threshold reads. Toxic faults on
// the same service and port stack on it. Trade-off: through the proxy a client connecting
// to a stopped target sees accept-then-reset instead of a connect timeout.
import { FaultHandle } from '../fault-handle';
import type { ProxySecond } from './proxy';
import type { ProxiedRoute } from './route';
import type { FaultTarget } from '../spec';
import type { ActiveFault } from '../types';
import type { FaultContext } from '../context';

export interface MonitorOptions {
  port: number | null;
  from: string | null;
}

export interface Monitor extends ActiveFault {
  /** Per-second counts summed over the target's containers, oldest first. */
  connectionsPerSecond(): ProxySecond[];
  readonly port: number;
}

export function mergeSeconds(series: ProxySecond[][]): ProxySecond[] {
  const merged = new Map<number, ProxySecond>();
  for (const second of series.flat()) {
    const into = merged.get(second.atMs);
    if (!into) merged.set(second.atMs, { ...second });
    else {
      into.attempts += second.attempts;
      into.refused += second.refused;
      into.upstreamFailed += second.upstreamFailed;
      into.bytesUpstream += second.bytesUpstream;
      into.bytesDownstream += second.bytesDownstream;
    }
  }
  return [...merged.values()].sort((a, b) => a.atMs - b.atMs);
}

export async function installMonitor(
  ctx: FaultContext,
  target: FaultTarget,
  options: MonitorOptions,
): Promise<Monitor> {
  const handle = await FaultHandle.begin(ctx, 'monitor', [target.service], []);
  let route: ProxiedRoute;
  try {
    route = (
      await ctx.routes.acquire(ctx, { service: target.service, port: options.port, from: options.from })
    ).route;
    await route.probe({ timeoutMs: 2000, throughProxy: true });
    for (const line of route.chainEvidence) handle.addEvidence(line);
    handle.addEvidence(
      `counting connection attempts to ${target.service}:${route.port} (probe seen by the proxy)`,
    );
  } catch (error) {
    return handle.abandon(error);
  }
  // A route that could not be removed (its DNAT chains, its proxy) makes monitor.revert()
  // reject with FaultRevertError naming it; the route's own journal entry stays for cleanup.
  handle.hooks.beforeSteps = () =>
    route.release().catch((error: unknown) => {
      throw new Error(
        `the counting proxy for ${target.service}:${route.port} was not removed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  handle.markInjected();
  return Object.assign(handle, {
    port: route.port,
    connectionsPerSecond: () => mergeSeconds(route.legs.map((leg) => leg.proxy.connectionsPerSecond())),
  });
}
