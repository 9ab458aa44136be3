// What a compose project left on the engine: the tests assert all three lists are empty.
import { docker } from '../../src/stack/docker';
import { PROJECT_LABEL } from '../../src/stack/labels';

export interface Leftovers {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export async function projectLeftovers(project: string): Promise<Leftovers> {
  const filters = { label: [`${PROJECT_LABEL}=${project}`] };
  const containers = await docker().listContainers({ all: true, filters });
  const networks = await docker().listNetworks({ filters });
  const volumes = (await docker().listVolumes({ filters })).Volumes ?? [];
  return {
    containers: containers.map((c) => c.Names[0]),
    networks: networks.map((n) => n.Name),
    volumes: volumes.map((v) => v.Name),
  };
}

export const NOTHING_LEFT: Leftovers = { containers: [], networks: [], volumes: [] };
