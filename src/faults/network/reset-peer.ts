// reset_peer: connections are reset (RST to both sides) resetAfterMs after they open (or
// after the toxic was added, for connections already open). Proof: a client's probe
// connection through the proxy is reset.
import type { FaultTarget, ResetPeerFault } from '../spec';
import { describeProbe, injectToxic } from './toxic-fault';
import { tcpProbe } from './netns';
import { type ActiveFault, FaultNotEffectiveError } from '../types';
import type { FaultContext } from '../context';

export function injectResetPeer(
  ctx: FaultContext,
  target: FaultTarget,
  spec: ResetPeerFault,
): Promise<ActiveFault> {
  const toxic = { type: 'reset_peer' as const, resetAfterMs: spec.resetAfterMs };
  return injectToxic(ctx, target, spec, toxic, async ({ route, baseline }) => {
    // A connection that is reset or refused without the toxic proves nothing with it.
    if (baseline.outcome === 'reset' || baseline.outcome === 'refused')
      throw new FaultNotEffectiveError(
        `cannot measure reset_peer on ${route.service}:${route.port}: the baseline already ended in ${describeProbe(baseline)}`,
      );
    const leg = route.legs[0];
    const localPort = 20000 + Math.floor(Math.random() * 30000);
    leg.proxy.expectProbe(localPort);
    // Wait for the close rather than the first reply: a reply may come before the reset.
    const probe = await tcpProbe(
      route.clients[0].pid,
      { host: leg.targetIp, port: route.port },
      { timeoutMs: spec.resetAfterMs + 2000, localPort, waitForClose: true },
    );
    if (probe.outcome !== 'reset') {
      throw new FaultNotEffectiveError(
        `reset_peer not in effect: the probe connection ended "${describeProbe(probe)}" instead of a reset`,
      );
    }
    return [
      `${route.clients[0].name} → ${route.service}:${route.port}: connection reset after ${probe.totalMs?.toFixed(1)}ms`,
    ];
  });
}
