// latency through the kernel's netem instead of the proxy, where the kernel has it: in each
// client's network namespace a prio qdisc on the device toward the target, with netem on one
// band and a u32 filter steering only target-ip:port into it. The revert deletes the root
// qdisc (journalled as remove-qdisc). Proof: a round trip from a client, straight to the
// target, takes the delay longer than the baseline.
import { resolveClients, resolveTargetRuntimes, defaultPort } from './clients';
import { FaultHandle } from '../fault-handle';
import { detectNetem, netemLatencyCommands, routeDevice } from './netem';
import { tcpProbe } from './netns';
import { execInNetns } from '../privileges';
import type { RevertStep } from '../journal';
import type { FaultTarget, LatencyFault } from '../spec';
import { type ActiveFault, FaultNotEffectiveError, FaultUnavailableError } from '../types';
import type { FaultContext } from '../context';

export async function injectNetemLatency(
  ctx: FaultContext,
  target: FaultTarget,
  spec: LatencyFault,
): Promise<ActiveFault> {
  const netem = await detectNetem();
  if (!netem.available) throw new FaultUnavailableError(`latency with engine netem: ${netem.reason}`);
  const targets = await resolveTargetRuntimes(ctx.project, target.service);
  const clients = await resolveClients(ctx.project, target.service, spec.from);
  const port = defaultPort(targets[0], spec.port);
  const targetIp = targets[0].networks.find((n) =>
    clients[0].networks.some((c) => c.networkId === n.networkId),
  )?.ip;
  if (!targetIp)
    throw new FaultUnavailableError(`${target.service} shares no network with ${clients[0].service}`);
  const plans = await Promise.all(
    clients.map(async (client) => {
      const route = await execInNetns(client.pid, 'ip', ['-o', 'route', 'get', targetIp], {
        timeoutMs: 5000,
      });
      const device = routeDevice(route.stdout);
      if (!device) throw new FaultUnavailableError(`${client.name} has no route to ${targetIp}`);
      return { client, device };
    }),
  );
  const steps: RevertStep[] = plans.map(({ client, device }) => ({
    op: 'remove-qdisc',
    containerId: client.id,
    name: client.name,
    device,
  }));
  const handle = await FaultHandle.begin(
    ctx,
    'latency',
    [...targets, ...clients].map((r) => `${r.service}/${r.name}`),
    steps,
  );
  try {
    const baseline = await tcpProbe(clients[0].pid, { host: targetIp, port }, { timeoutMs: 2000 });
    for (const { client, device } of plans) {
      for (const args of netemLatencyCommands({
        device,
        targetIp,
        port,
        delayMs: spec.delayMs,
        jitterMs: spec.jitterMs,
      })) {
        const result = await execInNetns(client.pid, 'tc', args, { timeoutMs: 5000 });
        if (result.code !== 0)
          throw new Error(`tc ${args.join(' ')} in ${client.name}: ${result.stderr.trim()}`);
      }
    }
    const probe = await tcpProbe(
      clients[0].pid,
      { host: targetIp, port },
      { timeoutMs: spec.delayMs * 3 + 3000 },
    );
    const expected = Math.max(0, spec.delayMs - spec.jitterMs);
    if (
      probe.totalMs === null ||
      baseline.totalMs === null ||
      probe.totalMs - baseline.totalMs < expected / 2 ||
      probe.totalMs < expected
    ) {
      throw new FaultNotEffectiveError(
        `netem latency not in effect: round trip ${probe.totalMs?.toFixed(1)}ms, baseline ${baseline.totalMs?.toFixed(1)}ms`,
      );
    }
    handle.addEvidence(
      `netem on ${plans.map((p) => `${p.client.name}/${p.device}`).join(', ')}: +${(probe.totalMs - baseline.totalMs).toFixed(1)}ms to ${target.service}:${port}`,
    );
  } catch (error) {
    return handle.abandon(error);
  }
  return handle.markInjected();
}
