// Scenarios that expand over the stack's graph: a file whose target is `{ each: dependency }`
// (optionally `kind: database`) runs once per dependency, and `{ each: instance }` once on the
// application when it has two or more instances. Each run is a scenario in its own right,
// named `template[service]` (`dependency-down[db]`, `instance-loss[web]`), in every output.
// Pure: the graph comes from stack/graph.ts.
import type { Scenario, ScenarioTarget } from '../config/scenario-schema';
import { dependencyKind, type StackGraph } from '../stack/graph';

export interface Expanded {
  scenarios: Scenario[];
  /** Why the template runs nowhere on this stack; null when it runs. */
  none: string | null;
}

/** `dependency-down[db]` → { template: 'dependency-down', arg: 'db' }; a plain name has arg null. */
export function splitExpandedName(name: string): { template: string; arg: string | null } {
  const match = /^([^[\]]+)\[([^[\]]+)\]$/.exec(name);
  return match ? { template: match[1], arg: match[2] } : { template: name, arg: null };
}

function instance(
  template: Scenario,
  arg: string,
  service: string,
  over: string,
  kind: string | null,
  title: string,
): Scenario {
  const target: ScenarioTarget = { role: null, service };
  return {
    ...template,
    name: `${template.name}[${arg}]`,
    title: `${template.title}: ${title}`,
    target,
    faults: template.faults.map((f) => ({ ...f, target })),
    thresholds: [...template.thresholds],
    omitted: [...template.omitted],
    requires: {
      roles: template.requires.roles.filter((r) => r !== null),
      services: [...template.requires.services],
    },
    expansion: null,
    expandedFrom: { template: template.name, over, kind },
  };
}

export function expandScenario(template: Scenario, graph: StackGraph): Expanded {
  const expansion = template.expansion;
  if (!expansion) return { scenarios: [template], none: null };
  if (expansion.over === 'dependency') {
    const matching = graph.dependencies.filter(
      (d) => expansion.kind === null || dependencyKind(d) === expansion.kind,
    );
    if (matching.length === 0)
      return {
        scenarios: [],
        none: expansion.kind
          ? `the stack has no dependency of kind ${expansion.kind}${graph.dependencies.length ? ` (dependencies: ${graph.dependencies.map((d) => `${d.name}, ${dependencyKind(d)}`).join('; ')})` : ''}`
          : 'the stack has no dependency: every service is the entry or the application',
      };
    return {
      scenarios: matching.map((d) => {
        const kind = dependencyKind(d);
        return instance(
          template,
          d.name,
          d.name,
          'dependency',
          kind,
          `${d.name} (${kind}${d.product ? `, ${d.product}` : ''})`,
        );
      }),
      none: null,
    };
  }
  const app = graph.application;
  if (!app || app.instances < 2)
    return {
      scenarios: [],
      none: app
        ? `the application (${app.name}) runs one instance`
        : 'the stack has no entry, so no application was found',
    };
  if (app.services.length < 2)
    return {
      scenarios: [],
      none: `the application's ${app.instances} instances are replicas of one service (${app.services[0]}), and a fault acts on every replica of a service`,
    };
  return {
    scenarios: [
      instance(
        template,
        app.name,
        app.services[0],
        'instance',
        null,
        `${app.services[0]}, one of ${app.services.join(', ')}`,
      ),
    ],
    none: null,
  };
}
