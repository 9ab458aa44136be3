// pause: the target's processes are frozen (cgroup freezer) and thawed on revert. Their
// sockets stay open, so clients see hangs rather than refusals. Proof: inspect Paused=true;
// the revert's proof: Paused=false, and still so a moment later.
import { docker } from '../../stack/docker';
import { describeState, inspectContainer, resolveTargets, targetLabel } from './inspect';
import { FaultHandle } from '../fault-handle';
import { verifyUnpaused } from './revert-proof';
import type { FaultTarget, PauseFault } from '../spec';
import { type ActiveFault, FaultNotEffectiveError } from '../types';
import type { FaultContext } from '../context';

export async function injectPause(
  ctx: FaultContext,
  target: FaultTarget,
  _spec: PauseFault,
): Promise<ActiveFault> {
  const containers = await resolveTargets(ctx.project, target.service);
  const handle = await FaultHandle.begin(
    ctx,
    'pause',
    containers.map(targetLabel),
    containers.map((c) => ({ op: 'unpause-container', containerId: c.id, name: c.name })),
  );
  try {
    await Promise.all(
      containers.map(async (container) => {
        await docker().getContainer(container.id).pause();
        const inspect = await inspectContainer(container.id);
        if (!inspect.State.Paused)
          throw new FaultNotEffectiveError(
            `${container.name} is not paused: ${describeState(inspect.State)}`,
          );
        handle.addEvidence(`${container.name} ${describeState(inspect.State)}`);
      }),
    );
  } catch (error) {
    return handle.abandon(error);
  }
  handle.hooks.verifyRevert = () => verifyUnpaused(containers);
  return handle.markInjected();
}
