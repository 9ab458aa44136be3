// The phases of one rendered scenario as they happened on the cluster, read from its Workflow's
// nodes (`kubectl get workflownodes -l chaos-mesh.org/workflow=NAME -o json`). A node carries
// its start time and, for a node with a deadline (Suspend, chaos), when that deadline falls.
// Pure: node JSON in, phase windows in epoch milliseconds out, or the reason they cannot be read.
import type { PhaseDurations } from '../config/scenario-schema';
import type { PhaseName } from '../results';
import { PHASE_TEMPLATES } from './workflow';

export interface WorkflowNode {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec: { templateName: string; type: string; workflowName: string; startTime: string; deadline?: string };
  status?: { conditions?: { type: string; status: string; reason?: string }[] };
}

export interface PhaseWindowsEpoch {
  /** The scenario's t0 (the workflow's first phase began): every ScenarioMs is measured from it. */
  t0EpochMs: number;
  windows: Partial<Record<PhaseName, { fromEpochMs: number; toEpochMs: number }>>;
  /** Every fault node (chaos templates named fault-N…): when it started and whether it was injected. */
  faults: {
    template: string;
    type: string;
    startEpochMs: number;
    endEpochMs: number | null;
    injected: boolean;
  }[];
  /** Why the phases are incomplete (the workflow stopped early, was aborted, or is still running); null = complete. */
  incomplete: string | null;
}

export class NodesError extends Error {}

/** Reads `kubectl ... -o json` output (a List with items) or a bare array of nodes. */
export function parseNodes(json: unknown, source: string): WorkflowNode[] {
  const items = Array.isArray(json) ? json : (json as { items?: unknown })?.items;
  if (!Array.isArray(items))
    throw new NodesError(`${source}: expected a WorkflowNode list (kubectl get workflownodes -o json)`);
  return items.map((item, i) => {
    const spec = (item as WorkflowNode)?.spec;
    if (
      !spec ||
      typeof spec.templateName !== 'string' ||
      typeof spec.startTime !== 'string' ||
      Number.isNaN(Date.parse(spec.startTime))
    ) {
      throw new NodesError(
        `${source}: items[${i}]: not a WorkflowNode (spec.templateName and spec.startTime are required)`,
      );
    }
    return item as WorkflowNode;
  });
}

const CHAOS_TYPES = new Set(['PodChaos', 'NetworkChaos', 'StressChaos']);

function condition(node: WorkflowNode, type: string): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

export function phaseWindows(
  nodes: readonly WorkflowNode[],
  workflow: string,
  phases: PhaseDurations,
): PhaseWindowsEpoch {
  const mine = nodes.filter((n) => n.spec.workflowName === workflow);
  const node = (template: string): WorkflowNode | undefined =>
    mine
      .filter((n) => n.spec.templateName === template)
      .sort((a, b) => Date.parse(a.spec.startTime) - Date.parse(b.spec.startTime))[0];
  const start = (n: WorkflowNode): number => Date.parse(n.spec.startTime);
  const deadline = (n: WorkflowNode): number | null => (n.spec.deadline ? Date.parse(n.spec.deadline) : null);

  const first = node(PHASE_TEMPLATES.warmupBaseline);
  if (!first)
    throw new NodesError(
      `workflow ${workflow}: no ${PHASE_TEMPLATES.warmupBaseline} node (is it the rendered workflow, and did it start?)`,
    );
  const fault = node(PHASE_TEMPLATES.fault);
  const recovery = node(PHASE_TEMPLATES.recoveryAfter);
  const t0 = start(first);
  const windows: PhaseWindowsEpoch['windows'] = {};
  const baselineFrom = t0 + phases.warmupMs;
  windows.warmup = { fromEpochMs: t0, toEpochMs: baselineFrom };
  let incomplete: string | null = null;
  if (!fault) {
    incomplete = `the workflow did not reach ${PHASE_TEMPLATES.fault}`;
    const end = deadline(first) ?? baselineFrom + phases.baselineMs;
    windows.baseline = { fromEpochMs: baselineFrom, toEpochMs: end };
  } else {
    windows.baseline = { fromEpochMs: baselineFrom, toEpochMs: start(fault) };
    const faultEnd = recovery ? start(recovery) : deadline(fault);
    if (!recovery)
      incomplete = `the workflow did not reach ${PHASE_TEMPLATES.recoveryAfter} (aborted by its status check, or still running)`;
    if (faultEnd !== null) {
      windows.fault = { fromEpochMs: start(fault), toEpochMs: faultEnd };
      if (recovery) {
        const end = deadline(recovery) ?? faultEnd + phases.recoveryMs + phases.afterMs;
        const afterFrom = Math.max(faultEnd, end - phases.afterMs);
        windows.recovery = { fromEpochMs: faultEnd, toEpochMs: afterFrom };
        windows.after = { fromEpochMs: afterFrom, toEpochMs: end };
        if (!condition(recovery, 'Accomplished') && !condition(recovery, 'DeadlineExceed'))
          incomplete = `${PHASE_TEMPLATES.recoveryAfter} has not finished yet`;
      }
    }
  }
  const faults = mine
    .filter((n) => CHAOS_TYPES.has(n.spec.type) && /^fault-\d+/.test(n.spec.templateName))
    .map((n) => ({
      template: n.spec.templateName,
      type: n.spec.type,
      startEpochMs: start(n),
      endEpochMs: deadline(n),
      // ChaosInjected turns False again when the chaos is recovered at its deadline.
      injected:
        condition(n, 'ChaosInjected') || condition(n, 'DeadlineExceed') || condition(n, 'Accomplished'),
    }))
    .sort((a, b) => a.startEpochMs - b.startEpochMs);
  return { t0EpochMs: t0, windows, faults, incomplete };
}
