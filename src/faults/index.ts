// The fault library's table of contents and front door: one registry from fault kind to
// injector, the context a run creates once, and the journal replay. The scenario runner calls
// only what is here.
//   containers/  faults on a container's life: stop, kill, pause, flap (and their proofs)
//   network/     faults on traffic: partition, and the toxics (latency, bandwidth, stall,
//                reset_peer, down) through the proxy or netem; iptables in network namespaces
//   resources/   faults on memory and CPU: hogs charged to a container's cgroups
//   journal/     the persisted revert log, its replay and the guard in front of it
//   fault-handle.ts  the life cycle every kind shares; types.ts  the runner's contract;
//   context.ts  what a fault acts with; privileges.ts  the root path; spec.ts  what may be asked
import { injectFlap } from './containers/flap';
import { injectKill } from './containers/kill';
import { injectPause } from './containers/pause';
import { injectStop } from './containers/stop';
import type { FaultContext } from './context';
import { Journal, runJournalPath } from './journal';
import { injectBandwidth } from './network/bandwidth';
import { injectDown } from './network/down';
import { injectLatency } from './network/latency';
import { injectPartition } from './network/partition';
import { injectResetPeer } from './network/reset-peer';
import { RouteRegistry } from './network/route';
import { injectStall } from './network/stall';
import { detectPrivileges } from './privileges';
import type { CgroupHost } from './resources/cgroups';
import { injectCpu } from './resources/cpu';
import { injectMemory } from './resources/memory';
import type { FaultSpec, FaultTarget, FaultType } from './spec';
import type { ActiveFault } from './types';

export { checkPrivileges, type FaultAvailability } from './availability';
export type { FaultContext } from './context';
export { Journal, revertAll, runJournalPath } from './journal';
export { installMonitor, type Monitor } from './network/monitor';
export { detectNetem } from './network/netem';
export type { ProxySecond } from './network/proxy';
export {
  type ActiveFault,
  FaultNotEffectiveError,
  FaultRevertError,
  FaultRevertUnprovenError,
  FaultUnavailableError,
} from './types';

type Injector<S extends FaultSpec> = (
  ctx: FaultContext,
  target: FaultTarget,
  spec: S,
) => Promise<ActiveFault>;

const INJECTORS: { [K in FaultType]: Injector<Extract<FaultSpec, { type: K }>> } = {
  stop: injectStop,
  kill: injectKill,
  pause: injectPause,
  flap: injectFlap,
  partition: injectPartition,
  latency: injectLatency,
  bandwidth: injectBandwidth,
  stall: injectStall,
  reset_peer: injectResetPeer,
  down: injectDown,
  memory: injectMemory,
  cpu: injectCpu,
};

/**
 * Injects one fault on the target service of the run's project and returns once it is proven
 * in effect (FaultNotEffectiveError otherwise, after undoing what it did). The runner calls
 * revert() when the fault phase ends.
 */
export function injectFault(ctx: FaultContext, target: FaultTarget, spec: FaultSpec): Promise<ActiveFault> {
  const injector = INJECTORS[spec.type] as Injector<FaultSpec> | undefined;
  if (!injector) return Promise.reject(new Error(`unknown fault type "${(spec as { type: string }).type}"`));
  return injector(ctx, target, spec);
}

export interface FaultContextOptions {
  project: string;
  /** Where reverts are journalled; default the run's own journal (journal/location.ts). */
  journalPath?: string;
  log?: (line: string) => void;
  /** The host's /proc and cgroupfs unless given (tests: a scratch directory laid out like one). */
  cgroupHost?: CgroupHost;
}

/** One context per run: the project, its journal, the privileges found and the shared routes. */
export async function createFaultContext(options: FaultContextOptions): Promise<FaultContext> {
  return {
    project: options.project,
    journal: new Journal(options.journalPath ?? runJournalPath()),
    log: options.log ?? (() => undefined),
    privileges: await detectPrivileges(),
    routes: new RouteRegistry(),
    ...(options.cgroupHost ? { cgroupHost: options.cgroupHost } : {}),
  };
}
