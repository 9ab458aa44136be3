// stop: the target's containers are stopped gracefully (SIGTERM, SIGKILL after the stop
// timeout) and started again on revert. Proof: inspect reports them not running; the revert's
// proof: inspect reports them running again (and still running a moment later).
import { docker } from '../../stack/docker';
import { monotonicMs } from '../../util/clock';
import { describeState, ignoreNotModified, resolveTargets, targetLabel, waitForState } from './inspect';
import { FaultHandle } from '../fault-handle';
import { verifyRunning } from './revert-proof';
import type { FaultTarget, StopFault } from '../spec';
import { type ActiveFault, FaultNotEffectiveError } from '../types';
import type { FaultContext } from '../context';

export async function injectStop(
  ctx: FaultContext,
  target: FaultTarget,
  spec: StopFault,
): Promise<ActiveFault> {
  const containers = await resolveTargets(ctx.project, target.service);
  const handle = await FaultHandle.begin(
    ctx,
    'stop',
    containers.map(targetLabel),
    containers.map((c) => ({ op: 'start-container', containerId: c.id, name: c.name })),
  );
  try {
    await Promise.all(
      containers.map(async (container) => {
        const started = monotonicMs();
        await docker()
          .getContainer(container.id)
          .stop({ t: Math.ceil(spec.stopTimeoutMs / 1000) })
          .catch(ignoreNotModified);
        const { inspect, held } = await waitForState(container.id, (s) => !s.Running && !s.Restarting, 2000);
        if (!held)
          throw new FaultNotEffectiveError(
            `${container.name} is still ${describeState(inspect.State)} after docker stop`,
          );
        handle.addEvidence(
          `${container.name} ${describeState(inspect.State)} (stopped in ${Math.round(monotonicMs() - started)}ms)`,
        );
      }),
    );
  } catch (error) {
    return handle.abandon(error);
  }
  // Proof of the revert: each container running again (not yet healthy: that is recovery's to measure).
  handle.hooks.verifyRevert = () => verifyRunning(containers);
  return handle.markInjected();
}
