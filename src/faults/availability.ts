// Per fault kind: can this process inject it here, and if not, why (for `list` and the
// run's preflight), from the privileges found and whether the kernel has netem.
import { detectNetem } from './network/netem';
import { detectPrivileges } from './privileges';
import type { FaultType } from './spec';

export interface FaultAvailability {
  available: boolean;
  /** Why not, or what it relies on. */
  reason: string;
}

/** Per fault kind: can this process inject it here, and if not, why. */
export async function checkPrivileges(): Promise<Record<FaultType | 'netem', FaultAvailability>> {
  const privileges = await detectPrivileges();
  const rootOk = privileges.mode !== 'none';
  const rootWhy = rootOk ? `root via ${privileges.mode}` : 'needs root or passwordless sudo (sudo -n)';
  const netnsFault = (): FaultAvailability => {
    if (!rootOk) return { available: false, reason: rootWhy };
    if (!privileges.tools.nsenter)
      return { available: false, reason: 'nsenter (util-linux) is not installed' };
    if (!privileges.tools.iptables) return { available: false, reason: 'iptables is not installed' };
    return { available: true, reason: `${rootWhy}; nsenter + iptables in the clients' network namespaces` };
  };
  const cgroupFault = (): FaultAvailability => {
    if (!rootOk) return { available: false, reason: rootWhy };
    if (privileges.cgroupVersion === null)
      return { available: false, reason: 'no cgroup v1 or v2 mount found' };
    return { available: true, reason: `${rootWhy}; cgroup v${privileges.cgroupVersion}` };
  };
  const dockerOnly: FaultAvailability = { available: true, reason: 'Docker API only' };
  const netem = await detectNetem();
  return {
    stop: dockerOnly,
    kill: dockerOnly,
    pause: dockerOnly,
    flap: dockerOnly,
    partition: netnsFault(),
    latency: netnsFault(),
    bandwidth: netnsFault(),
    stall: netnsFault(),
    reset_peer: netnsFault(),
    down: netnsFault(),
    memory: {
      available: true,
      reason: `leak-endpoint: Docker API + HTTP; hog: ${cgroupFault().available ? 'available' : cgroupFault().reason}`,
    },
    cpu: cgroupFault(),
    netem: { available: netem.available, reason: netem.reason },
  };
}
