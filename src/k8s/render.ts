// `chaos-action render k8s`: scenarios → a directory a person can `kubectl apply`, per scenario
// a Chaos Mesh Workflow and a k6-operator TestRun (+ its script's ConfigMap), and render.json,
// which `chaos-action judge` reads to load the same scenarios with the same parameters again.
// Refused scenarios (a fault with no faithful CR) are listed with the reason; nothing is
// written for them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { LoadOptions } from '../config/load-scenarios';
import type { Scenario } from '../config/scenario-schema';
import { k6Resources } from './k6';
import type { SelectorMap } from './selectors';
import { PHASE_TEMPLATES, RefusedScenario, workflowFor } from './workflow';

export const RENDER_FILE = 'render.json';

export interface RenderOptions {
  namespace: string;
  outDir: string;
  targetUrl: string;
  selectors: SelectorMap;
  parallelism: number;
  remoteWriteUrl: string;
  /** Names the run: resource names and the `testid` tag derive from it (DNS-1123). */
  runId: string;
}

/** What `judge` needs to find a rendered run again: how the scenarios were loaded, and per scenario its names. */
export interface RenderedRun {
  schemaVersion: 1;
  runId: string;
  namespace: string;
  /** The loader's inputs, so `judge` loads the very scenarios (and thresholds) that were rendered. */
  load: {
    scenariosDirs: string[];
    builtin: boolean;
    options: Pick<LoadOptions, 'profile' | 'params' | 'scale' | 'run'>;
  };
  scenarios: RenderedScenario[];
  refused: { scenario: string; reasons: string[] }[];
}

export interface RenderedScenario {
  name: string;
  file: string;
  workflow: string;
  testRun: string;
  testId: string;
  phaseTemplates: typeof PHASE_TEMPLATES;
  phases: Scenario['phases'];
}

/** A Kubernetes name (DNS-1123 label): lower case, digits and '-', at most 63 characters. */
export function dnsName(...parts: string[]): string {
  const name = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return name.slice(0, 63).replace(/-$/, '');
}

export interface RenderOutput {
  run: RenderedRun;
  /** The resources per scenario, as written (for tests and for validation). */
  resources: Map<string, Record<string, unknown>[]>;
  files: string[];
}

export function renderScenarios(
  scenarios: readonly Scenario[],
  options: RenderOptions,
  load: RenderedRun['load'],
): RenderOutput {
  const run: RenderedRun = {
    schemaVersion: 1,
    runId: options.runId,
    namespace: options.namespace,
    load,
    scenarios: [],
    refused: [],
  };
  const resources = new Map<string, Record<string, unknown>[]>();
  const files: string[] = [];
  fs.mkdirSync(options.outDir, { recursive: true });
  for (const scenario of scenarios) {
    // A template over a compose stack's graph has no service to select pods by until expanded.
    if (scenario.expansion) {
      run.refused.push({
        scenario: scenario.name,
        reasons: [
          `it runs once per ${scenario.expansion.over} of a compose stack's graph (target: { each: ${scenario.expansion.over} }); write a scenario per service to run it on Kubernetes`,
        ],
      });
      continue;
    }
    const name = dnsName(scenario.name, options.runId);
    const testId = name;
    let workflow: Record<string, unknown>;
    try {
      workflow = workflowFor(scenario, { ...options, name, testId });
    } catch (error) {
      if (!(error instanceof RefusedScenario)) throw error;
      run.refused.push({ scenario: scenario.name, reasons: error.reasons });
      continue;
    }
    const [configMap, testRun] = k6Resources(scenario, { ...options, name, testId });
    const dir = path.join(options.outDir, scenario.name);
    fs.mkdirSync(dir, { recursive: true });
    const write = (file: string, docs: Record<string, unknown>[]): void => {
      const target = path.join(dir, file);
      fs.writeFileSync(target, docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'));
      files.push(target);
    };
    write('workflow.yaml', [workflow]);
    write('testrun.yaml', [configMap, testRun]);
    resources.set(scenario.name, [workflow, configMap, testRun]);
    run.scenarios.push({
      name: scenario.name,
      file: scenario.file,
      workflow: name,
      testRun: name,
      testId,
      phaseTemplates: PHASE_TEMPLATES,
      phases: scenario.phases,
    });
  }
  const runFile = path.join(options.outDir, RENDER_FILE);
  fs.writeFileSync(runFile, `${JSON.stringify(run, null, 2)}\n`);
  const readme = path.join(options.outDir, 'README.md');
  fs.writeFileSync(readme, renderReadme(run, options));
  files.push(runFile, readme);
  return { run, resources, files };
}

function renderReadme(run: RenderedRun, options: RenderOptions): string {
  const rows = run.scenarios.map(
    (s) => `| ${s.name} | \`${s.name}/workflow.yaml\` | \`${s.name}/testrun.yaml\` | \`${s.testId}\` |`,
  );
  const refused = run.refused.map((r) => `- **${r.scenario}**: ${r.reasons.join('; ')}`);
  return [
    `# chaos-action run \`${run.runId}\` for namespace \`${run.namespace}\``,
    '',
    'Rendered by `chaos-action render k8s`. Each scenario is a Chaos Mesh Workflow (the phases and',
    'the faults) and a k6-operator TestRun (the load, on one or more runner pods, sending its',
    `samples to ${options.remoteWriteUrl} tagged with \`testid\`). Start both of a scenario at the`,
    "same time: the load is shaped to the Workflow's phases, and the judge reads the phases from the",
    "Workflow's own nodes, so a few seconds of start skew move no verdict.",
    '',
    '| scenario | workflow | load | testid |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '## Run one scenario',
    '',
    '```sh',
    `S=${run.scenarios[0]?.name ?? 'SCENARIO'}`,
    'kubectl apply -f "$S/testrun.yaml" -f "$S/workflow.yaml"',
    `kubectl -n ${run.namespace} wait --for=condition=Accomplished workflow/${run.scenarios[0]?.workflow ?? 'NAME'} --timeout=1h`,
    `kubectl -n ${run.namespace} get workflownodes -l chaos-mesh.org/workflow=${run.scenarios[0]?.workflow ?? 'NAME'} -o json > "$S/nodes.json"`,
    '```',
    '',
    '## Judge it (the same thresholds, report and exit code as on compose)',
    '',
    '```sh',
    'chaos-action judge --k8s-rendered . --scenarios "$S" --k8s-nodes "$S/nodes.json" --prometheus-url http://PROMETHEUS:9090',
    '```',
    '',
    'Prometheus must accept remote write (`--web.enable-remote-write-receiver`); no native histograms',
    "are needed: the latency percentiles are taken over every runner pod's samples together, from",
    'the counter of each latency bucket (docs/kubernetes.md).',
    ...(refused.length ? ['', '## Not rendered', '', ...refused] : []),
    '',
  ].join('\n');
}
