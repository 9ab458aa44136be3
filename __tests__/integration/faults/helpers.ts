// Shared by the fault integration tests: the fixture image (built once per content hash),
// stacks with unique project names, measurements taken from outside the fault library
// (the client container's own timings, docker inspect), and the leak checks for our rules.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { docker } from '../../../src/stack/docker';
import { ComposeStack, uniqueProjectName } from '../../../src/stack/compose';
import { listProjectContainers } from '../../../src/stack/targets';
import { execCommand } from '../../../src/util/exec';

export const FIXTURE_DIR = path.resolve(__dirname, '../../fixtures/faults');

/** Builds the fixture image unless an image with the same content hash exists; returns its tag. */
export async function ensureFixtureImage(): Promise<string> {
  const hash = createHash('sha256')
    .update(readFileSync(path.join(FIXTURE_DIR, 'Dockerfile')))
    .update(readFileSync(path.join(FIXTURE_DIR, 'server.py')))
    .digest('hex')
    .slice(0, 12);
  const tag = `chaos-action-fault-fixture:${hash}`;
  const present = await docker()
    .getImage(tag)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (!present) {
    const result = await execCommand('docker', ['build', '-q', '-t', tag, FIXTURE_DIR], {
      timeoutMs: 10 * 60_000,
    });
    if (result.code !== 0) throw new Error(`building ${tag} failed:\n${result.stderr}`);
  }
  return tag;
}

export async function startFixtureStack(
  base: string,
  image: string,
  services?: string[],
): Promise<ComposeStack> {
  const stack = new ComposeStack({
    files: [path.join(FIXTURE_DIR, 'compose.yml')],
    project: uniqueProjectName(base),
    env: { FIXTURE_IMAGE: image },
  });
  if (services) {
    const result = await stack.compose(['up', '-d', ...services]);
    if (result.code !== 0) {
      await stack.down();
      throw new Error(`compose up failed: ${result.stderr}`);
    }
    await stack.waitHealthy(60_000);
  } else {
    try {
      await stack.up({ build: false, healthTimeoutMs: 60_000 });
    } catch (error) {
      await stack.down();
      throw error;
    }
  }
  await waitForServers(stack.project);
  return stack;
}

export async function containerOf(project: string, service: string) {
  const container = (await listProjectContainers(project)).find((c) => c.service === service);
  if (!container) throw new Error(`no ${service} in ${project}`);
  return docker().getContainer(container.id).inspect();
}

export async function ipOf(project: string, service: string): Promise<string> {
  const inspect = await containerOf(project, service);
  return Object.values(inspect.NetworkSettings.Networks)[0].IPAddress;
}

function getJson<T>(url: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (error) {
          reject(error);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

/** The services that run the fixture's HTTP server (redis runs redis-server). */
const HTTP_SERVICES = ['web', 'client', 'leaky', 'spare'];

/**
 * Waits until every started HTTP service of the fixture answers /healthz: `up` returns once the
 * containers run, and on a loaded machine a Python server may not be listening yet.
 */
async function waitForServers(project: string): Promise<void> {
  const started = new Set((await listProjectContainers(project)).map((c) => c.service));
  for (const service of HTTP_SERVICES.filter((s) => started.has(s))) {
    const ip = await ipOf(project, service);
    let answered = false;
    for (let attempt = 0; attempt < 200 && !answered; attempt += 1) {
      const ok = await getJson<{ ok: boolean }>(`http://${ip}:8080/healthz`, 1000).catch(() => null);
      answered = ok?.ok === true;
      if (!answered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!answered) throw new Error(`${service} of ${project} never answered /healthz`);
  }
}

export interface ClientProbe {
  ok: boolean;
  ms: number;
  error: string;
}

/** A round trip timed by the client container itself (its own process, its own namespace). */
export async function clientProbe(
  project: string,
  host: string,
  port: number,
  timeoutS = 3,
): Promise<ClientProbe> {
  const ip = await ipOf(project, 'client');
  return getJson<ClientProbe>(
    `http://${ip}:8080/probe?host=${host}&port=${port}&timeout=${timeoutS}`,
    timeoutS * 1000 + 3000,
  );
}

/** Median of several client round trips (the first one warms the client's resolver). */
export async function medianProbeMs(project: string, host: string, port: number, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const probe = await clientProbe(project, host, port);
    if (!probe.ok) throw new Error(`probe to ${host}:${port} failed: ${probe.error}`);
    times.push(probe.ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function clientResolves(
  project: string,
  name: string,
): Promise<{ ok: boolean; address: string; error: string }> {
  const ip = await ipOf(project, 'client');
  return getJson(`http://${ip}:8080/resolve?name=${name}`, 5000);
}

// The leak checks for our chains and qdiscs look through the product's own privilege path
// (root or sudo -n) and fail when they cannot look: see __tests__/helpers/leftovers.ts.
export { leftoverChains, leftoverQdiscs, LeftoverCheckError } from '../../helpers/leftovers';
