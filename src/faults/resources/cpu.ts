// cpu: a hog of `workers` busy threads joins the target's cgroups, so its CPU time is
// charged to (and throttled with) the container. Proof: the cgroup's CPU counter grows by a
// measured share of a CPU while the hog runs.
import { monotonicMs, sleep } from '../../util/clock';
import { containerCgroups, cpuUsageMicros, joinCgroups } from './cgroups';
import { resolveTargetRuntimes } from '../network/clients';
import { targetLabel } from '../containers/inspect';
import { FaultHandle } from '../fault-handle';
import { spawnHog } from './hog';
import type { CpuFault, FaultTarget } from '../spec';
import { type ActiveFault, FaultNotEffectiveError, FaultUnavailableError } from '../types';
import type { FaultContext } from '../context';

const MEASURE_MS = 300;
/** The least share of one CPU the hog must add to count as in effect (the machine may be busy). */
const MIN_CPU_SHARE = 0.2;

export async function injectCpu(
  ctx: FaultContext,
  target: FaultTarget,
  spec: CpuFault,
): Promise<ActiveFault> {
  if (ctx.privileges.mode === 'none')
    throw new FaultUnavailableError("a CPU hog joins the container's cgroup: needs root or sudo -n");
  const [runtime] = await resolveTargetRuntimes(ctx.project, target.service);
  const cgroups = containerCgroups(runtime.pid, ctx.cgroupHost);
  const handle = await FaultHandle.begin(ctx, 'cpu', [targetLabel(runtime)], []);
  const hog = spawnHog({ mode: 'cpu', workers: spec.workers, watchPid: runtime.pid });
  try {
    await handle.addSteps([
      { op: 'kill-process', pid: hog.pid, startTicks: hog.startTicks, what: `cpu hog in ${runtime.name}` },
    ]);
    await joinCgroups(hog.pid, cgroups);
    hog.go();
    // Measured once the workers run: their start-up on a busy machine is not the fault's effect.
    await Promise.race([hog.working, hog.exited, sleep(5000)]);
    const before = cpuUsageMicros(cgroups);
    const started = monotonicMs();
    await sleep(MEASURE_MS);
    const after = cpuUsageMicros(cgroups);
    const elapsedMs = monotonicMs() - started;
    if (before === null || after === null)
      throw new FaultNotEffectiveError(`${runtime.name}'s CPU counter is not readable`);
    const share = (after - before) / 1000 / elapsedMs;
    if (share < MIN_CPU_SHARE) {
      throw new FaultNotEffectiveError(
        `cpu hog not in effect: ${runtime.name}'s cgroup used ${share.toFixed(2)} CPU over ${Math.round(elapsedMs)}ms`,
      );
    }
    handle.addEvidence(
      `${spec.workers} busy worker(s) (pid ${hog.pid}) in ${runtime.name}'s cgroup: ${share.toFixed(2)} CPU used over ${Math.round(elapsedMs)}ms (cgroup v${cgroups.version})`,
    );
  } catch (error) {
    await hog.stop();
    return handle.abandon(error);
  }
  handle.hooks.beforeSteps = () => hog.stop();
  return handle.markInjected();
}
