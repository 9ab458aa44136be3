// cpu: a hog of `workers` busy threads joins the target's cgroups, so its CPU time is
// charged to (and throttled with) the container. Proof: the CPU time the hog itself used while
// measured shows in the cgroup's counter. How much CPU the hog gets depends on how busy the
// machine is (on a loaded 2-core runner a busy loop may get a tenth of a CPU), so the proof is
// the charging, not a share: a share is reported, never required.
import { monotonicMs, sleep } from '../../util/clock';
import { containerCgroups, cpuUsageMicros, joinCgroups } from './cgroups';
import { resolveTargetRuntimes } from '../network/clients';
import { targetLabel } from '../containers/inspect';
import { FaultHandle } from '../fault-handle';
import { spawnHog } from './hog';
import { processCpuMicros } from './processes';
import type { CpuFault, FaultTarget } from '../spec';
import { type ActiveFault, FaultNotEffectiveError, FaultUnavailableError } from '../types';
import type { FaultContext } from '../context';

/** The shortest look; it goes on, up to MEASURE_MAX_MS, until the hog has run HOG_CPU_ENOUGH_US. */
const MEASURE_MS = 300;
const MEASURE_MAX_MS = 3000;
/** Enough of the hog's own CPU time to compare (/proc counts it in 10 ms ticks). */
const HOG_CPU_ENOUGH_US = 100_000;
/** The share of the hog's CPU time the cgroup must show: below 1 for the ticks' rounding. */
const MIN_CHARGED = 0.7;

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
    const hogBefore = processCpuMicros(hog.pid);
    const started = monotonicMs();
    let hogUsed = 0;
    do {
      await sleep(100);
      hogUsed = (processCpuMicros(hog.pid) ?? 0) - (hogBefore ?? 0);
    } while (
      monotonicMs() - started < MEASURE_MS ||
      (hogUsed < HOG_CPU_ENOUGH_US && monotonicMs() - started < MEASURE_MAX_MS)
    );
    const after = cpuUsageMicros(cgroups);
    hogUsed = (processCpuMicros(hog.pid) ?? 0) - (hogBefore ?? 0);
    const elapsedMs = monotonicMs() - started;
    if (before === null || after === null)
      throw new FaultNotEffectiveError(`${runtime.name}'s CPU counter is not readable`);
    if (hogBefore === null || hogUsed <= 0)
      throw new FaultNotEffectiveError(
        `cpu hog not in effect: it used no CPU in ${Math.round(elapsedMs)}ms (pid ${hog.pid})`,
      );
    const charged = after - before;
    if (charged < MIN_CHARGED * hogUsed) {
      throw new FaultNotEffectiveError(
        `cpu hog not in effect: it used ${Math.round(hogUsed / 1000)}ms of CPU in ${Math.round(elapsedMs)}ms, but ${runtime.name}'s cgroup counted ${Math.round(charged / 1000)}ms`,
      );
    }
    const share = charged / 1000 / elapsedMs;
    handle.addEvidence(
      `${spec.workers} busy worker(s) (pid ${hog.pid}) in ${runtime.name}'s cgroup: ${share.toFixed(2)} CPU used over ${Math.round(elapsedMs)}ms, the hog's own ${Math.round(hogUsed / 1000)}ms of it counted there (cgroup v${cgroups.version})`,
    );
  } catch (error) {
    await hog.stop();
    return handle.abandon(error);
  }
  handle.hooks.beforeSteps = () => hog.stop();
  return handle.markInjected();
}
