// A container's cgroups on the host, for cgroup v1 (one hierarchy per controller) and v2
// (one unified tree): where they are, what they count, and how a host process joins them
// so its memory and CPU are charged to the container.
//
// Everything here reads and writes through a CgroupHost: the real host (/proc and /) by
// default, or a scratch directory laid out like one (the unit tests' recorded v2 hosts): the
// same code runs either way.
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execAsRoot } from '../privileges';
import { FaultUnavailableError } from '../types';

/** Where /proc and the mount points of /proc/self/mountinfo are: the host's, or a scratch copy. */
export interface CgroupHost {
  /** Holds `<pid>/cgroup` and `self/mountinfo`. */
  procDir: string;
  /** Prefixed to every mount point read from mountinfo. */
  rootDir: string;
}

export const HOST_CGROUPS: CgroupHost = { procDir: '/proc', rootDir: '/' };

export interface ContainerCgroups {
  version: 1 | 2;
  /** v1: controller (or name=...) → directory; v2: '' → the unified directory. */
  dirs: Map<string, string>;
}

export interface CgroupMount {
  version: 1 | 2;
  controllers: string[];
  root: string;
  mountPoint: string;
}

/** Parses /proc/self/mountinfo lines into cgroup mounts (pure, for tests). */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const fields = left.split(' ');
    const [fsType, , superOptions] = right.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (fsType === 'cgroup2') mounts.push({ version: 2, controllers: [], root, mountPoint });
    else if (fsType === 'cgroup') {
      const controllers = superOptions.split(',').filter((o) => !['rw', 'ro'].includes(o));
      mounts.push({ version: 1, controllers, root, mountPoint });
    }
  }
  return mounts;
}

/**
 * Maps /proc/PID/cgroup lines to directories. v1 hierarchies win when the memory controller
 * is on v1 (a hybrid host like this one); otherwise the unified v2 tree.
 */
export function resolveCgroupDirs(
  procCgroup: string,
  mounts: CgroupMount[],
  rootDir = '/',
): ContainerCgroups {
  const v1 = new Map<string, string>();
  let unified: string | null = null;
  // A hierarchy that cannot be reached is skipped, and its reason kept for when nothing usable is left.
  const unreachable: Error[] = [];
  const below = (cgroupPath: string, mount: CgroupMount): string | null => {
    try {
      return path.join(rootDir, mount.mountPoint, relativeTo(cgroupPath, mount));
    } catch (error) {
      unreachable.push(error as Error);
      return null;
    }
  };
  for (const line of procCgroup.split('\n').filter(Boolean)) {
    const [hierarchy, controllerList, cgroupPath] = [
      line.split(':')[0],
      line.split(':')[1],
      line.split(':').slice(2).join(':'),
    ];
    if (hierarchy === '0' && controllerList === '') {
      const mount = mounts.find((m) => m.version === 2);
      if (mount) unified = below(cgroupPath, mount);
      continue;
    }
    const controllers = controllerList.split(',');
    const mount = mounts.find((m) => m.version === 1 && controllers.every((c) => m.controllers.includes(c)));
    if (!mount) continue;
    const dir = below(cgroupPath, mount);
    // The memory controller on v1 decides the layout: unreachable there is unreachable.
    if (!dir && controllers.includes('memory')) throw unreachable[unreachable.length - 1];
    if (dir) for (const controller of controllers) v1.set(controller, dir);
  }
  if (v1.has('memory')) return { version: 1, dirs: v1 };
  if (unified) return { version: 2, dirs: new Map([['', unified]]) };
  if (unreachable.length > 0) throw unreachable[0];
  throw new FaultUnavailableError(
    'no cgroup v1 memory hierarchy and no cgroup v2 tree found for the container',
  );
}

/**
 * The cgroup's path below the mount point. In a cgroup namespace the kernel shows a cgroup
 * outside the reader's namespace root with `..` components (`0::/../docker-<id>.scope`, see
 * cgroup_namespaces(7)), and a mount shows only its own subtree: neither can be reached
 * through this mount, and joining the wrong directory would charge the wrong cgroup, so both
 * are refused with what to do instead.
 */
function relativeTo(cgroupPath: string, mount: CgroupMount): string {
  const outside = () =>
    new FaultUnavailableError(
      `the container's cgroup ${cgroupPath} is outside this process's cgroup view (mount root ${mount.root} at ${mount.mountPoint}): ` +
        "chaos-action runs in a cgroup namespace of its own; run it on the engine's host, or in a container started with --cgroupns=host --pid=host",
    );
  if (cgroupPath === '/..' || cgroupPath.startsWith('/../')) throw outside();
  if (mount.root === '/') return cgroupPath;
  if (cgroupPath === mount.root) return '.';
  if (cgroupPath.startsWith(`${mount.root}/`)) return cgroupPath.slice(mount.root.length);
  throw outside();
}

