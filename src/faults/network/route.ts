// A proxied route: the traffic of the clients to one target service's TCP port, diverted
// through our ToxicProxy by a DNAT rule in a nat chain of our own in each client's network
// namespace. Only target-ip:port is matched, so every other destination (Docker's DNS
// included) is untouched; the proxy runs on the host and connects onward to the target
// directly, so its own connections are never diverted again. Routes are shared: a counting
// monitor installed for a scenario and the toxic faults stacked on it use one route, which
// is removed when its last user lets go.
import { resolveClients, resolveTargetRuntimes, defaultPort } from './clients';
import { FaultHandle, type FaultScope, newFaultId } from '../fault-handle';
import { chainName, dnatChain } from './iptables';
import {
  containerRuntime,
  type ContainerRuntime,
  installChain,
  killEstablished,
  sharedNetwork,
  tcpProbe,
  type TcpProbeResult,
} from './netns';
import { type ChainPlacement, keepChainsAcrossRestarts, type RestartWatch } from './restart-watch';
import { ToxicProxy } from './proxy';
import type { RevertStep } from '../journal';
import type { ToxicEntry } from './toxics';
import { FaultNotEffectiveError } from '../types';

export interface RouteRequest {
  service: string;
  port: number | null;
  from: string | null;
}

interface Leg {
  /** Replaced when the target restarts (new namespace, maybe a new address). */
  target: ContainerRuntime;
  proxy: ToxicProxy;
  /** The target's address the clients use (matched by DNAT) and the proxy connects to. */
  targetIp: string;
  /**
   * The address the clients' DNAT rules were written for. The proxy may learn a new
   * targetIp first (its onward connect failed); the rules still need rewriting then.
   */
  rulesIp: string;
}

/** The DNAT rules that send one client's traffic for the targets to their proxies. */
function clientRules(client: ContainerRuntime, legs: Leg[], chain: string, port: number): string[][] {
  return legs.flatMap((leg) => {
    const network = sharedNetwork(client, leg.target);
    const listen = leg.proxy.listening.find((l) => l.host === network?.gateway);
    if (!network || !listen) return [];
    return dnatChain(chain, { targetIp: network.ip, port, proxyIp: listen.host, proxyPort: listen.port })
      .rules;
  });
}

export class ProxiedRoute {
  private users = 0;
  private restartWatch: RestartWatch | null = null;
  /** The faults riding on this route, told what happens to it after they were injected. */
  private readonly evidenceListeners = new Set<(line: string) => void>();

  private constructor(
    private readonly ctx: FaultScope,
    readonly key: string,
    readonly service: string,
    readonly port: number,
    private readonly chain: string,
    readonly legs: Leg[],
    readonly clients: ContainerRuntime[],
    private readonly handle: FaultHandle,
    private readonly registry: RouteRegistry,
  ) {}

  static async install(
    ctx: FaultScope,
    key: string,
    request: RouteRequest,
    registry: RouteRegistry,
  ): Promise<ProxiedRoute> {
    const targets = await resolveTargetRuntimes(ctx.project, request.service);
    const clients = await resolveClients(ctx.project, request.service, request.from);
    const port = defaultPort(targets[0], request.port);
    const id = newFaultId();
    const chain = chainName(id, 'DNAT');
    const steps: RevertStep[] = clients.map((client) => ({
      op: 'remove-chain',
      containerId: client.id,
      name: client.name,
      table: 'nat',
      parent: 'OUTPUT',
      chain,
    }));
    const labels = [...targets, ...clients].map((r) => `${r.service}/${r.name}`);
    // Journalled before any rule exists: a crash from here on is undone by cleanup.
    const handle = await FaultHandle.begin(ctx, 'route', labels, steps, id);
    const legs: Leg[] = [];
    try {
      for (const target of targets) {
        const gateways = [
          ...new Set(
            clients.map((client) => sharedNetwork(client, target)?.gateway).filter((g): g is string => !!g),
          ),
        ];
        if (gateways.length === 0)
          throw new FaultNotEffectiveError(`${target.name} shares no network with the clients`);
        const targetIp = clients.map((client) => sharedNetwork(client, target)?.ip).find((ip) => !!ip) ?? '';
        const leg: Leg = { target, targetIp, rulesIp: targetIp, proxy: undefined as unknown as ToxicProxy };
        leg.proxy = new ToxicProxy({
          name: `${request.service}:${port}`,
          upstream: () => ({ host: leg.targetIp, port }),
          onUpstreamFailure: () => void refreshTarget(ctx, leg),
        });
        await leg.proxy.listen(gateways);
        legs.push(leg);
      }
      await Promise.all(
        clients.map((client) =>
          installChain(client, {
            table: 'nat',
            parent: 'OUTPUT',
            chain,
            rules: clientRules(client, legs, chain, port),
          }),
        ),
      );
    } catch (error) {
      await Promise.all(legs.map((leg) => leg.proxy.close()));
      return handle.abandon(error);
    }
    const route = new ProxiedRoute(ctx, key, request.service, port, chain, legs, clients, handle, registry);
    handle.hooks.afterSteps = async () => {
      route.restartWatch?.stop();
      await Promise.all(legs.map((leg) => leg.proxy.close()));
    };
    try {
      route.restartWatch = await keepChainsAcrossRestarts(
        ctx.project,
        () => new Set([...route.clients, ...legs.map((leg) => leg.target)].map((c) => c.id)),
        (containerId) => route.replanAfterRestart(containerId),
        (line) => route.note(line),
      );
    } catch (error) {
      return handle.abandon(error);
    }
    handle.markInjected();
    handle.addEvidence(
      `DNAT chain ${chain} in ${clients.map((c) => c.name).join(', ')}: ${legs
        .map(
          (leg) =>
            `${leg.targetIp}:${port} → ${leg.proxy.listening.map((l) => `${l.host}:${l.port}`).join(',')}`,
        )
        .join('; ')}`,
    );
    return route;
  }

