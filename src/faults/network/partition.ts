// partition: cut the target off from its clients, two ways.
// - drop: a DROP chain of our own in each client's network namespace (to the target's
//   addresses) and in the target's (to the clients'): connections hang, so clients see
//   timeouts — the fault that tests fail-fast timeouts. Proof: a connection attempt from a
//   client to the target times out. Revert proof: that connect is answered again.
// - disconnect: `docker network disconnect` of the target from the networks it shares with
//   the clients: its name stops resolving. Proof: inspect no longer lists the network and a
//   client's resolver (Docker's embedded DNS) no longer answers for the service name.
//   Revert proof: inspect lists the networks again and the name resolves again.
import { docker } from '../../stack/docker';
import { resolveClients, resolveTargetRuntimes } from './clients';
import { monotonicMs, sleep } from '../../util/clock';
import { FaultHandle, newFaultId, type RevertCheck } from '../fault-handle';
import { chainName, dropChain } from './iptables';
import {
  type ContainerRuntime,
  containerRuntime,
  dnsProbe,
  installChain,
  sharedNetwork,
  tcpProbe,
} from './netns';
import { type ChainPlacement, keepChainsAcrossRestarts, type RestartWatch } from './restart-watch';
import type { RevertStep } from '../journal';
import type { FaultTarget, PartitionFault } from '../spec';
import { type ActiveFault, FaultNotEffectiveError, FaultUnavailableError } from '../types';
import type { FaultContext } from '../context';

// A connect on a Docker bridge takes well under 10ms; one that has not finished in this long was dropped.
const PROBE_TIMEOUT_MS = 250;
/** After the revert: connect tries before "still cut off" (bounded: about a second). */
const REVERT_PROBE_TRIES = 3;
/** After the revert: how long Docker's DNS may take to answer for the reconnected name. */
const REVERT_DNS_WAIT_MS = 2000;

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
  handle.hooks.verifyRevert = () => verifyDropReverted(ctx, clients[0], targets[0]);
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
  handle.hooks.verifyRevert = () => verifyDisconnectReverted(ctx, service, cuts, clients[0]);
  return handle.markInjected();
}

/**
 * The drop's revert proven from where the cut was felt: a client's connect to the target is
 * answered again (tries a few times; each chain's removal is already checked by its step).
 * Both are re-read: either may have restarted, and the target come back with a new address.
 */
async function verifyDropReverted(
  ctx: FaultContext,
  clientBefore: ContainerRuntime,
  targetBefore: ContainerRuntime,
): Promise<RevertCheck> {
  const client = await containerRuntime(clientBefore.id, ctx.project).catch(() => null);
  const target = await containerRuntime(targetBefore.id, ctx.project).catch(() => null);
  const host = client && target ? sharedNetwork(client, target)?.ip : undefined;
  if (!client?.running || !target?.running || !host) {
    const why = !client?.running
      ? `${clientBefore.name} not running`
      : !target?.running
        ? `${targetBefore.name} not running`
        : 'no shared network';
    return { evidence: [`after revert: no connect probe (${why})`], problems: [] };
  }
  const probeTarget = { host, port: exposedPortOr(target, 80) };
  let probe: Awaited<ReturnType<typeof tcpProbe>> | null = null;
  for (let attempt = 1; attempt <= REVERT_PROBE_TRIES; attempt += 1) {
    // A probe that cannot run (the client went away meanwhile) proves nothing either way.
    probe = await tcpProbe(client.pid, probeTarget, { timeoutMs: PROBE_TIMEOUT_MS }).catch(() => null);
    if (probe?.outcome !== 'timeout') break;
  }
  const seen = probe
    ? `${probe.outcome}${probe.totalMs === null ? '' : ` in ${probe.totalMs.toFixed(1)}ms`}`
    : 'probe could not run (client gone?)';
  const line = `after revert ${client.service} → ${target.service} (${host}:${probeTarget.port}): ${seen}`;
  if (probe?.outcome !== 'timeout') return { evidence: [line], problems: [] };
  return {
    evidence: [line],
    problems: [
      `${client.service}/${client.name}: connects to ${target.service}/${target.name} (${host}:${probeTarget.port}) still time out after the revert (${REVERT_PROBE_TRIES} tries of ${PROBE_TIMEOUT_MS}ms)`,
    ],
  };
}

/**
 * The disconnect's revert proven: inspect lists every network the target was cut from again,
 * and (with nsenter) a client resolves the service name again within a short wait.
 */
async function verifyDisconnectReverted(
  ctx: FaultContext,
  service: string,
  cuts: { runtime: ContainerRuntime; network: ContainerRuntime['networks'][number] }[],
  clientBefore: ContainerRuntime,
): Promise<RevertCheck> {
  const evidence: string[] = [];
  const problems: string[] = [];
  let anyTargetRunning = false;
  for (const runtime of [...new Map(cuts.map((cut) => [cut.runtime.id, cut.runtime])).values()]) {
    const now = await containerRuntime(runtime.id, ctx.project).catch((error: Error) => error);
    if (now instanceof Error) {
      problems.push(`${service}/${runtime.name}: could not be inspected after the revert: ${now.message}`);
      continue;
    }
    anyTargetRunning ||= now.running;
    const networks = cuts.filter((cut) => cut.runtime.id === runtime.id).map((cut) => cut.network);
    const missing = networks.filter(
      (network) => !now.networks.some((n) => n.networkId === network.networkId),
    );
    if (missing.length === 0)
      evidence.push(`${now.name} attached again to ${networks.map((n) => n.networkName).join(', ')}`);
    else {
      const list = missing.map((n) => n.networkName).join(', ');
      evidence.push(`${now.name} NOT attached again to ${list}`);
      problems.push(`${service}/${now.name}: still not attached to ${list} after the revert`);
    }
  }
  if (ctx.privileges.mode === 'none' || !ctx.privileges.tools.nsenter || !anyTargetRunning)
    return { evidence, problems };
  const client = await containerRuntime(clientBefore.id, ctx.project).catch(() => null);
  if (!client?.running)
    return {
      evidence: [...evidence, `after revert: ${clientBefore.name} not running, no DNS probe`],
      problems,
    };
  const started = monotonicMs();
  const ask = () =>
    dnsProbe(client.pid, service).catch((error: Error) => ({ addresses: [], error: error.message }));
  let answer = await ask();
  while (answer.addresses.length === 0 && monotonicMs() - started < REVERT_DNS_WAIT_MS) {
    await sleep(100);
    answer = await ask();
  }
  evidence.push(
    `after revert ${client.name} resolves "${service}" to ${answer.addresses.join(', ') || `nothing (${answer.error})`}`,
  );
  if (answer.addresses.length === 0)
    problems.push(
      `${client.service}/${client.name}: still cannot resolve "${service}" ${REVERT_DNS_WAIT_MS / 1000}s after the revert (${answer.error || 'no address'})`,
    );
  return { evidence, problems };
}
