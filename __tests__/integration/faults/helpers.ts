// Shared by the fault integration tests: the fixture image (built once per content hash),
// stacks with unique project names, measurements taken from outside the fault library
// (the client container's own timings, docker inspect), and the leak checks for our rules.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import path from 'node:path';
import { docker } from '../../../src/stack/docker';
import { ComposeStack, uniqueProjectName } from '../../../src/stack/compose';
import { listProjectContainers } from '../../../src/stack/targets';
import { execCommand } from '../../../src/util/exec';
import { execAsRoot } from '../../../src/faults/privileges';

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

/** A round trip timed by a fixture service itself (its own process, its own namespace). */
export async function probeFrom(
  project: string,
  from: string,
  host: string,
  port: number,
  timeoutS = 3,
): Promise<ClientProbe> {
  const ip = await ipOf(project, from);
  return getJson<ClientProbe>(
    `http://${ip}:8080/probe?host=${host}&port=${port}&timeout=${timeoutS}`,
    timeoutS * 1000 + 3000,
  );
}

/** A round trip timed by the client container itself. */
export function clientProbe(project: string, host: string, port: number, timeoutS = 3): Promise<ClientProbe> {
  return probeFrom(project, 'client', host, port, timeoutS);
}

export interface Transfer {
  ok: boolean;
  ms: number;
  bytes: number;
  error: string;
}

/**
 * The client container fetches `bytes` from host:port/blob (a fixture HTTP service) and times
 * the whole body, from its connect to the last byte: throughput as that client sees it.
 */
export async function clientTransfer(
  project: string,
  host: string,
  port: number,
  bytes: number,
  timeoutS = 10,
): Promise<Transfer & { bytesPerSecond: number }> {
  const ip = await ipOf(project, 'client');
  const result = await getJson<Transfer>(
    `http://${ip}:8080/transfer?host=${host}&port=${port}&bytes=${bytes}&timeout=${timeoutS}`,
    timeoutS * 1000 + 3000,
  );
  if (!result.ok || result.bytes < bytes)
    throw new Error(`transfer of ${bytes} bytes from ${host}:${port} failed: ${JSON.stringify(result)}`);
  return { ...result, bytesPerSecond: result.bytes / (result.ms / 1000) };
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

// ---------------------------------------------------------------------------------------
// A container's cgroup counters, read by the test itself from the kernel's files: the
// measurement the memory and CPU tests hold the faults to, independent of the fault
// library's own cgroup code. cgroup v1 (this project's machines: one hierarchy per
// controller) and v2 (GitHub's runners: one unified directory). A counter that cannot be
// read throws CgroupReadError: it never reads as zero.

/** A cgroup counter the test could not read. */
export class CgroupReadError extends Error {}

export interface CgroupFiles {
  version: 1 | 2;
  /** memory usage, limit and OOM-kill counter live here (v1: the memory hierarchy). */
  memoryDir: string;
  /** the CPU time counter lives here (v1: the cpuacct hierarchy). */
  cpuDir: string;
}

/**
 * The container's cgroup directories, from its init's /proc/PID/cgroup and this process's
 * mountinfo. Only mounts rooted at the hierarchy's root are used (the test runs on the
 * engine's host); anything else is a CgroupReadError.
 */
export function cgroupFilesOf(pid: number): CgroupFiles {
  let procCgroup: string;
  let mountinfo: string;
  try {
    procCgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch (error) {
    throw new CgroupReadError(`cannot read pid ${pid}'s cgroup: ${(error as Error).message}`);
  }
  const mounts = mountinfo
    .split('\n')
    .map((line) => {
      const [left, right] = line.split(' - ');
      if (!right) return null;
      const [, , , root, mountPoint] = left.split(' ');
      const [fsType, , options] = right.split(' ');
      if (fsType !== 'cgroup' && fsType !== 'cgroup2') return null;
      return { fsType, root, mountPoint, options: options.split(',') };
    })
    .filter((m): m is NonNullable<typeof m> => m !== null);
  const lines = procCgroup
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, controllers, ...rest] = line.split(':');
      return { id, controllers: controllers.split(','), path: rest.join(':') };
    });
  const dirFor = (fsType: string, controller: string | null): string | null => {
    const line = lines.find((l) => (controller ? l.controllers.includes(controller) : l.id === '0'));
    const mount = mounts.find(
      (m) => m.fsType === fsType && (controller === null || m.options.includes(controller)),
    );
    if (!line || !mount) return null;
    if (mount.root !== '/')
      throw new CgroupReadError(`the ${fsType} mount at ${mount.mountPoint} is rooted at ${mount.root}`);
    return path.join(mount.mountPoint, line.path);
  };
  const memoryV1 = dirFor('cgroup', 'memory');
  if (memoryV1) {
    const cpuV1 = dirFor('cgroup', 'cpuacct');
    if (!cpuV1) throw new CgroupReadError(`pid ${pid} has a v1 memory cgroup but no cpuacct one`);
    return { version: 1, memoryDir: memoryV1, cpuDir: cpuV1 };
  }
  const unified = dirFor('cgroup2', null);
  if (!unified) throw new CgroupReadError(`no cgroup v1 memory hierarchy and no v2 tree for pid ${pid}`);
  return { version: 2, memoryDir: unified, cpuDir: unified };
}

