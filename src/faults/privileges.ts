// How the fault library gets root for the few things that need it (entering a container's
// network namespace, iptables, cgroup writes): directly when the process is root, through
// `sudo -n` when that works without a password, otherwise not at all — and then
// availability.ts says which faults are unavailable and why instead of failing half-way
// through one.
import { existsSync } from 'node:fs';
import { execCommand, type ExecOptions, type ExecResult } from '../util/exec';

export type PrivilegeMode = 'root' | 'sudo' | 'none';

export class PrivilegeError extends Error {}

/** How root commands are run in this process; detected once by detectPrivileges(). */
export interface Privileges {
  mode: PrivilegeMode;
  /** Host tools found on PATH (absolute path) or null. */
  tools: { nsenter: string | null; iptables: string | null; tc: string | null };
  cgroupVersion: 1 | 2 | null;
}

const TOOL_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

function findTool(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...TOOL_DIRS];
  for (const dir of dirs) {
    const candidate = `${dir}/${name}`;
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** cgroup v2 when /sys/fs/cgroup itself is a cgroup2 mount; v1 (or hybrid) when it has a memory hierarchy. */
function detectCgroupVersion(): 1 | 2 | null {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return 2;
  if (existsSync('/sys/fs/cgroup/memory')) return 1;
  return null;
}

let detected: Promise<Privileges> | undefined;

export function detectPrivileges(): Promise<Privileges> {
  detected ??= (async () => {
    let mode: PrivilegeMode = 'none';
    if (process.getuid?.() === 0) mode = 'root';
    else {
      const sudo = await execCommand('sudo', ['-n', 'true'], { timeoutMs: 5000 }).catch(() => null);
      if (sudo?.code === 0) mode = 'sudo';
    }
    return {
      mode,
      tools: { nsenter: findTool('nsenter'), iptables: findTool('iptables'), tc: findTool('tc') },
      cgroupVersion: detectCgroupVersion(),
    };
  })();
  return detected;
}

/** Runs a command as root (directly or via `sudo -n`); throws PrivilegeError when neither is possible. */
export async function execAsRoot(
  command: string,
  args: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const privileges = await detectPrivileges();
  if (privileges.mode === 'root') return execCommand(command, args, options);
  if (privileges.mode === 'sudo') return execCommand('sudo', ['-n', command, ...args], options);
  throw new PrivilegeError(`${command} needs root: run as root or allow passwordless sudo (sudo -n)`);
}

/** Runs a command inside the network namespace of the process `pid` (a container's init). */
export async function execInNetns(pid: number, command: string, args: string[], options: ExecOptions = {}) {
  const privileges = await detectPrivileges();
  if (!privileges.tools.nsenter) throw new PrivilegeError('nsenter (util-linux) is not installed');
  return execAsRoot(privileges.tools.nsenter, ['-t', String(pid), '-n', command, ...args], options);
}
