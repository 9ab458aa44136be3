// Our faults as Chaos Mesh workflow templates (chaos-mesh.org/v1alpha1): PodChaos, NetworkChaos,
// StressChaos. Only faults that Chaos Mesh can reproduce faithfully are mapped; the others are
// refused with the reason, never approximated (a gate that runs a different fault than it names
// would judge the wrong hypothesis). Pure: a fault and its selectors in, templates out.
import type { FaultSpec, ToxicDirection } from '../faults/spec';
import type { PodSelector } from './selectors';

/** One template of a Workflow's `spec.templates` (the CRD's WorkflowTemplate, the fields we use). */
export interface WorkflowTemplate {
  name: string;
  templateType: string;
  deadline?: string;
  children?: string[];
  abortWithStatusCheck?: boolean;
  podChaos?: Record<string, unknown>;
  networkChaos?: Record<string, unknown>;
  stressChaos?: Record<string, unknown>;
  statusCheck?: Record<string, unknown>;
}

/** A fault Chaos Mesh cannot run as written, and why. */
export class RefusedFault extends Error {}

export interface FaultPlacement {
  /** The DNS-1123 name prefix for this fault's templates (e.g. `fault-1`). */
  name: string;
  namespace: string;
  target: PodSelector;
  /** The client side for `from:` faults (partition, latency, bandwidth), or null. */
  from: PodSelector | null;
  durationMs: number;
}

/**
 * The templates one fault needs; the first is the one to list as a child. Most faults are one
 * chaos template with a deadline; `flap` is a Serial of pod-failure and Suspend steps.
 */
export function faultTemplates(fault: FaultSpec, at: FaultPlacement): WorkflowTemplate[] {
  const selector = podSelector(at.target, at.namespace);
  const deadline = goDuration(at.durationMs);
  switch (fault.type) {
    case 'stop':
      // pod-failure: the pod's containers are replaced by a pause image for the duration and
      // come back as they were, which is what stopping a container for a while does.
      return [
        {
          name: at.name,
          templateType: 'PodChaos',
          deadline,
          podChaos: { action: 'pod-failure', mode: 'all', selector },
        },
      ];
    case 'kill': {
      // container-kill sends SIGKILL to one container and the kubelet restarts it, as a
      // restart policy does after our kill. Other signals have no Chaos Mesh equivalent.
      if (fault.signal !== 'SIGKILL' && fault.signal !== 'KILL' && fault.signal !== '9')
        throw new RefusedFault(
          `kill with ${fault.signal}: Chaos Mesh's container-kill only sends SIGKILL (use signal: SIGKILL, or run it on compose)`,
        );
      if (!at.target.container)
        throw new RefusedFault(
          `kill needs the container's name for container-kill: map it as ${at.target.name}=…@CONTAINER in --service-map`,
        );
      return [
        {
          name: at.name,
          templateType: 'PodChaos',
          deadline,
          podChaos: {
            action: 'container-kill',
            mode: 'all',
            selector,
            containerNames: [at.target.container],
          },
        },
      ];
    }
    case 'flap': {
      const steps: WorkflowTemplate[] = [];
      const children: string[] = [];
      let left = fault.durationMs;
      for (let i = 0; left > 0; i++) {
        const down = Math.min(fault.downMs, left);
        left -= down;
        const downName = `${at.name}-down-${i}`;
        steps.push({
          name: downName,
          templateType: 'PodChaos',
          deadline: goDuration(down),
          podChaos: { action: 'pod-failure', mode: 'all', selector },
        });
        children.push(downName);
        if (left <= 0) break;
        const up = Math.min(fault.upMs, left);
        left -= up;
        const upName = `${at.name}-up-${i}`;
        steps.push({ name: upName, templateType: 'Suspend', deadline: goDuration(up) });
        children.push(upName);
      }
      return [{ name: at.name, templateType: 'Serial', deadline, children }, ...steps];
    }
    case 'partition': {
      if (fault.mode === 'disconnect')
        throw new RefusedFault(
          'partition mode disconnect (names stop resolving) has no Chaos Mesh equivalent; mode drop maps to NetworkChaos partition',
        );
      return [
        {
          name: at.name,
          templateType: 'NetworkChaos',
          deadline,
          networkChaos: network('partition', at, selector, 'both'),
        },
      ];
    }
    case 'latency':
    case 'bandwidth': {
      if (fault.toxicity < 1)
        throw new RefusedFault(
          `${fault.type} with toxicity ${fault.toxicity}: NetworkChaos acts on every packet, not on a share of connections`,
        );
      const spec = network(fault.type === 'latency' ? 'delay' : 'bandwidth', at, selector, fault.direction);
      if (fault.type === 'latency') {
        spec.delay = {
          latency: goDuration(fault.delayMs),
          ...(fault.jitterMs > 0 ? { jitter: goDuration(fault.jitterMs) } : {}),
        };
      } else {
        // tc tbf: rate in bytes per second ("bps" is bytes in Chaos Mesh), a queue of one
        // second's worth and a bucket of one MTU-sized burst at least.
        const rate = Math.max(1, Math.round(fault.rateBytesPerSecond));
        spec.bandwidth = {
          rate: `${rate}bps`,
          limit: Math.max(rate, 1500),
          buffer: Math.max(Math.round(rate / 10), 1500),
        };
      }
      return [{ name: at.name, templateType: 'NetworkChaos', deadline, networkChaos: spec }];
    }
    case 'memory': {
      if (fault.method === 'leak-endpoint')
        throw new RefusedFault(
          "memory via the app's leak endpoint is the application's own behaviour, not a cluster fault; use method: hog (StressChaos)",
        );
      // Our hog grows by stepBytes every intervalMs until the OOM kill or the end; a stress-ng
      // vm worker sized to where the hog would end up is the nearest constant pressure.
      const steps = Math.max(1, Math.floor(fault.durationMs / Math.max(1, fault.intervalMs)));
      const size = `${Math.ceil((fault.stepBytes * steps) / 1024 ** 2)}MB`;
      return [
        {
          name: at.name,
          templateType: 'StressChaos',
          deadline,
          stressChaos: {
            mode: 'all',
            selector,
            ...containers(at),
            stressors: { memory: { workers: 1, size } },
          },
        },
      ];
    }
    case 'cpu':
      return [
        {
          name: at.name,
          templateType: 'StressChaos',
          deadline,
          stressChaos: {
            mode: 'all',
            selector,
            ...containers(at),
            stressors: { cpu: { workers: fault.workers, load: 100 } },
          },
        },
      ];
    case 'pause':
      throw new RefusedFault('pause (SIGSTOP of every process) has no Chaos Mesh equivalent');
    case 'stall':
    case 'reset_peer':
    case 'down':
      throw new RefusedFault(
        `${fault.type} is a TCP-level toxic of our proxy; Chaos Mesh's NetworkChaos works on packets and has no faithful equivalent`,
      );
  }
}