  /**
   * A client that restarted has a fresh network namespace without our chain; a target that
   * restarted may have a new address that the rules do not match. Returns the chains to put
   * back: the restarted client's, or every client's when a target's address changed.
   */
  private async replanAfterRestart(containerId: string): Promise<ChainPlacement[]> {
    const clientIndex = this.clients.findIndex((c) => c.id === containerId);
    const leg = this.legs.find((l) => l.target.id === containerId);
    let affected: ContainerRuntime[] = [];
    if (clientIndex >= 0) {
      this.clients[clientIndex] = await containerRuntime(containerId, this.ctx.project);
      affected = [this.clients[clientIndex]];
    }
    if (leg) {
      await refreshTarget(this.ctx, leg);
      if (leg.targetIp !== leg.rulesIp) {
        leg.rulesIp = leg.targetIp;
        affected = this.clients;
      }
    }
    return affected.map((runtime) => ({
      runtime,
      spec: {
        table: 'nat',
        parent: 'OUTPUT',
        chain: this.chain,
        rules: clientRules(runtime, this.legs, this.chain, this.port),
      },
    }));
  }

  /** Passes what later happens to the route to a fault's evidence; returns the unsubscribe. */
  followEvidence(listener: (line: string) => void): () => void {
    this.evidenceListeners.add(listener);
    return () => this.evidenceListeners.delete(listener);
  }

  private note(line: string): void {
    this.handle.addEvidence(line);
    for (const listener of this.evidenceListeners) listener(line);
  }

  get chainEvidence(): string[] {
    return this.handle.evidence();
  }

  get journalId(): string {
    return this.handle.id;
  }

  acquire(): void {
    this.users += 1;
  }

  /** The last user's release removes the DNAT rules, then closes the proxies. */
  async release(): Promise<void> {
    this.users -= 1;
    if (this.users > 0) return;
    this.registry.forget(this.key);
    await this.handle.revert();
  }

  /**
   * Makes the clients' existing connections to the target reconnect, so that they go through
   * the proxy (and its toxics) too. Returns one evidence line per client.
   */
  async resetExistingConnections(): Promise<string[]> {
    // Each client's namespace on its own, all at once: a toxic's injection waits on them.
    const resets = this.clients.flatMap((client) =>
      this.legs.map(async (leg) => {
        const ip = sharedNetwork(client, leg.target)?.ip;
        if (!ip) return null;
        const killed = await killEstablished(client.pid, ip, this.port);
        return killed === null
          ? `${client.name}: its established connections to ${ip}:${this.port} could not be reset (ss -K unavailable); only new connections are affected`
          : `${client.name}: reset ${killed} established connection(s) to ${ip}:${this.port} so they reconnect through the proxy`;
      }),
    );
    return (await Promise.all(resets)).filter((line): line is string => line !== null);
  }

  addToxic(entry: ToxicEntry): void {
    for (const leg of this.legs) leg.proxy.addToxic(entry);
  }

  removeToxic(id: string): void {
    for (const leg of this.legs) leg.proxy.removeToxic(id);
  }