/** A cgroup file's text: read directly, else through the faults' root path (root or sudo -n). */
async function readCgroupFile(file: string): Promise<string> {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES')
      throw new CgroupReadError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const result = await execAsRoot('cat', [file], { timeoutMs: 5000 });
  if (result.code !== 0) throw new CgroupReadError(`cannot read ${file} as root: ${result.stderr.trim()}`);
  return result.stdout;
}

function keyValue(text: string, key: string, file: string): number {
  const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  if (!match) throw new CgroupReadError(`${file} has no ${key} line: ${text.slice(0, 200)}`);
  return Number(match[1]);
}

function integer(text: string, file: string): number {
  const value = Number(text.trim());
  if (!Number.isFinite(value)) throw new CgroupReadError(`${file} holds no number: ${text.slice(0, 80)}`);
  return value;
}

export async function cgroupMemoryBytes(files: CgroupFiles): Promise<number> {
  const file = path.join(files.memoryDir, files.version === 1 ? 'memory.usage_in_bytes' : 'memory.current');
  return integer(await readCgroupFile(file), file);
}

export async function cgroupMemoryLimitBytes(files: CgroupFiles): Promise<number> {
  const file = path.join(files.memoryDir, files.version === 1 ? 'memory.limit_in_bytes' : 'memory.max');
  return integer(await readCgroupFile(file), file);
}

/** The kernel's count of OOM kills in the cgroup (memory.oom_control on v1, memory.events on v2). */
export async function cgroupOomKills(files: CgroupFiles): Promise<number> {
  const file = path.join(files.memoryDir, files.version === 1 ? 'memory.oom_control' : 'memory.events');
  return keyValue(await readCgroupFile(file), 'oom_kill', file);
}

/** The cgroup's CPU time in microseconds (cpuacct.usage on v1, cpu.stat's usage_usec on v2). */
export async function cgroupCpuMicros(files: CgroupFiles): Promise<number> {
  if (files.version === 1) {
    const file = path.join(files.cpuDir, 'cpuacct.usage');
    return integer(await readCgroupFile(file), file) / 1000;
  }
  const file = path.join(files.cpuDir, 'cpu.stat');
  return keyValue(await readCgroupFile(file), 'usage_usec', file);
}

/** The PIDs (host's view) in the cgroup's memory directory. */
export async function cgroupPids(files: CgroupFiles): Promise<number[]> {
  const file = path.join(files.memoryDir, 'cgroup.procs');
  return (await readCgroupFile(file)).split('\n').filter(Boolean).map(Number);
}

/** The share of one CPU the cgroup used over `ms`, read from its own counter. */
export async function cgroupCpuShare(files: CgroupFiles, ms: number): Promise<number> {
  const before = await cgroupCpuMicros(files);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await cgroupCpuMicros(files);
  return (after - before) / 1000 / (performance.now() - started);
}

// The leak checks for our chains and qdiscs look through the product's own privilege path
// (root or sudo -n) and fail when they cannot look: see __tests__/helpers/leftovers.ts.
export { leftoverChains, leftoverQdiscs, LeftoverCheckError } from '../../helpers/leftovers';
