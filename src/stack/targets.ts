// Finds a run's containers by their compose labels, and refuses anything outside the
// run's own project: a fault can never reach a container it was not meant for.
import type Docker from 'dockerode';
import { docker } from './docker';
import { ONEOFF_LABEL, PROJECT_LABEL, SERVICE_LABEL, composeProjectOf } from './labels';

export interface ServiceContainer {
  id: string;
  /** The container's name without the leading slash, for messages only. */
  name: string;
  project: string;
  service: string;
  state: string;
}

export class TargetError extends Error {}

function toServiceContainer(info: Docker.ContainerInfo): ServiceContainer {
  return {
    id: info.Id,
    name: (info.Names[0] ?? info.Id).replace(/^\//, ''),
    project: info.Labels[PROJECT_LABEL],
    service: info.Labels[SERVICE_LABEL],
    state: info.State,
  };
}

/**
 * Every container (running or not) that compose made for a project's services; one-off `run`
 * containers excluded. Compose marks each container it makes with a one-off label ("False" or
 * "True", v1 and v2). The project label alone is not enough: `compose build` puts it on the
 * image, and a container anyone starts from that image (`docker run`) inherits it.
 */
export async function listProjectContainers(project: string): Promise<ServiceContainer[]> {
  const infos = await docker().listContainers({
    all: true,
    filters: { label: [`${PROJECT_LABEL}=${project}`, `${ONEOFF_LABEL}=False`] },
  });
  return infos
    .map(toServiceContainer)
    .sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
}

/** The service names a project has, for error messages and role mapping. */
export async function listProjectServices(project: string): Promise<string[]> {
  const containers = await listProjectContainers(project);
  return [...new Set(containers.map((c) => c.service))].sort();
}

/**
 * The containers of one service of the run's project. An empty answer is an error
 * that names what was asked and what exists, never a silent no-op fault.
 */
export async function resolveService(project: string, service: string): Promise<ServiceContainer[]> {
  const containers = await listProjectContainers(project);
  const matches = containers.filter((c) => c.service === service);
  if (matches.length === 0) {
    const existing = [...new Set(containers.map((c) => c.service))].sort();
    throw new TargetError(
      `service "${service}" has no container in compose project "${project}"` +
        (existing.length ? ` (services there: ${existing.join(', ')})` : ' (the project has no containers)'),
    );
  }
  return matches;
}

/**
 * Re-reads a container by id and checks it still belongs to the project and service:
 * ids from a journal or an earlier lookup are never trusted blindly.
 */
export async function assertInProject(containerId: string, project: string): Promise<ServiceContainer> {
  let inspect: Docker.ContainerInspectInfo;
  try {
    inspect = await docker().getContainer(containerId).inspect();
  } catch {
    throw new TargetError(`container ${containerId.slice(0, 12)} does not exist`);
  }
  const labels = inspect.Config.Labels ?? {};
  const belongsTo = composeProjectOf(labels);
  if (belongsTo !== project) {
    throw new TargetError(
      `container ${inspect.Name.replace(/^\//, '')} belongs to ${belongsTo ? `project "${belongsTo}"` : 'no compose project'}, not to this run's project "${project}"; refusing to touch it`,
    );
  }
  return {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    project,
    service: labels[SERVICE_LABEL],
    state: inspect.State.Status,
  };
}