/**
 * A NetworkChaos spec. Our directions are Toxiproxy's: upstream is what the client sends to the
 * target, downstream what the target sends back. With `from:`, the clients are selected and
 * the target is the NetworkChaos target, so upstream is `to`, downstream `from`. Without it, the
 * target's pods are selected and only their own sending (downstream) or both ways can be shaped.
 */
function network(
  action: string,
  at: FaultPlacement,
  targetSelector: Record<string, unknown>,
  direction: ToxicDirection,
): Record<string, unknown> {
  if (at.from) {
    return {
      action,
      mode: 'all',
      selector: podSelector(at.from, at.namespace),
      direction: direction === 'upstream' ? 'to' : direction === 'downstream' ? 'from' : 'both',
      target: { mode: 'all', selector: targetSelector },
    };
  }
  if (direction === 'upstream')
    throw new RefusedFault(
      `${action} upstream without from: NetworkChaos cannot select every client's traffic to the target; name the client with from:`,
    );
  return { action, mode: 'all', selector: targetSelector, direction: direction === 'both' ? 'both' : 'to' };
}

function containers(at: FaultPlacement): { containerNames?: string[] } {
  return at.target.container ? { containerNames: [at.target.container] } : {};
}

export function podSelector(target: PodSelector, namespace: string): Record<string, unknown> {
  return { namespaces: [namespace], labelSelectors: { ...target.labels } };
}

/** Go's duration syntax, as Chaos Mesh reads it: whole units where they fit. */
export function goDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole % 3_600_000 === 0 && whole > 0) return `${whole / 3_600_000}h`;
  if (whole % 60_000 === 0 && whole > 0) return `${whole / 60_000}m`;
  if (whole % 1000 === 0) return `${whole / 1000}s`;
  return `${whole}ms`;
}
