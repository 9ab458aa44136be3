// flap: the seed's restart loop. The target is stopped for downMs, started for upMs, again
// and again until the runner reverts the fault (or durationMs has passed, whichever is
// first). The revert ends the loop and leaves the target running. Proof: the first stop is
// seen in inspect; every cycle is logged as evidence.
import { docker } from '../../stack/docker';
import { monotonicMs, sleep } from '../../util/clock';
import { describeState, ignoreNotModified, resolveTargets, targetLabel, waitForState } from './inspect';
import { FaultHandle } from '../fault-handle';
import type { FaultTarget, FlapFault } from '../spec';
import { verifyRunning } from './revert-proof';
import { type ActiveFault, FaultNotEffectiveError } from '../types';
import type { FaultContext } from '../context';

export async function injectFlap(
  ctx: FaultContext,
  target: FaultTarget,
  spec: FlapFault,
): Promise<ActiveFault> {
  const containers = await resolveTargets(ctx.project, target.service);
  const handle = await FaultHandle.begin(
    ctx,
    'flap',
    containers.map(targetLabel),
    containers.map((c) => ({ op: 'start-container', containerId: c.id, name: c.name })),
  );
  const abort = new AbortController();
  const startedAt = monotonicMs();
  let cycles = 0;
  const stopAll = () =>
    Promise.all(
      containers.map((c) =>
        docker()
          .getContainer(c.id)
          .stop({ t: Math.ceil(spec.stopTimeoutMs / 1000) })
          .catch(ignoreNotModified),
      ),
    );
  const startAll = () =>
    Promise.all(containers.map((c) => docker().getContainer(c.id).start().catch(ignoreNotModified)));

  try {
    await stopAll();
    for (const container of containers) {
      const { inspect, held } = await waitForState(container.id, (s) => !s.Running, 2000);
      if (!held)
        throw new FaultNotEffectiveError(`${container.name} did not stop: ${describeState(inspect.State)}`);
      handle.addEvidence(`cycle 1: ${container.name} ${describeState(inspect.State)}`);
    }
  } catch (error) {
    return handle.abandon(error);
  }

  const loop = (async () => {
    const expired = () => spec.durationMs > 0 && monotonicMs() - startedAt >= spec.durationMs;
    for (;;) {
      cycles += 1;
      await sleep(spec.downMs, abort.signal);
      if (abort.signal.aborted) return;
      await startAll();
      if (expired()) return;
      await sleep(spec.upMs, abort.signal);
      if (abort.signal.aborted || expired()) return;
      await stopAll();
    }
  })().catch((error: Error) => ctx.log(`fault flap ${handle.id}: loop stopped: ${error.message}`));

  handle.hooks.beforeSteps = async () => {
    abort.abort();
    await loop;
    handle.addEvidence(
      `${cycles} down/up cycle(s) of ${spec.downMs}ms down / ${spec.upMs}ms up in ${Math.round(monotonicMs() - startedAt)}ms`,
    );
  };
  handle.hooks.verifyRevert = () => verifyRunning(containers);
  return handle.markInjected();
}
