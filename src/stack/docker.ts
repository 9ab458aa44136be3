// The one dockerode client of the process, and the check that an engine answers.
import Docker from 'dockerode';

let client: Docker | undefined;

export class DockerUnavailableError extends Error {}

/** The dockerode client for DOCKER_HOST, or the default socket. */
export function docker(): Docker {
  if (!client) client = new Docker();
  return client;
}

/** Resolves when the engine answers a ping; otherwise one clear sentence naming where it looked. */
export async function assertDockerReachable(): Promise<void> {
  try {
    await docker().ping();
  } catch (error) {
    const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    const why = error instanceof Error ? error.message : String(error);
    throw new DockerUnavailableError(
      `Docker engine unreachable at ${where} (${why}); start Docker or run scripts/ensure-docker.sh`,
    );
  }
}
