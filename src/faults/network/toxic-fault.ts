// What the proxy-delivered faults (latency, bandwidth, stall, reset_peer, down) share: take
// (or create) the proxied route for the target's port, measure a baseline through it, add
// the toxic, and let the kind's own proof measure the effect. Revert removes the toxic and
// lets go of the route (the last user removes the DNAT rules and closes the proxy).
import { FaultHandle, newFaultId } from '../fault-handle';
import type { TcpProbeResult } from './netns';
import type { ProxiedRoute } from './route';
import type { FaultTarget, ToxicDirection } from '../spec';
import type { Toxic } from './toxics';
import { type ActiveFault, FaultNotEffectiveError } from '../types';
import type { FaultContext } from '../context';

export interface ToxicSpecCommon {
  type: string;
  port: number | null;
  direction: ToxicDirection;
  toxicity: number;
  from: string | null;
}

export interface ToxicProofInput {
  route: ProxiedRoute;
  /** A round trip through the route before the toxic was added. */
  baseline: TcpProbeResult;
}

/** Measures the toxic's effect; returns evidence lines, throws FaultNotEffectiveError when absent. */
export type ToxicProof = (input: ToxicProofInput) => Promise<string[]>;

export const BASELINE_TIMEOUT_MS = 2000;

export function answered(probe: TcpProbeResult): boolean {
  return probe.outcome === 'reply' || probe.outcome === 'closed';
}

export function describeProbe(probe: TcpProbeResult): string {
  return probe.totalMs === null ? `${probe.outcome}` : `${probe.outcome} in ${probe.totalMs.toFixed(1)}ms`;
}

export async function injectToxic(
  ctx: FaultContext,
  target: FaultTarget,
  spec: ToxicSpecCommon,
  toxic: Toxic,
  prove: ToxicProof,
): Promise<ActiveFault> {
  // A toxic no connection rolls into does nothing: the proof probe (which every toxic reaches)
  // would still see it, so it is refused here rather than proven.
  if (spec.toxicity <= 0)
    throw new FaultNotEffectiveError(
      `${spec.type} with toxicity ${spec.toxicity} would affect no connection`,
    );
  const id = newFaultId();
  const handle = await FaultHandle.begin(ctx, spec.type, [target.service], [], id);
  let route: ProxiedRoute | undefined;
  let stopFollowing: () => void = () => undefined;
  try {
    const acquired = await ctx.routes.acquire(ctx, {
      service: target.service,
      port: spec.port,
      from: spec.from,
    });
    route = acquired.route;
    for (const line of acquired.created ? acquired.route.chainEvidence : []) handle.addEvidence(line);
    stopFollowing = route.followEvidence((line) => handle.addEvidence(line));
    const baseline = await route.probe({ timeoutMs: BASELINE_TIMEOUT_MS, throughProxy: false });
    route.addToxic({
      id,
      toxic,
      direction: spec.direction,
      toxicity: spec.toxicity,
      sources: acquired.sources,
    });
    handle.addEvidence(
      `${spec.type} toxic on ${target.service}:${route.port} (${spec.direction}, toxicity ${spec.toxicity}${spec.from ? `, from ${spec.from}` : ''}); baseline round trip ${describeProbe(baseline)}`,
    );
    // Long-lived client connections predate the DNAT rule: reset them so the toxic reaches them.
    for (const line of await route.resetExistingConnections()) handle.addEvidence(line);
    for (const line of await prove({ route, baseline })) handle.addEvidence(line);
  } catch (error) {
    stopFollowing();
    if (route) {
      route.removeToxic(id);
      await route.release().catch(() => undefined);
    }
    return handle.abandon(error);
  }
  const held = route;
  handle.hooks.beforeSteps = async () => {
    stopFollowing();
    held.removeToxic(id);
    await held.release();
  };
  return handle.markInjected();
}
