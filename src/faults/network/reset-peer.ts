// reset_peer: connections are reset (RST to both sides) resetAfterMs after they open (or
// after the toxic was added, for connections already open). Proof: a client's probe
// connection through the proxy is reset.
import type { FaultTarget, ResetPeerFault } from '../spec';
import { describeProbe, injectToxic } from './toxic-fault';
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
    // Wait for the close rather than the first reply: a reply may come before the reset.
    const probe = await route.probe({
      timeoutMs: spec.resetAfterMs + 2000,
      throughProxy: true,
      waitForClose: true,
    });
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
