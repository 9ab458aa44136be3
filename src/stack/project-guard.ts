// A run tears its compose project down at the end (containers, networks and volumes, by the
// project label), and the Action's post step does it again. So a project name given by hand
// (--project, or `project:` in a run config a pull request can change) must be new: a name
// that already has anything on the engine is refused before anything starts, or teardown
// would remove someone else's stack and data.
import { ConfigError } from '../config/errors';
import { docker } from './docker';
import { PROJECT_LABEL } from './labels';

/** Compose's rule for project names. */
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export interface ProjectFootprint {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/** What the engine holds under a project's label (any state: stopped containers count). */
export async function projectFootprint(project: string): Promise<ProjectFootprint> {
  const filters = { label: [`${PROJECT_LABEL}=${project}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker().listContainers({ all: true, filters }),
    docker().listNetworks({ filters }),
    docker().listVolumes({ filters }),
  ]);
  return {
    containers: containers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')),
    networks: networks.map((n) => n.Name),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
  };
}

function listed(kind: string, names: string[]): string | null {
  if (names.length === 0) return null;
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  return `${names.length} ${kind}${names.length === 1 ? '' : 's'} (${shown})`;
}

/** Throws a ConfigError (field "project") when the name is malformed or already in use. */
export async function assertProjectIsNew(project: string): Promise<void> {
  if (!PROJECT_NAME.test(project)) {
    throw ConfigError.single(
      null,
      null,
      'project',
      `"${project}" is not a compose project name (lower-case letters, digits, "-" and "_", starting with a letter or digit)`,
    );
  }
  const found = await projectFootprint(project);
  const parts = [
    listed('container', found.containers),
    listed('network', found.networks),
    listed('volume', found.volumes),
  ].filter((part): part is string => part !== null);
  if (parts.length === 0) return;
  throw ConfigError.single(
    null,
    null,
    'project',
    `compose project "${project}" already exists on the engine: ${parts.join(', ')}. A run removes its project's containers, networks and volumes when it ends, so it must be a new project: choose another name, or leave --project out and a unique one is made`,
  );
}
