// The clients of a network fault: every other service of the run's project, or the one
// service named in `from`, as running containers with their network namespaces.
import { listProjectContainers, resolveService } from '../../stack/targets';
import { containerRuntime, type ContainerRuntime } from './netns';
import { FaultUnavailableError } from '../types';

export async function resolveClients(
  project: string,
  targetService: string,
  from: string | null,
): Promise<ContainerRuntime[]> {
  if (from === targetService)
    throw new FaultUnavailableError(`"from" (${from}) names the target service itself`);
  const candidates = from
    ? await resolveService(project, from)
    : (await listProjectContainers(project)).filter((c) => c.service !== targetService);
  const runtimes = await Promise.all(candidates.map((c) => containerRuntime(c.id, project)));
  const running = runtimes.filter((r) => r.running && r.pid > 0);
  if (running.length === 0) {
    throw new FaultUnavailableError(
      from
        ? `client service "${from}" has no running container in project "${project}"`
        : `project "${project}" has no running service other than "${targetService}" to cut it off from`,
    );
  }
  return running;
}

/** Runtimes of the target service's containers (running ones; a network fault needs their addresses). */
export async function resolveTargetRuntimes(project: string, service: string): Promise<ContainerRuntime[]> {
  const containers = await resolveService(project, service);
  const runtimes = await Promise.all(containers.map((c) => containerRuntime(c.id, project)));
  const running = runtimes.filter((r) => r.running);
  if (running.length === 0) {
    throw new FaultUnavailableError(
      `service "${service}" has no running container: a network fault needs its addresses`,
    );
  }
  return running;
}

/** The TCP port a network fault applies to: the spec's, else the first one the image exposes. */
export function defaultPort(target: ContainerRuntime, port: number | null): number {
  if (port !== null) return port;
  const exposed = Object.keys(target.inspect.Config.ExposedPorts ?? {})
    .filter((key) => key.endsWith('/tcp'))
    .map((key) => Number.parseInt(key, 10))
    .sort((a, b) => a - b);
  if (exposed.length === 0) {
    throw new FaultUnavailableError(`service "${target.service}" exposes no TCP port; give the fault a port`);
  }
  return exposed[0];
}
