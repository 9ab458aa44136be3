// stop: the target's containers are stopped gracefully (SIGTERM, SIGKILL after the stop
// timeout) and started again on revert. Proof: inspect reports them not running.
import { docker } from '../stack/docker';
import { monotonicMs } from '../util/clock';
import { describeState, ignoreNotModified, resolveTargets, targetLabel, waitForState } from './containers';
import { FaultHandle } from './fault-handle';
import type { FaultTarget, StopFault } from './spec';
import { type ActiveFault, type FaultContext, FaultNotEffectiveError } from './types';

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
  handle.hooks.verifyRevert = () => verifyRunning(containers.map((c) => ({ id: c.id, name: c.name })));
  return handle.markInjected();
}

/** After a revert that starts containers: each is running again (evidence, not a wait for health). */
export async function verifyRunning(containers: { id: string; name: string }[]): Promise<string[]> {
  return Promise.all(
    containers.map(async (c) => {
      const { inspect, held } = await waitForState(c.id, (s) => s.Running && !s.Paused, 5000);
      return `${c.name} ${held ? 'running again' : 'NOT running after revert'}: ${describeState(inspect.State)}`;
    }),
  );
}
