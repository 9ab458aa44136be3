// partition: cut the target off from its clients, two ways.
// - drop: a DROP chain of our own in each client's network namespace (to the target's
//   addresses) and in the target's (to the clients'): connections hang, so clients see
//   timeouts — the fault that tests fail-fast timeouts. Proof: a connection attempt from a
//   client to the target times out.
// - disconnect: `docker network disconnect` of the target from the networks it shares with
//   the clients: its name stops resolving. Proof: inspect no longer lists the network and a
//   client's resolver (Docker's embedded DNS) no longer answers for the service name.
import { docker } from '../stack/docker';
import { resolveClients, resolveTargetRuntimes } from './clients';
import { FaultHandle, newFaultId } from './fault-handle';
import { chainName, dropChain } from './iptables';
import { type ContainerRuntime, containerRuntime, dnsProbe, installChain, tcpProbe } from './netns';
import { type ChainPlacement, keepChainsAcrossRestarts, type RestartWatch } from './restart-watch';
import type { RevertStep } from './revert-steps';
import type { FaultTarget, PartitionFault } from './spec';
import { type ActiveFault, type FaultContext, FaultNotEffectiveError, FaultUnavailableError } from './types';

// A connect on a Docker bridge takes well under 10ms; one that has not finished in this long was dropped.
const PROBE_TIMEOUT_MS = 250;

function addressesOf(runtimes: ContainerRuntime[]): string[] {
  return runtimes.flatMap((r) => r.networks.map((n) => n.ip)).filter((ip) => ip !== '');
}

export async function injectPartition(
  ctx: FaultContext,
  target: FaultTarget,
  spec: PartitionFault,
): Promise<ActiveFault> {
  const targets = await resolveTargetRuntimes(ctx.project, target.service);
  const clients = await resolveClients(ctx.project, target.service, spec.from);
  return spec.mode === 'drop'
    ? injectDrop(ctx, targets, clients)
    : injectDisconnect(ctx, target.service, targets, clients, spec);
}

async function injectDrop(
  ctx: FaultContext,
  targets: ContainerRuntime[],
  clients: ContainerRuntime[],
): Promise<ActiveFault> {
  const id = newFaultId();
  const chain = chainName(id, 'DROP');
  const planFor = (runtime: ContainerRuntime): ChainPlacement => ({
    runtime,
    spec: dropChain(chain, addressesOf(clients.includes(runtime) ? targets : clients)),
  });
  const plans = [...clients, ...targets].map(planFor);
  const steps: RevertStep[] = plans.map(({ runtime, spec }) => ({
    op: 'remove-chain',
    containerId: runtime.id,
    name: runtime.name,
    table: spec.table,
    parent: spec.parent,
    chain: spec.chain,
  }));
  const labels = [...targets, ...clients].map((r) => `${r.service}/${r.name}`);
  const handle = await FaultHandle.begin(ctx, 'partition', labels, steps, id);
  try {
    await Promise.all(plans.map(({ runtime, spec }) => installChain(runtime, spec)));
    handle.addEvidence(
      `DROP chain ${chain} in ${plans.length} network namespace(s): ${plans.map((p) => p.runtime.name).join(', ')}`,
    );
    // Any port proves it: without the DROP, a closed port answers with a reset at once.
    const probeTarget = { host: addressesOf(targets)[0], port: exposedPortOr(targets[0], 80) };
    const probe = await tcpProbe(clients[0].pid, probeTarget, { timeoutMs: PROBE_TIMEOUT_MS });
    if (probe.outcome !== 'timeout') {
      throw new FaultNotEffectiveError(
        `partition not in effect: ${clients[0].name} → ${probeTarget.host}:${probeTarget.port} ended "${probe.outcome}" in ${probe.totalMs?.toFixed(1)}ms instead of timing out`,
      );
    }
    handle.addEvidence(
      `${clients[0].service} → ${targets[0].service} (${probeTarget.host}:${probeTarget.port}): connect timed out after ${PROBE_TIMEOUT_MS}ms`,
    );
  } catch (error) {
    return handle.abandon(error);
  }
  // A side that restarts comes back in a new namespace (and maybe with a new address):
  // the cut is put back there, and on the other side too when its address changed.
  let restartWatch: RestartWatch;
  try {
    restartWatch = await keepChainsAcrossRestarts(
      ctx.project,
      () => new Set([...clients, ...targets].map((r) => r.id)),
      async (containerId) => {
        const side = clients.some((r) => r.id === containerId) ? clients : targets;
        const index = side.findIndex((r) => r.id === containerId);
        const before = addressesOf([side[index]]).join(',');
        side[index] = await containerRuntime(containerId, ctx.project);
        const moved = addressesOf([side[index]]).join(',') !== before;
        const others = side === clients ? targets : clients;
        return [side[index], ...(moved ? others : [])].map(planFor);
      },
      (line) => handle.addEvidence(line),
    );
  } catch (error) {
    return handle.abandon(error);
  }
  handle.hooks.beforeSteps = async () => restartWatch.stop();
  handle.hooks.verifyRevert = async () => {
    const probeTarget = { host: addressesOf(targets)[0], port: exposedPortOr(targets[0], 80) };
    const probe = await tcpProbe(clients[0].pid, probeTarget, { timeoutMs: PROBE_TIMEOUT_MS }).catch(
      () => null,
    );
    return [
      `after revert ${clients[0].service} → ${targets[0].service}: ${probe ? `${probe.outcome} in ${probe.totalMs?.toFixed(1) ?? '-'}ms` : 'client gone'}`,
    ];
  };
  return handle.markInjected();
}