  /**
   * A TCP round trip from the first client to the first target through whatever is in place
   * (DNAT + proxy). When `throughProxy` is set, the probe's source port is announced to the
   * proxy (every toxic applies to it) and the proxy must have seen it: proof the DNAT works.
   * `waitForClose`: the round trip ends at the close, not at the first reply byte.
   */
  async probe(options: {
    timeoutMs: number;
    throughProxy: boolean;
    waitForClose?: boolean;
  }): Promise<TcpProbeResult> {
    const leg = this.legs[0];
    const client = this.clients[0];
    let result: TcpProbeResult | undefined;
    let localPort = 0;
    for (let attempt = 0; attempt < PROBE_PORT_ATTEMPTS; attempt += 1) {
      localPort = probeSourcePort();
      if (options.throughProxy) leg.proxy.expectProbe(localPort);
      result = await tcpProbe(
        client.pid,
        { host: leg.targetIp, port: this.port },
        { timeoutMs: options.timeoutMs, localPort, waitForClose: options.waitForClose },
      );
      if (!(result.outcome === 'error' && result.error === 'EADDRINUSE')) break;
    }
    if (options.throughProxy && !leg.proxy.sawProbe(localPort)) {
      throw new FaultNotEffectiveError(
        `${client.name} → ${leg.targetIp}:${this.port} did not go through the proxy: the DNAT rule is not in effect (the probe ended ${result?.outcome}${result?.error ? ` ${result.error}` : ''})`,
      );
    }
    return result as TcpProbeResult;
  }

  /** A probe straight to the target, for a baseline, from the first client. */
  static directProbe(
    client: ContainerRuntime,
    targetIp: string,
    port: number,
    timeoutMs: number,
  ): Promise<TcpProbeResult> {
    return tcpProbe(client.pid, { host: targetIp, port }, { timeoutMs });
  }
}

/**
 * A proof probe's source port, announced to the proxy before it connects. Taken below Linux's
 * ephemeral range (32768–60999 by default), where the client's own outgoing connections do not
 * land; a port still held there (an earlier probe's socket in TIME_WAIT) makes the probe end in
 * EADDRINUSE, and another is tried.
 */
function probeSourcePort(): number {
  return 10_000 + Math.floor(Math.random() * 22_000);
}

const PROBE_PORT_ATTEMPTS = 4;

/** Re-reads the target, which may have come back with another address after a stop/start. */
async function refreshTarget(ctx: FaultScope, leg: Leg): Promise<void> {
  const runtime = await containerRuntime(leg.target.id, ctx.project).catch(() => null);
  const sameNetwork = runtime?.networks.find((n) =>
    leg.target.networks.some((old) => old.networkId === n.networkId),
  );
  // A stopped container has no address yet: keep what the rules were written with.
  if (!runtime?.running || !sameNetwork?.ip) return;
  leg.target = runtime;
  leg.targetIp = sameNetwork.ip;
}

/** The routes of one run, by service, port and client filter. */
export class RouteRegistry {
  private readonly routes = new Map<string, Promise<ProxiedRoute>>();

  static keyOf(request: RouteRequest): string {
    return `${request.service}:${request.port ?? 'default'}:${request.from ?? '*'}`;
  }

  /**
   * The existing route for this request, or a new one; the caller must release() it. A
   * request limited to one client (`from`) stacks on a route for every client when there
   * is one: `sources` then holds that client's addresses, for the toxic to filter on.
   */
  async acquire(
    ctx: FaultScope,
    requested: RouteRequest,
  ): Promise<{ route: ProxiedRoute; created: boolean; sources: Set<string> | null }> {
    const port =
      requested.port ?? defaultPort((await resolveTargetRuntimes(ctx.project, requested.service))[0], null);
    const request = { ...requested, port };
    const everyClient = this.routes.get(RouteRegistry.keyOf({ ...request, from: null }));
    if (request.from !== null && everyClient) {
      const route = await everyClient;
      route.acquire();
      const fromClients = await resolveClients(ctx.project, request.service, request.from);
      return {
        route,
        created: false,
        sources: new Set(fromClients.flatMap((c) => c.networks.map((n) => n.ip))),
      };
    }
    const key = RouteRegistry.keyOf(request);
    const existing = this.routes.get(key);
    if (existing) {
      const route = await existing;
      route.acquire();
      return { route, created: false, sources: null };
    }
    const pending = ProxiedRoute.install(ctx, key, request, this);
    this.routes.set(key, pending);
    try {
      const route = await pending;
      route.acquire();
      return { route, created: true, sources: null };
    } catch (error) {
      this.routes.delete(key);
      throw error;
    }
  }

  /** Whether a route exists for the request (a baseline must then go through it). */
  has(request: RouteRequest): boolean {
    return this.routes.has(RouteRegistry.keyOf(request));
  }

  forget(key: string): void {
    this.routes.delete(key);
  }
}
