// stall (Toxiproxy's "timeout"): data stops flowing; after timeoutMs the connection is
// closed (0 = held until the revert). Proof: a client's request that was answered before
// gets no answer through the proxy.
import type { FaultTarget, StallFault } from '../spec';
import { answered, describeProbe, injectToxic } from './toxic-fault';
import { type ActiveFault, FaultNotEffectiveError } from '../types';
import type { FaultContext } from '../context';

export function injectStall(ctx: FaultContext, target: FaultTarget, spec: StallFault): Promise<ActiveFault> {
  const toxic = { type: 'stall' as const, timeoutMs: spec.timeoutMs };
  return injectToxic(ctx, target, spec, toxic, async ({ route, baseline }) => {
    // No reply without the toxic: "no reply with it" would prove nothing.
    if (!answered(baseline))
      throw new FaultNotEffectiveError(
        `cannot measure a stall on ${route.service}:${route.port}: the baseline got no reply (${describeProbe(baseline)})`,
      );
    // Silence proves the stall once it lasts far longer than the baseline's answer took (20
    // times, at least 150 ms): ~1 ms on an idle machine, longer on a loaded one.
    const waitMs =
      spec.timeoutMs > 0
        ? Math.min(spec.timeoutMs + 500, 3000)
        : Math.min(3000, Math.max(150, 20 * (baseline.totalMs ?? 0)));
    const probe = await route.probe({ timeoutMs: waitMs, throughProxy: true });
    if (probe.outcome === 'reply') {
      throw new FaultNotEffectiveError(
        `stall not in effect: the probe got a reply in ${probe.totalMs?.toFixed(1)}ms`,
      );
    }
    return [
      `${route.clients[0].name} → ${route.service}:${route.port}: no reply (${describeProbe(probe)}; baseline ${describeProbe(baseline)})`,
    ];
  });
}
