// Where a service can be reached from the host: its published loopback port, read from
// the engine (ports are random by default so parallel stacks never collide).
import { connect } from 'node:net';
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
  const host =
    !binding.HostIp || binding.HostIp === '0.0.0.0' || binding.HostIp === '::' ? '127.0.0.1' : binding.HostIp;
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

function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * How the engine reaches a service: its address on the project's own network when the host
 * can route to it (Linux, GitHub runners), else its published loopback port (Docker Desktop).
 * The port is `preferredPort` when the container has it (the run target's inferred port),
 * else its lowest published one.
 * The container address survives a restart (an OOM kill, a restart policy) where a randomly
 * published port does not, and it skips the userland proxy at high request rates.
 */
export async function serviceUrl(
  project: string,
  service: string,
  preferredPort: number | null = null,
): Promise<string> {
  const [container] = await resolveService(project, service);
  const inspect = await docker().getContainer(container.id).inspect();
  const ports = (entries: string[]): number[] =>
    entries
      .filter((p) => p.endsWith('/tcp'))
      .map((p) => Number(p.split('/')[0]))
      .sort((a, b) => a - b);
  const published = ports(
    Object.entries(inspect.NetworkSettings.Ports ?? {})
      .filter(([, bindings]) => bindings && bindings.some((b) => b.HostPort))
      .map(([port]) => port),
  );
  const exposed = ports(Object.keys(inspect.Config.ExposedPorts ?? {}));
  const port =
    preferredPort !== null && (published.includes(preferredPort) || exposed.includes(preferredPort))
      ? preferredPort
      : (published[0] ?? exposed[0]);
  if (port === undefined) {
    throw new EndpointError(`service "${service}" exposes no TCP port; give target-url`);
  }
  for (const network of Object.values(inspect.NetworkSettings.Networks ?? {})) {
    if (network.IPAddress && (await canConnect(network.IPAddress, port, 1000))) {
      return `http://${network.IPAddress}:${port}`;
    }
  }
  return publishedUrl(project, service, port);
}
