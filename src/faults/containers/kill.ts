// kill: one signal to the target's containers. A restart policy may bring them back by
// itself; with `restart: true` the revert starts any that did not (proof: running again).
// Proof for a lethal signal: the container died (stopped, restarting, or started anew: its
// StartedAt moved). Any other signal must be proven too: before sending, the container's main
// process is read from /proc/PID/status (its cgroup must name the container). A signal it
// handles is proven by the pending bit clearing (the handler ran) while the container keeps
// running with the same StartedAt and restart count, or by the container's death; a signal
// whose default action kills is proven by the death. A signal it would never see (ignored, or
// unhandled by a container's init, which the kernel then drops) or one that would stop it
// with nothing to resume it is refused before anything is sent; so is any non-lethal signal
// when the process cannot be read from here.
import type Docker from 'dockerode';
import { docker } from '../../stack/docker';
import type { ServiceContainer } from '../../stack/targets';
import { monotonicMs, sleep } from '../../util/clock';
import { describeState, inspectContainer, resolveTargets, targetLabel, waitForState } from './inspect';
import { FaultHandle } from '../fault-handle';
import { verifyRunning } from './revert-proof';
import {
  isPending,
  killSignalProblem,
  parseSignal,
  type ProcessSignals,
  readProcessSignals,
  type SignalInfo,
  signalOutcome,
} from './signals';
import type { FaultTarget, KillFault } from '../spec';
import { type ActiveFault, FaultNotEffectiveError, FaultUnavailableError } from '../types';
import type { FaultContext } from '../context';

const LETHAL = new Set(['KILL', 'TERM', 'INT', 'QUIT', 'ABRT', '9', '15', '2', '3', '6']);
/** How long a lethal signal (or a non-lethal one whose default action kills) may take to kill. */
const DEATH_WAIT_MS = 5000;
/** How long a handled signal may stay pending before its delivery counts as not proven. */
const HANDLED_WAIT_MS = 2000;
/** After the handler ran: how long the container must still be the same running one. */
const STILL_RUNNING_MS = 250;

export function isLethalSignal(signal: string): boolean {
  return LETHAL.has(signal.toUpperCase().replace(/^SIG/, ''));
}

type State = Docker.ContainerInspectInfo['State'];

interface Plan {
  container: ServiceContainer;
  before: Docker.ContainerInspectInfo;
  /** For a non-lethal signal: the main process as read before sending, and what to expect. */
  process: ProcessSignals | null;
  expect: 'death' | 'handled';
}

export async function injectKill(
  ctx: FaultContext,
  target: FaultTarget,
  spec: KillFault,
): Promise<ActiveFault> {
  const problem = killSignalProblem(spec.signal);
  const signal = parseSignal(spec.signal);
  if (problem !== null || signal === null) throw new FaultUnavailableError(`kill: ${problem}`);
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
    // Every container is checked before any is sent the signal: a refusal leaves all untouched.
    const plans = await Promise.all(containers.map((container) => planKill(container, spec.signal, signal)));
    await Promise.all(plans.map((plan) => killAndProve(handle, plan, spec.signal, signal)));
  } catch (error) {
    return handle.abandon(error);
  }
  if (spec.restart) handle.hooks.verifyRevert = () => verifyRunning(containers);
  return handle.markInjected();
}

