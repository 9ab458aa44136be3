// Each side of a paired run on CPUs of its own. Two stacks on the same cores take CPU from each
// other at random moments, and a request that waits for the other stack's work is noise that
// the pairing cannot cancel (it lands on one side only). Given CPUs of their own, the PR's
// containers and the base's no longer preempt each other; what they still share (the load
// generator's process, the engine, the kernel) lands on both sides.
//
// On by default only with at least MIN_CORES cores: with fewer, each side gets a single core for
// all of its containers (API, cache, collector, Prometheus), which then queue behind each other
// (measured in docs/calibration.md). CHAOS_PAIRED_CPUS=on|off overrides it, for measurement.
import os from 'node:os';
import { docker } from '../stack/docker';
import { listProjectContainers } from '../stack/targets';

/** Cores from which pinning is on by default: two for each side. */
export const MIN_CORES = 4;

export type PinSetting = 'auto' | 'on' | 'off';

export function pinSetting(env: NodeJS.ProcessEnv = process.env): PinSetting {
  const value = env.CHAOS_PAIRED_CPUS;
  return value === 'on' || value === 'off' ? value : 'auto';
}

/**
 * The CPU sets of the two sides, as `docker update --cpuset-cpus` reads them: the first half of
 * the cores for the PR, the second half for the base (an odd core out goes to neither, left to
 * the load generator and the engine); null when pinning is off, or on with fewer than two cores.
 */
export function cpuSplit(cores: number, setting: PinSetting): { pr: string; base: string } | null {
  if (setting === 'off' || cores < 2) return null;
  if (setting === 'auto' && cores < MIN_CORES) return null;
  const half = Math.floor(cores / 2);
  const range = (from: number, count: number): string =>
    count === 1 ? String(from) : `${from}-${from + count - 1}`;
  return { pr: range(0, half), base: range(half, half) };
}

/** Pins every container of the project to the CPU set; returns how many were pinned. */
export async function pinProject(project: string, cpus: string): Promise<number> {
  const containers = await listProjectContainers(project);
  await Promise.all(containers.map((c) => docker().getContainer(c.id).update({ CpusetCpus: cpus })));
  return containers.length;
}

/** The machine's cores as the scheduler offers them to this process. */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