function exposedPortOr(runtime: ContainerRuntime, fallback: number): number {
  const first = Object.keys(runtime.inspect.Config.ExposedPorts ?? {}).find((key) => key.endsWith('/tcp'));
  return first ? Number.parseInt(first, 10) : fallback;
}

async function injectDisconnect(
  ctx: FaultContext,
  service: string,
  targets: ContainerRuntime[],
  clients: ContainerRuntime[],
  spec: PartitionFault,
): Promise<ActiveFault> {
  if (spec.from !== null) {
    throw new FaultUnavailableError(
      `partition mode "disconnect" removes ${service} from the network for every client; use mode "drop" to cut only "${spec.from}"`,
    );
  }
  const clientNetworks = new Set(clients.flatMap((c) => c.networks.map((n) => n.networkId)));
  const cuts = targets.flatMap((runtime) =>
    runtime.networks.filter((n) => clientNetworks.has(n.networkId)).map((network) => ({ runtime, network })),
  );
  if (cuts.length === 0)
    throw new FaultUnavailableError(`${service} shares no network with its clients: nothing to disconnect`);
  const steps: RevertStep[] = cuts.map(({ runtime, network }) => ({
    op: 'network-connect',
    containerId: runtime.id,
    name: runtime.name,
    networkId: network.networkId,
    networkName: network.networkName,
    // Docker adds the short container id by itself; the compose aliases are what must come back.
    aliases: network.aliases.filter((alias) => !runtime.id.startsWith(alias)),
  }));
  const handle = await FaultHandle.begin(
    ctx,
    'partition',
    targets.map((r) => `${r.service}/${r.name}`),
    steps,
  );
  try {
    for (const { runtime, network } of cuts) {
      await docker().getNetwork(network.networkId).disconnect({ Container: runtime.id, Force: false });
      const after = await containerRuntime(runtime.id, ctx.project);
      if (after.networks.some((n) => n.networkId === network.networkId)) {
        throw new FaultNotEffectiveError(`${runtime.name} is still attached to ${network.networkName}`);
      }
      handle.addEvidence(
        `${runtime.name} disconnected from ${network.networkName} (inspect lists ${after.networks.map((n) => n.networkName).join(', ') || 'no network'})`,
      );
    }
    if (ctx.privileges.mode !== 'none' && ctx.privileges.tools.nsenter) {
      const answer = await dnsProbe(clients[0].pid, service);
      if (answer.addresses.length > 0) {
        throw new FaultNotEffectiveError(
          `${clients[0].name} still resolves ${service} to ${answer.addresses.join(', ')}`,
        );
      }
      handle.addEvidence(
        `${clients[0].name} cannot resolve "${service}" any more (${answer.error || 'no address'})`,
      );
    }
  } catch (error) {
    return handle.abandon(error);
  }
  handle.hooks.verifyRevert = async () => {
    if (ctx.privileges.mode === 'none' || !ctx.privileges.tools.nsenter) return [];
    const client = await containerRuntime(clients[0].id, ctx.project).catch(() => null);
    if (!client?.running) return [];
    const answer = await dnsProbe(client.pid, service);
    return [
      `after revert ${client.name} resolves "${service}" to ${answer.addresses.join(', ') || `nothing (${answer.error})`}`,
    ];
  };
  return handle.markInjected();
}
