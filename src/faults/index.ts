// The fault library's front door: one registry from fault kind to injector, the context a
// run creates once, and the journal replay. The scenario runner calls only what is here.
import path from 'node:path';
import { injectBandwidth } from './bandwidth';
import type { CgroupHost } from './cgroups';
import { injectCpu } from './cpu';
import { injectDown } from './down';
import { injectFlap } from './flap';
import { Journal } from './journal';
import { injectKill } from './kill';
import { injectLatency } from './latency';
import { injectMemory } from './memory';
import { injectPartition } from './partition';
import { injectPause } from './pause';
import { detectPrivileges } from './privileges';
import { injectResetPeer } from './reset-peer';
import { RouteRegistry } from './route';
import type { FaultSpec, FaultTarget, FaultType } from './spec';
import { injectStall } from './stall';
import { injectStop } from './stop';
import type { ActiveFault, FaultContext } from './types';

export { revertAll, Journal } from './journal';
export { installMonitor, type Monitor } from './monitor';
export { checkPrivileges, type FaultAvailability } from './privileges';
export { detectNetem } from './netem';
export type { ProxySecond } from './proxy';
export {
  type ActiveFault,
  type FaultContext,
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
  /** Where reverts are journalled; see defaultJournalPath(). */
  journalPath?: string;
  log?: (line: string) => void;
  /** The host's /proc and cgroupfs unless given (tests: a scratch directory laid out like one). */
  cgroupHost?: CgroupHost;
}

/** One context per run: the project, its journal, the privileges found and the shared routes. */
export async function createFaultContext(options: FaultContextOptions): Promise<FaultContext> {
  return {
    project: options.project,
    journal: new Journal(options.journalPath ?? defaultJournalPath()),
    log: options.log ?? (() => undefined),
    privileges: await detectPrivileges(),
    routes: new RouteRegistry(),
    ...(options.cgroupHost ? { cgroupHost: options.cgroupHost } : {}),
  };
}

/** $CHAOS_JOURNAL, else $RUNNER_TEMP/chaos-action/journal.json, else ./.chaos-action/journal.json. */
export function defaultJournalPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.CHAOS_JOURNAL) return path.resolve(cwd, env.CHAOS_JOURNAL);
  if (env.RUNNER_TEMP) return path.join(env.RUNNER_TEMP, 'chaos-action', 'journal.json');
  return path.join(cwd, '.chaos-action', 'journal.json');
}
