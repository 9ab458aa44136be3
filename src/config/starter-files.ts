// The files `chaos-action init` writes: a run config that says what was inferred and why,
// and the GitHub workflow of the gate (every pull request, the chaos:full label, nightly,
// by hand) that reads it. Pure text.
import { schemaModeline, SCHEMA_FILES } from './json-schema';
import type { RunParams } from './load-scenarios';
import { stringify } from 'yaml';
import type { ImportResult } from '../imports/result';
import { ACTION_REF, ACTION_REPOSITORY } from './project';
import { builtinSuiteNames } from './suite-names';

export interface StarterConfig {
  /** Compose files relative to the config file. */
  composeFiles: string[];
  serviceMap: { role: string; service: string; why: string }[];
  /** Roles already given by the services' dev.chaos-action.role labels. */
  labelledRoles: string[];
  /** Roles the stack's graph gives at every run, shown so they can be overridden. */
  found?: { role: string; service: string; why: string }[];
  /** The stack's graph, one line per service (graph.ts describeGraph). */
  graph?: string[];
  request: { text: string; why: string } | null;
  healthPath: { path: string; why: string } | null;
  /** Requests the entry's OpenAPI document offers (`init --probe`), to choose from. */
  offered?: string[];
  /** The built-ins' application-specific parameters, with what each one checks. */
  params: { name: string; what: string }[];
  /** A mix imported by `init --openapi/--har/--access-log`: written as `requests:`, with what was dropped. */
  mix?: { source: string; result: ImportResult };
}

/** An imported mix as `requests:`, led by how it was made and followed by what was left out and why. */
function renderMix(mix: NonNullable<StarterConfig['mix']>): string[] {
  const { result } = mix;
  const lines = [
    `# The mix ${mix.source.startsWith('exploring') ? 'found by' : 'imported from'} ${mix.source} (it replaces request: at each run):`,
  ];
  for (const note of result.notes) lines.push(`#   ${note}`);
  if (result.requests.length) {
    lines.push('requests:');
    for (const request of result.requests) {
      const comment = result.comments?.[request.name];
      if (comment) lines.push(`  # ${comment}`);
      lines.push(
        ...stringify([request], { lineWidth: 0, flowCollectionPadding: false })
          .trimEnd()
          .split('\n')
          .map((line) => `  ${line}`),
      );
    }
  } else lines.push('# (nothing could be kept: see below)');
  if (result.dropped.length) {
    lines.push(`# Left out of ${mix.source}:`);
    for (const d of result.dropped) lines.push(`#   ${d.what}: ${d.why}`);
  }
  return lines;
}

const quote = (s: string): string => (/^[\w./-]+$/.test(s) ? s : JSON.stringify(s));

export function renderRunConfig(c: StarterConfig, source: string): string {
  const lines = [
    schemaModeline(SCHEMA_FILES.runConfig),
    `# chaos-action's run config, written by \`chaos-action init\` from ${source}.`,
    '# `chaos-action run` and the Action read it; flags and inputs override it. Check it with',
    '# `chaos-action validate chaos-action.yml`. Paths are relative to this file.',
    `compose-file: [${c.composeFiles.map(quote).join(', ')}]`,
    '',
  ];
  if (c.graph?.length) {
    lines.push('# The stack as chaos-action reads it at every run (`chaos-action init` prints why):');
    for (const line of c.graph) lines.push(`#   ${line}`);
  }
  if (c.found?.length) {
    lines.push('# The roles that follow from it; to choose another service, map the role:');
    lines.push(`# service-map: { ${c.found.map((f) => `${f.role}: ${quote(f.service)}`).join(', ')} }`);
  }
  if (c.labelledRoles.length)
    lines.push(`# Roles from the services' dev.chaos-action.role labels: ${c.labelledRoles.join(', ')}.`);
  if (c.serviceMap.length) {
    lines.push('# Which service plays which role in the built-in scenarios.', 'service-map:');
    for (const m of c.serviceMap) lines.push(`  ${m.role}: ${quote(m.service)} # ${m.why}`);
  } else if (!c.labelledRoles.length && !c.found?.length) {
    lines.push(
      '# No role could be inferred: map your services, e.g.',
      '# service-map: { api: web, cache: redis }',
    );
  }
  lines.push('', '# The request the load sends, and the health check every scenario starts from.');
  // Unset, each run takes the entry's / when it answers 2xx with a body, else what it finds
  // (`init --probe` writes what it found); a line written here is used as it is.
  lines.push(
    c.request && !/^the entry's root/.test(c.request.why)
      ? `request: ${c.request.text} # ${c.request.why}`
      : "# request: GET /items/1     # unset: each run takes the entry's / when it answers 2xx with a body, else a GET its OpenAPI document offers, else the health check",
  );
  if (c.offered?.length) {
    lines.push("# The entry's OpenAPI document offers, without parameters:");
    for (const o of c.offered) lines.push(`#   request: ${o}`);
  }
  if (c.mix) lines.push(...renderMix(c.mix));
  lines.push('# request-json: { sku: 42 }   # a JSON body, if the request needs one');
  lines.push('# expect-status: 200          # statuses that count as success');
  lines.push(
    c.healthPath
      ? `health-path: ${quote(c.healthPath.path)} # ${c.healthPath.why}`
      : '# health-path: /health',
  );
  lines.push(
    '',
    '# What your application logs or alerts on under each fault. A check whose parameter is',
    '# unset is left out (the report says so); set one to add its check, e.g.',
    '#   params: { cache_miss_log: Cache miss }',
    '# The built-ins take:',
  );
  for (const p of c.params) lines.push(`#   ${p.name}: ${p.what}`);
  lines.push('params: {}');
  return `${lines
    .filter((l, i, all) => !(l === '' && all[i - 1] === ''))
    .join('\n')
    .trimEnd()}\n`;
}

