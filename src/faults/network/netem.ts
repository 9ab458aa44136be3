// netem (the kernel's network emulator) as an alternative to the proxy for latency, where the
// kernel has it. Detection adds a netem qdisc to the loopback device of a throw-away network
// namespace: nothing of the host or of any container is touched, and the namespace (with the
// qdisc) vanishes with the command. This machine's kernel lacks netem; GitHub's has it.
import { detectPrivileges, execAsRoot } from '../privileges';

export interface NetemAvailability {
  available: boolean;
  reason: string;
}

let detected: Promise<NetemAvailability> | undefined;

export function detectNetem(): Promise<NetemAvailability> {
  detected ??= (async () => {
    const privileges = await detectPrivileges();
    if (privileges.mode === 'none') return { available: false, reason: 'needs root or passwordless sudo' };
    if (!privileges.tools.tc) return { available: false, reason: 'tc (iproute2) is not installed' };
    const result = await execAsRoot(
      'unshare',
      ['-n', privileges.tools.tc, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'],
      {
        timeoutMs: 5000,
      },
    ).catch((error: Error) => ({ code: 1, stdout: '', stderr: error.message }));
    if (result.code === 0) return { available: true, reason: 'tc qdisc netem works on this kernel' };
    const why = result.stderr.trim().split('\n')[0] || `exit code ${result.code}`;
    // Only tc's own answer says the kernel lacks netem; sudo or unshare refusing is not a fact
    // about the kernel and must not read as one.
    if (!/qdisc kind is unknown/i.test(result.stderr))
      return { available: false, reason: `netem could not be tried (${why})` };
    return {
      available: false,
      reason: `the kernel has no netem (tc said: ${why}); the proxy delivers every toxic instead`,
    };
  })();
  return detected;
}

/**
 * tc commands that delay only traffic to target-ip:port leaving a container's eth device:
 * a prio qdisc whose third band carries netem, and a u32 filter steering the target's
 * packets into that band. Everything else keeps the default bands, undelayed.
 */
export function netemLatencyCommands(options: {
  device: string;
  targetIp: string;
  port: number;
  delayMs: number;
  jitterMs: number;
}): string[][] {
  const { device, targetIp, port, delayMs, jitterMs } = options;
  const delay = ['delay', `${delayMs}ms`, ...(jitterMs > 0 ? [`${jitterMs}ms`] : [])];
  return [
    [
      'qdisc',
      'add',
      'dev',
      device,
      'root',
      'handle',
      '1:',
      'prio',
      'bands',
      '3',
      'priomap',
      ...Array(16).fill('1'),
    ],
    ['qdisc', 'add', 'dev', device, 'parent', '1:3', 'handle', '30:', 'netem', ...delay],
    [
      'filter',
      'add',
      'dev',
      device,
      'protocol',
      'ip',
      'parent',
      '1:0',
      'prio',
      '1',
      'u32',
      'match',
      'ip',
      'dst',
      `${targetIp}/32`,
      'match',
      'ip',
      'dport',
      String(port),
      '0xffff',
      'flowid',
      '1:3',
    ],
  ];
}

/** Removing the root qdisc removes the prio, netem and filter together. */
export function netemRemoveCommand(device: string): string[] {
  return ['qdisc', 'del', 'dev', device, 'root'];
}

/** The device a namespace routes `address` through, from `ip -o route get` output (pure). */
export function routeDevice(ipRouteGet: string): string | null {
  return /\bdev (\S+)/.exec(ipRouteGet)?.[1] ?? null;
}
