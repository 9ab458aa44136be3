// A container's cgroups on the host, for cgroup v1 (one hierarchy per controller) and v2
// (one unified tree): where they are, what they count, and how a host process joins them
// so its memory and CPU are charged to the container.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execAsRoot } from './privileges';

export interface ContainerCgroups {
  version: 1 | 2;
  /** v1: controller (or name=...) → directory; v2: '' → the unified directory. */
  dirs: Map<string, string>;
}

interface CgroupMount {
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
export function resolveCgroupDirs(procCgroup: string, mounts: CgroupMount[]): ContainerCgroups {
  const v1 = new Map<string, string>();
  let unified: string | null = null;
  for (const line of procCgroup.split('\n').filter(Boolean)) {
    const [hierarchy, controllerList, cgroupPath] = [
      line.split(':')[0],
      line.split(':')[1],
      line.split(':').slice(2).join(':'),
    ];
    if (hierarchy === '0' && controllerList === '') {
      const mount = mounts.find((m) => m.version === 2);
      if (mount) unified = path.join(mount.mountPoint, relativeTo(cgroupPath, mount.root));
      continue;
    }
    const controllers = controllerList.split(',');
    const mount = mounts.find((m) => m.version === 1 && controllers.every((c) => m.controllers.includes(c)));
    if (!mount) continue;
    const dir = path.join(mount.mountPoint, relativeTo(cgroupPath, mount.root));
    for (const controller of controllers) v1.set(controller, dir);
  }
  if (v1.has('memory')) return { version: 1, dirs: v1 };
  if (unified) return { version: 2, dirs: new Map([['', unified]]) };
  throw new Error('no cgroup v1 memory hierarchy and no cgroup v2 tree found for the container');
}

function relativeTo(cgroupPath: string, root: string): string {
  if (root !== '/' && cgroupPath.startsWith(root)) return cgroupPath.slice(root.length) || '/';
  return cgroupPath;
}

export function containerCgroups(pid: number): ContainerCgroups {
  return resolveCgroupDirs(
    readFileSync(`/proc/${pid}/cgroup`, 'utf8'),
    parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8')),
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

/** Moves a host process into every cgroup of the container (v1: each hierarchy; v2: the one directory). */
export async function joinCgroups(pid: number, cgroups: ContainerCgroups): Promise<void> {
  for (const dir of new Set(cgroups.dirs.values())) {
    const result = await execAsRoot('tee', [path.join(dir, 'cgroup.procs')], {
      input: `${pid}\n`,
      timeoutMs: 5000,
    });
    if (result.code !== 0) throw new Error(`cannot move pid ${pid} into ${dir}: ${result.stderr.trim()}`);
  }
}