export function renderWorkflow(
  configFile: string,
  action = `${ACTION_REPOSITORY}@${ACTION_REF}`,
  suites: readonly string[] = builtinSuiteNames(),
): string {
  return `# The chaos gate, written by \`chaos-action init\`.
#  - every pull request: the default suite, compared with the last nightly run's results; a
#    violated SLO fails the check (make it required in branch protection to block the merge)
#  - a pull request labelled chaos:full: the full suite
#  - nightly: the full suite on the default branch; its results are the artifact
#    chaos-results-nightly, which the pull requests' runs download and compare with
#  - by hand (Actions → chaos → Run workflow): choose the suite
name: chaos
on:
  pull_request:
    types: [opened, synchronize, reopened, labeled]
  schedule:
    - cron: '23 3 * * *'
  workflow_dispatch:
    inputs:
      suite:
        description: 'Suite to run'
        type: choice
        options: [${suites.join(', ')}]
        default: full
permissions:
  contents: read
  pull-requests: write
  checks: write
  actions: read # download the last nightly run's results
concurrency:
  group: chaos-\${{ github.ref }}
  cancel-in-progress: true
jobs:
  chaos:
    runs-on: ubuntu-24.04
    timeout-minutes: 45
    steps:
      # Third-party actions pinned by commit (a tag can be moved); no token left in .git/config,
      # where any container that mounts the checkout could read it.
      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0
        with:
          persist-credentials: false
      - name: The last nightly results, for the report to compare with
        if: github.event_name == 'pull_request'
        continue-on-error: true
        uses: dawidd6/action-download-artifact@bf251b5aa9c2f7eeb574a96ee720e24f801b7c11 # v6
        with:
          workflow: chaos.yml
          branch: \${{ github.base_ref }}
          name: chaos-results-nightly
          path: .chaos-nightly
          if_no_artifact_found: ignore
      - uses: ${action}
        with:
          config-file: ${configFile}
          suite: \${{ github.event_name == 'schedule' && 'full' || inputs.suite || 'auto' }}
          # No nightly results yet: noted in the report, not an error.
          baseline-results: \${{ github.event_name == 'pull_request' && '.chaos-nightly/results.json' || '' }}
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2
        if: always()
        with:
          name: chaos-results-\${{ github.event_name == 'schedule' && 'nightly' || github.run_id }}
          path: chaos-results/
`;
}

/** The request and health check to write, from what was inferred. */
export function starterTarget(
  params: RunParams,
  explained: string[],
): Pick<StarterConfig, 'request' | 'healthPath'> {
  const why = (prefix: string): string =>
    (explained.find((line) => line.startsWith(prefix)) ?? '').replace(/^[^(]*\((.*)\)$/, '$1');
  const requestWhy = why('request');
  return {
    request: /nothing to infer/.test(requestWhy)
      ? null
      : {
          text: `${params.request.method} ${params.request.path}`,
          why: requestWhy.replace(/^the entry's root.*/, "the entry's root"),
        },
    healthPath: /no (curl\/wget|HTTP) healthcheck/.test(why('health check'))
      ? null
      : { path: params.health_path, why: why('health check') },
  };
}