async function planKill(container: ServiceContainer, asked: string, signal: SignalInfo): Promise<Plan> {
  const before = await inspectContainer(container.id);
  if (!before.State.Running)
    throw new FaultNotEffectiveError(
      `${container.name} is not running (${describeState(before.State)}): nothing to kill`,
    );
  if (isLethalSignal(asked)) return { container, before, process: null, expect: 'death' };
  if (before.State.Paused)
    throw new FaultNotEffectiveError(
      `${container.name} is paused (${describeState(before.State)}): it cannot act on ${signal.name} until unpaused`,
    );
  const process = readProcessSignals(before.State.Pid, container.id);
  if (!process)
    throw new FaultUnavailableError(
      `${targetLabel(container)}: its main process (pid ${before.State.Pid}) cannot be read from this host, so what ${signal.name} does to it cannot be proven; send a lethal signal (SIGTERM, SIGKILL…) or run next to the Docker engine`,
    );
  const outcome = signalOutcome(signal, process);
  const who = `${targetLabel(container)}: its main process (${process.command}, pid ${before.State.Pid})`;
  if (outcome.kind === 'nothing')
    throw new FaultUnavailableError(
      `${who} would not see ${signal.name}: ${outcome.why}; the fault would change nothing`,
    );
  if (outcome.kind === 'stop')
    throw new FaultUnavailableError(
      `${who} would be stopped by ${signal.name} (${outcome.why}) with nothing to resume it: use type pause`,
    );
  return { container, before, process, expect: outcome.kind };
}

async function killAndProve(handle: FaultHandle, plan: Plan, asked: string, signal: SignalInfo) {
  const { container, before } = plan;
  const died = (state: State) =>
    !state.Running || state.Restarting || state.StartedAt !== before.State.StartedAt;
  const sentAt = monotonicMs();
  await docker().getContainer(container.id).kill({ signal: asked });
  if (plan.expect === 'death') {
    const { inspect, held, waitedMs } = await waitForState(container.id, died, DEATH_WAIT_MS);
    if (!held)
      throw new FaultNotEffectiveError(
        `${container.name} survived ${asked} for ${DEATH_WAIT_MS / 1000}s: ${describeState(inspect.State)}`,
      );
    handle.addEvidence(deathLine(container, before, inspect, asked, waitedMs));
    return;
  }
  // Handled: the handler has run once the signal is no longer pending (the process may exit then).
  const pid = before.State.Pid;
  const command = plan.process?.command ?? '?';
  for (;;) {
    const inspect = await inspectContainer(container.id);
    if (died(inspect.State)) {
      handle.addEvidence(deathLine(container, before, inspect, asked, monotonicMs() - sentAt, 'its handler'));
      return;
    }
    const seen = readProcessSignals(pid, container.id);
    if (seen && !isPending(seen, signal.number)) break;
    if (monotonicMs() - sentAt > HANDLED_WAIT_MS)
      throw new FaultNotEffectiveError(
        `${container.name}: ${signal.name} still pending in its main process (pid ${pid}) ${HANDLED_WAIT_MS / 1000}s after it was sent (it blocks the signal?): ${describeState(inspect.State)}`,
      );
    await sleep(25);
  }
  const handledMs = monotonicMs() - sentAt;
  await sleep(STILL_RUNNING_MS);
  const after = await inspectContainer(container.id);
  if (died(after.State)) {
    handle.addEvidence(deathLine(container, before, after, asked, monotonicMs() - sentAt, 'its handler'));
    return;
  }
  if (after.RestartCount !== before.RestartCount || after.State.Pid !== pid)
    throw new FaultNotEffectiveError(
      `${container.name}: its main process changed after ${signal.name} (pid ${pid} → ${after.State.Pid}, restartCount ${before.RestartCount} → ${after.RestartCount})`,
    );
  handle.addEvidence(
    `${container.name}: ${signal.name} handled by its main process (${command}, pid ${pid}: a handler installed, the signal no longer pending ${Math.round(handledMs)}ms after it was sent); still running ${STILL_RUNNING_MS}ms later, StartedAt and restartCount (${after.RestartCount}) unchanged: ${describeState(after.State)}`,
  );
}

function deathLine(
  container: ServiceContainer,
  before: Docker.ContainerInspectInfo,
  inspect: Docker.ContainerInspectInfo,
  signal: string,
  waitedMs: number,
  through?: string,
): string {
  const restarts = inspect.RestartCount - before.RestartCount;
  return (
    `${container.name} died on ${signal}${through ? ` (through ${through})` : ''} within ${Math.round(waitedMs)}ms: ${describeState(inspect.State)}` +
    (restarts > 0 || inspect.State.StartedAt !== before.State.StartedAt
      ? ` (restarted by policy, restartCount +${restarts})`
      : '')
  );
}
