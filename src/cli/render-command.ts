// `chaos-action render k8s`: the scenarios as Chaos Mesh Workflows and k6-operator TestRuns for
// a cluster (src/k8s/). No Docker, no cluster: it writes files. Exit 0 when every scenario was
// rendered, 2 on bad input or when a scenario was refused (a fault with no faithful CR).
import { existsSync } from 'node:fs';
import { ConfigError } from '../config/errors';
import { builtinScenariosDir, loadCatalog, selectScenarios } from '../config/load-scenarios';
import { DEFAULT_CONFIG_FILE, loadRunConfigFile, parseRunConfig, type RunConfig } from '../config/run-config';
import { dnsName, renderScenarios } from '../k8s/render';
import { parseSelectorMap } from '../k8s/selectors';
import { inferRunTarget } from '../stack/run-target';
import { parseArgs, UsageError } from './args';

const USAGE = `usage: chaos-action render k8s --namespace NS --out DIR --target-url URL --service-map MAP [options]
  --scenario NAME        a scenario to render (repeatable); default: the suite
  --suite NAME           default | weekly | full | game-day | all | a suite of yours (default: default)
  --namespace NS         the namespace the system under test runs in
  --out DIR              where to write (one directory per scenario, render.json, README.md)
  --target-url URL       the api's in-cluster URL, e.g. http://web.shop.svc:8080 (load and status checks)
  --service-map MAP      roles/services to pod selectors: api=app=web,cache=app.kubernetes.io/name=redis@redis
                         (labels joined by +, @CONTAINER for faults that act on one container)
  --parallelism N        k6 runner pods (default 1)
  --remote-write URL     Prometheus remote-write URL for k6 (default http://prometheus.monitoring.svc:9090/api/v1/write)
  --run-id ID            names the run's resources and the testid tag (default chaos-<UTC time>)
  --config FILE          the run config (request, health-path, params; default ./chaos-action.yml when it exists)
  --scenarios-dir DIR    your scenario files (repeatable)   --profile ci|production   --param NAME=VALUE (repeatable)
exit: 0 rendered, 2 usage or config error, or a scenario refused`;

export async function renderCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'render' ? argv.slice(1) : [...argv];
  try {
    const parsed = parseArgs(args, {
      values: [
        'scenario',
        'suite',
        'namespace',
        'out',
        'target-url',
        'service-map',
        'parallelism',
        'remote-write',
        'run-id',
        'config',
        'scenarios-dir',
        'profile',
        'param',
      ],
      repeatable: ['scenario', 'scenarios-dir', 'param'],
      booleans: ['help'],
    });
    if (parsed.booleans.has('help')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (parsed.positional[0] !== 'k8s' || parsed.positional.length !== 1)
      throw new UsageError('the only render target is k8s: chaos-action render k8s ...');
    const one = (name: string): string | undefined => parsed.flags[name]?.[0];
    const need = (name: string): string => {
      const v = one(name);
      if (!v) throw new UsageError(`--${name} is required`);
      return v;
    };
    const namespace = need('namespace');
    if (dnsName(namespace) !== namespace)
      throw new UsageError(`--namespace "${namespace}" is not a Kubernetes name`);
    const targetUrl = need('target-url');
    if (!/^https?:\/\/[^/\s]+/.test(targetUrl))
      throw new UsageError(`--target-url "${targetUrl}" is not an http(s) URL`);
    const parallelism = Number(one('parallelism') ?? '1');
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 1000)
      throw new UsageError(`--parallelism "${one('parallelism')}" must be a whole number from 1 to 1000`);
    const runId = one('run-id') ?? `chaos-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
    if (dnsName(runId) !== runId || runId.length > 40)
      throw new UsageError(`--run-id "${runId}" must be a Kubernetes name of at most 40 characters`);
    const selectors = parseSelectorMap(need('service-map'));

    const overrides = {
      suite: one('suite'),
      scenarios: parsed.flags.scenario,
      'scenarios-dirs': parsed.flags['scenarios-dir'],
      profile: one('profile'),
      params: parsed.flags.param?.join(','),
    };
    const configFile = one('config') ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
    // The compose files are not read here: the run config is used for its request, health check,
    // parameters and scenario directories only.
    const config: RunConfig = configFile
      ? loadRunConfigFile(configFile, overrides, 'flag')
      : parseRunConfig({ ...overrides, 'compose-files': 'docker-compose.yml' }, 'flag');
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
    for (const r of out.run.refused) process.stderr.write(`refused ${r.scenario}: ${r.reasons.join('; ')}\n`);
    process.stdout.write(
      `wrote ${out.files.length} files to ${one('out')}; next: see ${one('out')}/README.md\n`,
    );
    return out.run.refused.length ? 2 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`render: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
