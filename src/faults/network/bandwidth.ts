// bandwidth: the proxy paces data at rateBytesPerSecond (in slices of 1/20 s). Proof: a
// client's probe went through the proxy (its DNAT is in effect). The probe's reply is a few
// bytes, too small to show the rate; the integration test measures the rate on a real transfer.
import type { BandwidthFault, FaultTarget } from '../spec';
import { describeProbe, injectToxic } from './toxic-fault';
import type { ActiveFault } from '../types';
import type { FaultContext } from '../context';

export function injectBandwidth(
  ctx: FaultContext,
  target: FaultTarget,
  spec: BandwidthFault,
): Promise<ActiveFault> {
  const toxic = { type: 'bandwidth' as const, rateBytesPerSecond: spec.rateBytesPerSecond };
  return injectToxic(ctx, target, spec, toxic, async ({ route }) => {
    const probe = await route.probe({ timeoutMs: 5000, throughProxy: true });
    return [
      `${route.clients[0].name} → ${route.service}:${route.port} goes through the proxy, limited to ${spec.rateBytesPerSecond} B/s (probe ${describeProbe(probe)})`,
    ];
  });
}
