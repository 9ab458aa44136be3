// Where a service can be reached from the host: its published loopback port, read from
// the engine (ports are random by default so parallel stacks never collide).
import { docker } from './docker';
import { resolveService } from './targets';

export class EndpointError extends Error {}

/** `http://127.0.0.1:<published port>` for a service's container port, or a clear error. */
export async function publishedUrl(project: string, service: string, containerPort: number): Promise<string> {
  const [container] = await resolveService(project, service);
  const inspect = await docker().getContainer(container.id).inspect();
  const bindings = inspect.NetworkSettings.Ports?.[`${containerPort}/tcp`] ?? null;
  const binding = bindings?.find((b) => b.HostPort && b.HostPort !== '0');
  if (!binding) {
    const published = Object.entries(inspect.NetworkSettings.Ports ?? {})
      .filter(([, b]) => b && b.length > 0)
      .map(([port]) => port);
    throw new EndpointError(
      `service "${service}" does not publish port ${containerPort}` +
        (published.length ? ` (it publishes ${published.join(', ')})` : ' (it publishes no port)'),
    );
  }
  const host = !binding.HostIp || binding.HostIp === '0.0.0.0' || binding.HostIp === '::' ? '127.0.0.1' : binding.HostIp;
  return `http://${host.includes(':') ? `[${host}]` : host}:${binding.HostPort}`;
}

/** The first TCP port a service's container exposes (image EXPOSE or compose ports). */
export async function firstExposedPort(project: string, service: string): Promise<number | null> {
  const [container] = await resolveService(project, service);
  const inspect = await docker().getContainer(container.id).inspect();
  const ports = Object.keys(inspect.Config.ExposedPorts ?? {})
    .filter((p) => p.endsWith('/tcp'))
    .map((p) => Number(p.split('/')[0]))
    .sort((a, b) => a - b);
  return ports[0] ?? null;
}

/** The URL of a service's lowest published TCP port: how the host reaches an api or Prometheus. */
export async function firstPublishedUrl(project: string, service: string): Promise<string> {
  const [container] = await resolveService(project, service);
  const inspect = await docker().getContainer(container.id).inspect();
  const published = Object.entries(inspect.NetworkSettings.Ports ?? {})
    .filter(([port, bindings]) => port.endsWith('/tcp') && bindings && bindings.some((b) => b.HostPort))
    .map(([port]) => Number(port.split('/')[0]))
    .sort((a, b) => a - b);
  if (published.length === 0) {
    throw new EndpointError(
      `service "${service}" publishes no port, so the load cannot reach it; publish one (e.g. "127.0.0.1::8000") or give target-url`,
    );
  }
  return publishedUrl(project, service, published[0]);
}
