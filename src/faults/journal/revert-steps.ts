// The one executor that carries a revert step (entry.ts) out — used by a live fault's
// revert() and by the journal replay alike, so both paths do exactly the same.
// Every step is idempotent and tolerant: a container that is gone, a rule already removed
// or a process already dead are reported and count as done.
import { docker } from '../../stack/docker';
import { containerEventsBetween } from '../../stack/events';
import { TargetError } from '../../stack/targets';
import { netemRemoveCommand } from '../network/netem';
import { containerRuntime, removeChainInPid } from '../network/netns';
import { execAsRoot, execInNetns } from '../privileges';
import { processStartTicks, writeOomScoreAdj } from '../resources/processes';
import type { RevertStep } from './entry';

/** What a step did, in one line for the log and the report. */
export interface StepOutcome {
  ok: boolean;
  message: string;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Docker answers 304 for "already started/stopped" and 409 for "not paused" and the like. */
function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

export async function executeStep(step: RevertStep, project: string): Promise<StepOutcome> {
  try {
    switch (step.op) {
      case 'start-container':
        return await startContainer(step.containerId, step.name, project);
      case 'unpause-container':
        return await unpauseContainer(step.containerId, step.name, project);
      case 'remove-chain':
        return await removeChain(step, project);
      case 'network-connect':
        return await networkConnect(step, project);
      case 'kill-process':
        return await killProcess(step);
      case 'restore-oom-score':
        return await restoreOomScore(step);
      case 'remove-qdisc':
        return await removeQdisc(step, project);
    }
  } catch (error) {
    if (error instanceof TargetError) return { ok: true, message: `${step.op}: skipped, ${error.message}` };
    return { ok: false, message: `${step.op}: failed: ${describe(error)}` };
  }
}

async function startContainer(containerId: string, name: string, project: string): Promise<StepOutcome> {
  let runtime = await containerRuntime(containerId, project);
  if (runtime.paused) await docker().getContainer(runtime.id).unpause();
  if (runtime.inspect.State.Restarting)
    return { ok: true, message: `start ${name}: being restarted by its restart policy` };
  let waited = '';
  if (runtime.running) {
    // A run killed just after it journalled a stop leaves that stop to the engine, which goes on
    // with it (SIGTERM, then SIGKILL after the stop timeout) whatever happens to the client that
    // asked. Starting the container then is a no-op, and it dies a moment later: wait for the
    // stop to finish first, then start it.
    const pending = await stopInFlight(runtime.id, runtime.inspect.State.StartedAt);
    if (!pending) return { ok: true, message: `start ${name}: already running` };
    const stopped = await waitForStopped(runtime.id, STOP_IN_FLIGHT_WAIT_MS);
    if (!stopped)
      return {
        ok: false,
        message: `start ${name}: a stop sent before the crash is still under way after ${STOP_IN_FLIGHT_WAIT_MS / 1000}s`,
      };
    waited = ` (after waiting ${Math.round(stopped.waitedMs)}ms for a stop sent before the crash to finish)`;
    runtime = await containerRuntime(containerId, project);
    if (runtime.running || runtime.inspect.State.Restarting)
      return { ok: true, message: `start ${name}: running again by its restart policy${waited}` };
  }
  try {
    await docker().getContainer(runtime.id).start();
  } catch (error) {
    if (statusOf(error) !== 304) throw error;
  }
  return { ok: true, message: `start ${name}: started${waited}` };
}

/** How long a replay waits for an engine-side stop to finish: longer than any stop timeout we send. */
const STOP_IN_FLIGHT_WAIT_MS = 60_000;

/**
 * Whether the engine is still stopping or killing the container: a `kill` event (docker stop
 * starts with one) since it last started, with no `die` after it.
 */
async function stopInFlight(containerId: string, startedAt: string): Promise<boolean> {
  const since = Date.parse(startedAt) / 1000;
  if (!Number.isFinite(since)) return false;
  const events = await containerEventsBetween(containerId, since, Date.now() / 1000, [
    'kill',
    'die',
    'start',
  ]);
  let pending = false;
  for (const event of events) {
    if (event.Action === 'kill') pending = true;
    else if (event.Action === 'die' || event.Action === 'start') pending = false;
  }
  return pending;
}

async function waitForStopped(containerId: string, timeoutMs: number): Promise<{ waitedMs: number } | null> {
  const started = Date.now();
  for (;;) {
    const inspect = await docker().getContainer(containerId).inspect();
    if (!inspect.State.Running) return { waitedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) return null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function unpauseContainer(containerId: string, name: string, project: string): Promise<StepOutcome> {
  const runtime = await containerRuntime(containerId, project);
  if (!runtime.paused) return { ok: true, message: `unpause ${name}: not paused` };
  await docker().getContainer(runtime.id).unpause();
  return { ok: true, message: `unpause ${name}: unpaused` };
}

async function removeChain(
  step: Extract<RevertStep, { op: 'remove-chain' }>,
  project: string,
): Promise<StepOutcome> {
  const runtime = await containerRuntime(step.containerId, project);
  if (!runtime.running || runtime.pid <= 0) {
    return {
      ok: true,
      message: `remove ${step.table}/${step.chain} in ${step.name}: container not running, its namespace (and the chain) is gone`,
    };
  }
  await removeChainInPid(runtime.pid, step);
  return { ok: true, message: `remove ${step.table}/${step.chain} in ${step.name}: removed` };
}

async function networkConnect(
  step: Extract<RevertStep, { op: 'network-connect' }>,
  project: string,
): Promise<StepOutcome> {
  const runtime = await containerRuntime(step.containerId, project);
  if (runtime.networks.some((net) => net.networkId === step.networkId)) {
    return { ok: true, message: `connect ${step.name} to ${step.networkName}: already connected` };
  }
  try {
    await docker()
      .getNetwork(step.networkId)
      .connect({ Container: runtime.id, EndpointConfig: { Aliases: step.aliases } });
  } catch (error) {
    if (statusOf(error) === 404)
      return { ok: true, message: `connect ${step.name} to ${step.networkName}: skipped, network gone` };
    throw error;
  }
  return { ok: true, message: `connect ${step.name} to ${step.networkName}: reconnected` };
}

async function killProcess(step: Extract<RevertStep, { op: 'kill-process' }>): Promise<StepOutcome> {
  const ticks = processStartTicks(step.pid);
  if (ticks === null) return { ok: true, message: `stop ${step.what} (pid ${step.pid}): already exited` };
  if (ticks !== step.startTicks)
    return {
      ok: true,
      message: `stop ${step.what} (pid ${step.pid}): pid now belongs to another process, left alone`,
    };
  try {
    process.kill(step.pid, 'SIGKILL');
  } catch (error) {
    // A hog started by another user (a run as root cleaned up by an unprivileged user with
    // sudo, or the reverse): the same root path as the faults.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    const result = await execAsRoot('kill', ['-KILL', String(step.pid)], { timeoutMs: 5000 });
    if (result.code !== 0 && processStartTicks(step.pid) === step.startTicks)
      throw new Error(`kill -KILL ${step.pid} as root: ${result.stderr.trim()}`);
  }
  return { ok: true, message: `stop ${step.what} (pid ${step.pid}): killed` };
}

async function restoreOomScore(step: Extract<RevertStep, { op: 'restore-oom-score' }>): Promise<StepOutcome> {
  const what = `${step.what} (pid ${step.pid}) oom_score_adj`;
  const ticks = processStartTicks(step.pid);
  // Killed by the OOM killer (the point of the fault) or restarted: the new process starts afresh.
  if (ticks === null || ticks !== step.startTicks)
    return { ok: true, message: `${what}: process gone, nothing to restore` };
  await writeOomScoreAdj(step.pid, step.value);
  return { ok: true, message: `${what}: back to ${step.value}` };
}

async function removeQdisc(
  step: Extract<RevertStep, { op: 'remove-qdisc' }>,
  project: string,
): Promise<StepOutcome> {
  const runtime = await containerRuntime(step.containerId, project);
  if (!runtime.running) return { ok: true, message: `remove qdisc in ${step.name}: container not running` };
  const result = await execInNetns(runtime.pid, 'tc', netemRemoveCommand(step.device), { timeoutMs: 10_000 });
  const gone =
    result.code === 0 ||
    /No such file|Cannot delete qdisc with handle of zero|Invalid handle/i.test(result.stderr);
  if (!gone) throw new Error(result.stderr.trim());
  return { ok: true, message: `remove qdisc on ${step.device} in ${step.name}: removed` };
}
