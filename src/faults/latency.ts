// latency: every chunk through the proxy is held delay ± jitter (pipelined: counted from its
// arrival, never reordered). Proof: a round trip from a client, through its DNAT and the
// proxy, takes at least the added delay longer than the baseline.
import { injectNetemLatency } from './netem-latency';
import type { FaultTarget, LatencyFault } from './spec';
import { answered, describeProbe, injectToxic } from './toxic-fault';
import { expectedRoundTripDelayMs } from './toxics';
import { type ActiveFault, type FaultContext, FaultNotEffectiveError } from './types';

/** Timer slack: a measured delay this much under the expected one still counts. */
const TOLERANCE_MS = 3;

export function injectLatency(
  ctx: FaultContext,
  target: FaultTarget,
  spec: LatencyFault,
): Promise<ActiveFault> {
  if (spec.engine === 'netem') return injectNetemLatency(ctx, target, spec);
  const toxic = { type: 'latency' as const, delayMs: spec.delayMs, jitterMs: spec.jitterMs };
  return injectToxic(ctx, target, spec, toxic, async ({ route, baseline }) => {
    const expected = expectedRoundTripDelayMs(toxic, spec.direction);
    const probe = await route.probe({
      timeoutMs: 2 * spec.delayMs + spec.jitterMs * 2 + 3000,
      throughProxy: true,
    });
    if (!answered(baseline) || !answered(probe) || baseline.totalMs === null || probe.totalMs === null) {
      throw new FaultNotEffectiveError(
        `cannot measure latency on ${route.service}:${route.port}: baseline ${describeProbe(baseline)}, with toxic ${describeProbe(probe)}`,
      );
    }
    // The delayed reply cannot arrive sooner than the delay, so the round trip itself is the
    // proof; the baseline (noisy by a few ms on a busy machine) only rules out a slow target.
    const added = probe.totalMs - baseline.totalMs;
    if (probe.totalMs < expected - TOLERANCE_MS || added < expected / 2) {
      throw new FaultNotEffectiveError(
        `latency not in effect: round trip ${probe.totalMs.toFixed(1)}ms (+${added.toFixed(1)}ms over the baseline), ≥ ${expected}ms expected`,
      );
    }
    return [
      `+${added.toFixed(1)}ms to ${route.service}:${route.port} measured from ${route.clients[0].name} (${describeProbe(probe)}, expected ≥ ${expected}ms)`,
    ];
  });
}
