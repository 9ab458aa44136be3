// down: the proxy refuses (resets) every new connection and cuts the open ones — the
// target looks down to its clients while its container keeps running. Proof: a client's
// connection through the proxy is reset without a reply, and the proxy counted the refusal.
import type { DownFault, FaultTarget } from '../spec';
import { describeProbe, injectToxic } from './toxic-fault';
import { type ActiveFault, FaultNotEffectiveError } from '../types';
import type { FaultContext } from '../context';

export function injectDown(ctx: FaultContext, target: FaultTarget, spec: DownFault): Promise<ActiveFault> {
  return injectToxic(ctx, target, spec, { type: 'down' }, async ({ route }) => {
    const before = route.legs[0].proxy.totals().refused;
    const probe = await route.probe({ timeoutMs: 2000, throughProxy: true });
    const refused = route.legs[0].proxy.totals().refused - before;
    if (probe.outcome === 'reply' || refused === 0) {
      throw new FaultNotEffectiveError(
        `down not in effect: the probe ended "${describeProbe(probe)}", ${refused} refusal(s) counted`,
      );
    }
    return [
      `${route.clients[0].name} → ${route.service}:${route.port}: ${describeProbe(probe)} (refused by the proxy)`,
    ];
  });
}