/**
 * The container's cgroup directories, from its init's `/proc/PID/cgroup` and this process's
 * mountinfo. A PID that cannot be read here (the engine runs elsewhere: Docker Desktop's VM, a
 * remote DOCKER_HOST, another PID namespace) is refused with that reason.
 */
export function containerCgroups(pid: number, host: CgroupHost = HOST_CGROUPS): ContainerCgroups {
  let procCgroup: string;
  try {
    procCgroup = readFileSync(path.join(host.procDir, String(pid), 'cgroup'), 'utf8');
  } catch (error) {
    throw new FaultUnavailableError(
      `cannot read ${path.join(host.procDir, String(pid), 'cgroup')} (${(error as NodeJS.ErrnoException).code ?? String(error)}): ` +
        "the container's process is not visible from here (Docker Desktop's VM, a remote engine, another PID namespace); a memory or CPU hog needs the engine's host",
    );
  }
  return resolveCgroupDirs(
    procCgroup,
    parseCgroupMounts(readFileSync(path.join(host.procDir, 'self', 'mountinfo'), 'utf8')),
    host.rootDir,
  );
}

function dirFor(cgroups: ContainerCgroups, controller: string): string {
  const dir = cgroups.version === 2 ? cgroups.dirs.get('') : cgroups.dirs.get(controller);
  if (!dir) throw new Error(`the container has no ${controller} cgroup`);
  return dir;
}

function readNumber(file: string): number | null {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === 'max' ? Infinity : Number(text);
  } catch {
    return null;
  }
}

/** A `key value` file (memory.events, memory.oom_control, cpu.stat) as a map. */
export function parseKeyValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) values.set(key, Number(value));
  }
  return values;
}

function readKeyValues(file: string): Map<string, number> {
  try {
    return parseKeyValues(readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}

export function memoryUsageBytes(cgroups: ContainerCgroups): number | null {
  const dir = dirFor(cgroups, 'memory');
  return readNumber(path.join(dir, cgroups.version === 2 ? 'memory.current' : 'memory.usage_in_bytes'));
}

/** The memory limit, or null when there is none (v1 reports a huge number for "none"). */
export function memoryLimitBytes(cgroups: ContainerCgroups): number | null {
  const dir = dirFor(cgroups, 'memory');
  const limit = readNumber(path.join(dir, cgroups.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'));
  if (limit === null || !Number.isFinite(limit) || limit >= 2 ** 62) return null;
  return limit;
}

/** How many processes the kernel's OOM killer has killed in this cgroup (null if unreadable). */
export function oomKillCount(cgroups: ContainerCgroups): number | null {
  const dir = dirFor(cgroups, 'memory');
  const values = readKeyValues(
    path.join(dir, cgroups.version === 2 ? 'memory.events' : 'memory.oom_control'),
  );
  return values.get('oom_kill') ?? null;
}

/** CPU time consumed by the cgroup, in microseconds. */
export function cpuUsageMicros(cgroups: ContainerCgroups): number | null {
  if (cgroups.version === 2)
    return readKeyValues(path.join(dirFor(cgroups, ''), 'cpu.stat')).get('usage_usec') ?? null;
  const nanos = readNumber(path.join(dirFor(cgroups, 'cpuacct'), 'cpuacct.usage'));
  return nanos === null ? null : nanos / 1000;
}

/**
 * Moves a host process into every cgroup of the container (v1: each hierarchy; v2: the one
 * directory). Written directly where this process may (root, or a cgroup delegated to its
 * user), else through the root path of the faults (`sudo -n tee`).
 */
export async function joinCgroups(pid: number, cgroups: ContainerCgroups): Promise<void> {
  for (const dir of new Set(cgroups.dirs.values())) {
    const procs = path.join(dir, 'cgroup.procs');
    if (writable(procs)) {
      try {
        writeFileSync(procs, `${pid}\n`);
        continue;
      } catch (error) {
        throw new Error(`cannot move pid ${pid} into ${dir}: ${(error as Error).message}`);
      }
    }
    const result = await execAsRoot('tee', [procs], { input: `${pid}\n`, timeoutMs: 5000 });
    if (result.code !== 0) throw new Error(`cannot move pid ${pid} into ${dir}: ${result.stderr.trim()}`);
  }
}

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
