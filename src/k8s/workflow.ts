// A scenario as a Chaos Mesh Workflow (chaos-mesh.org/v1alpha1), phase for phase:
//
//   main (Serial)
//   ├─ warmup-baseline   Suspend for warm-up + baseline (the load runs, nothing is injected)
//   ├─ fault-phase       Parallel: every fault (a Serial of Suspend + chaos when `at` > 0) and a
//   │                    Continuous StatusCheck of the steady-state HTTP check, which aborts the
//   │                    workflow when the scenario has an abort guard
//   └─ recovery-after    Suspend for the longest recovery + after
//
// The judge finds the phases again by these template names (PHASE_TEMPLATES). Pure.
import type { Scenario } from '../config/scenario-schema';
import { faultTemplates, goDuration, RefusedFault, type WorkflowTemplate } from './chaos-mesh';
import { selectorFor, type SelectorMap } from './selectors';
import { labels } from './k6';

export const PHASE_TEMPLATES = {
  warmupBaseline: 'warmup-baseline',
  fault: 'fault-phase',
  recoveryAfter: 'recovery-after',
} as const;

export interface WorkflowOptions {
  namespace: string;
  name: string;
  targetUrl: string;
  selectors: SelectorMap;
  testId: string;
}

/** The scenario's faults, each refused with its reason when it has no faithful CR. */
export class RefusedScenario extends Error {
  constructor(
    readonly scenario: string,
    readonly reasons: string[],
  ) {
    super(`${scenario}: ${reasons.join('; ')}`);
  }
}

export function workflowFor(scenario: Scenario, options: WorkflowOptions): Record<string, unknown> {
  const { phases } = scenario;
  const templates: WorkflowTemplate[] = [];
  const faultChildren: string[] = [];
  const refused: string[] = [];
  scenario.faults.forEach((fault, i) => {
    const name = `fault-${i + 1}`;
    const where = { file: scenario.file, line: fault.lines.target };
    const names = (t: { role: string | null; service: string | null }): string[] =>
      [t.role, t.service].filter((n): n is string => n !== null);
    try {
      const target = selectorFor(options.selectors, names(fault.target), where);
      const fromName = 'from' in fault.spec ? fault.spec.from : null;
      const from = fromName
        ? selectorFor(options.selectors, [fromName], { file: scenario.file, line: fault.lines.from })
        : null;
      const placed = faultTemplates(fault.spec, {
        name: fault.atMs > 0 ? `${name}-inject` : name,
        namespace: options.namespace,
        target,
        from,
        durationMs: fault.durationMs,
      });
      if (fault.atMs > 0) {
        templates.push(
          {
            name,
            templateType: 'Serial',
            deadline: goDuration(fault.atMs + fault.durationMs),
            children: [`${name}-wait`, placed[0].name],
          },
          { name: `${name}-wait`, templateType: 'Suspend', deadline: goDuration(fault.atMs) },
        );
      }
      templates.push(...placed);
      faultChildren.push(name);
    } catch (error) {
      if (!(error instanceof RefusedFault) && !(error instanceof Error && error.name === 'ConfigError'))
        throw error;
      refused.push(`faults[${i}] (${fault.spec.type}): ${error.message}`);
    }
  });
  if (refused.length) throw new RefusedScenario(scenario.name, refused);

  const http = scenario.steadyState.find((c) => c.kind === 'http');
  const parallel: string[] = [...faultChildren];
  if (http && http.kind === 'http') {
    const abort = scenario.abort !== null;
    // The guard's shortest `for` becomes consecutive failed checks at one check a second.
    const failures = abort
      ? Math.max(1, Math.ceil(Math.min(...scenario.abort!.conditions.map((c) => c.forMs)) / 1000))
      : 3;
    templates.push({
      name: 'steady-state',
      templateType: 'StatusCheck',
      deadline: goDuration(phases.faultMs),
      ...(abort ? { abortWithStatusCheck: true } : {}),
      statusCheck: {
        mode: 'Continuous',
        type: 'HTTP',
        duration: goDuration(phases.faultMs),
        intervalSeconds: 1,
        timeoutSeconds: Math.max(1, Math.ceil((http.maxLatencyMs ?? scenario.load.timeoutMs) / 1000)),
        failureThreshold: failures,
        http: {
          url: joinUrl(options.targetUrl, http.path),
          method: 'GET',
          criteria: { statusCode: String(http.status) },
        },
      },
    });
    parallel.push('steady-state');
  }
  if (!parallel.length) {
    // A pure load test: the fault phase is time under load, nothing injected.
    templates.push({ name: 'no-fault', templateType: 'Suspend', deadline: goDuration(phases.faultMs) });
    parallel.push('no-fault');
  }
  const main: WorkflowTemplate[] = [
    {
      name: 'main',
      templateType: 'Serial',
      children: [PHASE_TEMPLATES.warmupBaseline, PHASE_TEMPLATES.fault, PHASE_TEMPLATES.recoveryAfter],
    },
    {
      name: PHASE_TEMPLATES.warmupBaseline,
      templateType: 'Suspend',
      deadline: goDuration(phases.warmupMs + phases.baselineMs),
    },
    {
      name: PHASE_TEMPLATES.fault,
      templateType: 'Parallel',
      deadline: goDuration(phases.faultMs),
      children: parallel,
    },
    {
      name: PHASE_TEMPLATES.recoveryAfter,
      templateType: 'Suspend',
      deadline: goDuration(phases.recoveryMs + phases.afterMs),
    },
  ];
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'Workflow',
    metadata: { name: options.name, namespace: options.namespace, labels: labels(scenario, options) },
    spec: { entry: 'main', templates: [...main, ...templates] },
  };
}

function joinUrl(base: string, path: string): string {
  return /^https?:\/\//.test(path)
    ? path
    : `${base.replace(/\/$/, '')}${path.startsWith('/') ? '' : '/'}${path}`;
}
