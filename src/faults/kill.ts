// kill: one signal to the target's containers. A restart policy may bring them back by
// itself; with `restart: true` the revert starts any that did not. Proof for a lethal
// signal: the container died (stopped, restarting, or started anew: its StartedAt moved).
import { docker } from '../stack/docker';
import { describeState, inspectContainer, resolveTargets, targetLabel, waitForState } from './containers';
import { FaultHandle } from './fault-handle';
import type { FaultTarget, KillFault } from './spec';
import { verifyRunning } from './stop';
import { type ActiveFault, type FaultContext, FaultNotEffectiveError } from './types';

const LETHAL = new Set(['KILL', 'TERM', 'INT', 'QUIT', 'ABRT', '9', '15', '2', '3', '6']);

export function isLethalSignal(signal: string): boolean {
  return LETHAL.has(signal.toUpperCase().replace(/^SIG/, ''));
}

export async function injectKill(
  ctx: FaultContext,
  target: FaultTarget,
  spec: KillFault,
): Promise<ActiveFault> {
  const containers = await resolveTargets(ctx.project, target.service);
  const handle = await FaultHandle.begin(
    ctx,
    'kill',
    containers.map(targetLabel),
    spec.restart
      ? containers.map((c) => ({ op: 'start-container' as const, containerId: c.id, name: c.name }))
      : [],
  );
  try {
    await Promise.all(
      containers.map(async (container) => {
        const before = await inspectContainer(container.id);
        if (!before.State.Running)
          throw new FaultNotEffectiveError(
            `${container.name} is not running (${describeState(before.State)}): nothing to kill`,
          );
        await docker().getContainer(container.id).kill({ signal: spec.signal });
        if (!isLethalSignal(spec.signal)) {
          handle.addEvidence(
            `${container.name}: ${spec.signal} delivered (not a lethal signal; no death expected)`,
          );
          return;
        }
        const died = (state: typeof before.State) =>
          !state.Running || state.Restarting || state.StartedAt !== before.State.StartedAt;
        const { inspect, held, waitedMs } = await waitForState(container.id, died, 5000);
        if (!held)
          throw new FaultNotEffectiveError(
            `${container.name} survived ${spec.signal} for 5s: ${describeState(inspect.State)}`,
          );
        const restarts = inspect.RestartCount - before.RestartCount;
        handle.addEvidence(
          `${container.name} died on ${spec.signal} within ${Math.round(waitedMs)}ms: ${describeState(inspect.State)}` +
            (restarts > 0 || inspect.State.StartedAt !== before.State.StartedAt
              ? ` (restarted by policy, restartCount +${restarts})`
              : ''),
        );
      }),
    );
  } catch (error) {
    return handle.abandon(error);
  }
  if (spec.restart) handle.hooks.verifyRevert = () => verifyRunning(containers);
  return handle.markInjected();
}
