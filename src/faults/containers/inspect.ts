// Resolving a fault's target service to containers, and the inspect-based observations the
// container faults prove themselves with.
import type Docker from 'dockerode';
import { docker } from '../../stack/docker';
import { resolveService, type ServiceContainer } from '../../stack/targets';
import { sleep, monotonicMs } from '../../util/clock';

export function targetLabel(container: Pick<ServiceContainer, 'service' | 'name'>): string {
  return `${container.service}/${container.name}`;
}

/** The containers of one service of the run's project; an unknown service is an error naming what exists. */
export async function resolveTargets(project: string, service: string): Promise<ServiceContainer[]> {
  return resolveService(project, service);
}

export function inspectContainer(id: string): Promise<Docker.ContainerInspectInfo> {
  return docker().getContainer(id).inspect();
}

/** Docker answers 304 when a container already is in the requested state. */
export function ignoreNotModified(error: unknown): void {
  if ((error as { statusCode?: number }).statusCode !== 304) throw error;
}

/** Polls inspect until `done` holds or the timeout passes; returns the last inspect and whether it held. */
export async function waitForState(
  id: string,
  done: (state: Docker.ContainerInspectInfo['State']) => boolean,
  timeoutMs: number,
): Promise<{ inspect: Docker.ContainerInspectInfo; held: boolean; waitedMs: number }> {
  const started = monotonicMs();
  for (;;) {
    const inspect = await inspectContainer(id);
    if (done(inspect.State)) return { inspect, held: true, waitedMs: monotonicMs() - started };
    if (monotonicMs() - started > timeoutMs)
      return { inspect, held: false, waitedMs: monotonicMs() - started };
    await sleep(25);
  }
}

/**
 * Polls inspect until `done` has held on every look for `settleMs` without the container
 * starting anew (StartedAt unchanged), or the timeout passes (a settle begun before it may
 * finish). A container that starts and dies at once, or that is stopped or paused again a
 * moment later, does not count as settled.
 */
export async function waitForSettledState(
  id: string,
  done: (state: Docker.ContainerInspectInfo['State']) => boolean,
  settleMs: number,
  timeoutMs: number,
): Promise<{ inspect: Docker.ContainerInspectInfo; held: boolean; waitedMs: number }> {
  const started = monotonicMs();
  let since: { atMs: number; startedAt: string } | null = null;
  for (;;) {
    const inspect = await inspectContainer(id);
    const now = monotonicMs();
    if (!done(inspect.State)) since = null;
    else if (since === null || since.startedAt !== inspect.State.StartedAt)
      since = { atMs: now, startedAt: inspect.State.StartedAt };
    else if (now - since.atMs >= settleMs) return { inspect, held: true, waitedMs: now - started };
    // Past the timeout, a settle already under way may finish (bounded by one more settleMs).
    const late = now - started > timeoutMs;
    if (late && (since === null || now - started > timeoutMs + settleMs))
      return { inspect, held: false, waitedMs: now - started };
    await sleep(25);
  }
}

/** "5s" for whole seconds, "1.5s" otherwise: for messages. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`;
}

export function describeState(state: Docker.ContainerInspectInfo['State']): string {
  const parts = [`state=${state.Status}`];
  if (state.Paused) parts.push('paused=true');
  if (!state.Running && state.Status === 'exited') parts.push(`exitCode=${state.ExitCode}`);
  if (state.OOMKilled) parts.push('OOMKilled=true');
  if (state.Health) parts.push(`health=${state.Health.Status}`);
  return parts.join(' ');
}
