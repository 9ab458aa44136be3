// `chaos-action render k8s`: the scenarios as Chaos Mesh Workflows and k6-operator TestRuns for
// a cluster (src/k8s/). No Docker, no cluster: it writes files. Exit 0 when every scenario was
// rendered, 2 on bad input or when a scenario was refused (a fault with no faithful CR).
import type { ConfigIssue } from '../config/errors';
import { builtinScenariosDir, loadCatalog, selectScenarios } from '../config/load-scenarios';
import { dnsName, renderScenarios } from '../k8s/render';
import { parseSelectorMap } from '../k8s/selectors';
import { EXIT } from '../results/gate';
import { inferRunTarget } from '../stack/run-target';
import { flagValue, parseCommandLine, runSettingsFromFlags, UsageError } from './args';
import { commandHelp, inputFailure, say, sayNotices } from './help';
import { runConfigFromFlags } from './run-setup';

export async function renderCommand(argv: string[]): Promise<number> {
  try {
    const line = parseCommandLine('render', argv[0] === 'render' ? argv.slice(1) : argv);
    if (line.help) {
      process.stdout.write(`${commandHelp('render')}\n`);
      return EXIT.passed;
    }
    sayNotices('render', line.notices);
    if (line.positional[0] !== 'k8s' || line.positional.length !== 1)
      throw new UsageError('the only render target is k8s: chaos-action render k8s ...');
    const one = (name: string): string | undefined => flagValue(line, name);
    const need = (name: string): string => {
      const v = one(name);
      if (!v) throw new UsageError(`--${name} is required`);
      return v;
    };
    const namespace = need('namespace');
    if (dnsName(namespace) !== namespace)
      throw new UsageError(`--namespace: "${namespace}" is not a Kubernetes name`);
    const targetUrl = need('target-url');
    if (!/^https?:\/\/[^/\s]+/.test(targetUrl))
      throw new UsageError(`--target-url: "${targetUrl}" is not an http(s) URL`);
    const parallelism = Number(one('parallelism') ?? '1');
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 1000)
      throw new UsageError(`--parallelism: "${one('parallelism')}" must be a whole number from 1 to 1000`);
    const runId = one('run-id') ?? `chaos-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
    if (dnsName(runId) !== runId || runId.length > 40)
      throw new UsageError(`--run-id: "${runId}" must be a Kubernetes name of at most 40 characters`);
    const selectors = parseSelectorMap(need('service-map'));

    // The run config gives the request, health check, parameters and scenario directories; its
    // compose files are not read, and target-url and service-map mean the cluster's here.
    const notices: ConfigIssue[] = [];
    let config;
    try {
      config = runConfigFromFlags(
        one('config-file'),
        runSettingsFromFlags(line, ['target-url', 'service-map']),
        notices,
        {
          withoutCompose: true,
        },
      );
    } finally {
      sayNotices('render', notices);
    }
    const run = inferRunTarget(null, config.target).params;
    const options = { profile: config.profile, params: config.params, scale: config.scale, run };
    const builtin = config.builtinScenarios;
    const catalog = loadCatalog(
      { builtinDir: builtin ? builtinScenariosDir() : null, userDirs: config.scenariosDirs },
      options,
    );
    const scenarios = selectScenarios(
      catalog,
      config.scenarios.length ? { names: config.scenarios } : { suite: config.suite },
    );
    const out = renderScenarios(
      scenarios,
      {
        namespace,
        outDir: need('out'),
        targetUrl,
        selectors,
        parallelism,
        remoteWriteUrl: one('remote-write') ?? 'http://prometheus.monitoring.svc:9090/api/v1/write',
        runId,
      },
      { scenariosDirs: config.scenariosDirs, builtin, options },
    );
    for (const s of out.run.scenarios)
      process.stdout.write(`rendered ${s.name}: workflow ${s.workflow}, testid ${s.testId}\n`);
    for (const r of out.run.refused) say('render', `refused ${r.scenario}: ${r.reasons.join('; ')}`);
    process.stdout.write(
      `wrote ${out.files.length} files to ${one('out')}; next: see ${one('out')}/README.md\n`,
    );
    return out.run.refused.length ? EXIT.configuration : EXIT.passed;
  } catch (error) {
    const code = inputFailure('render', error);
    if (code !== null) return code;
    throw error;
  }
}
