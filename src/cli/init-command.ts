// `chaos-action init`: a starting point for a stack we have never seen. Reads the compose
// file(s) as compose does, infers the service map, the request and the health check, and
// writes chaos-action.yml and .github/workflows/chaos.yml, saying what it inferred and why
// and what it could not. It never overwrites a file without --force, and never writes through
// a symlink: one at either file, at .github or .github/workflows, is refused, even dangling
// (a checkout can hold a link to anywhere), and the files are created anew (O_EXCL).
import { existsSync, lstatSync, mkdirSync, readlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatIssue, ConfigError } from '../config/errors';
import { builtinScenariosDir, loadCatalog, DEFAULT_RUN_PARAMS } from '../config/load-scenarios';
import { DEFAULT_CONFIG_FILE, NO_TARGET_SETTINGS } from '../config/run-config';
import type { Scenario } from '../config/scenario-schema';
import { renderRunConfig, renderWorkflow, starterTarget } from '../config/starter-files';
import { checkComposeFiles, ComposeError } from '../stack/compose';
import { readComposeModel } from '../stack/compose-model';
import type { ComposeModel } from '../stack/compose-model';
import { describeGraph } from '../stack/graph';
import { rolesFromModel, type ResolvedRoles } from '../stack/roles';
import { inferRunTarget, type RunTarget } from '../stack/run-target';
import { expandScenario } from '../scenario/expansion';
import { describeServingCheck, notServingReason, waitUntilServing } from '../scenario/readiness';
import { ComposeStack, uniqueProjectName } from '../stack/compose';
import { serviceUrl } from '../stack/endpoints';
import { probeEntry, type EntryProbe } from '../stack/entry-probe';
import {
  COMMON_PATHS,
  describeExploration,
  exploredMix,
  exploreRequests,
  gatherCandidates,
  TRIES,
} from '../stack/explore';
import type { MixEntryInput } from '../config/request-mix';
import { parseList } from '../config/setting-values';
import { discoverComposeFiles, noComposeFileIn } from '../stack/compose-files';
import { importMix, type ImportResult } from '../imports';
import { flagSwitch, flagValue, parseCommandLine, UsageError } from './args';
import { commandHelp, inputFailure, say as complain, sayNotices } from './help';

export async function initCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseCommandLine('init', argv);
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  } catch (error) {
    const code = inputFailure('init', error);
    if (code !== null) return code;
    throw error;
  }
  if (args.help) {
    process.stdout.write(`${commandHelp('init')}\n`);
    return 0;
  }
  sayNotices('init', args.notices);
  const dir = path.resolve(flagValue(args, 'dir') ?? '.');
  const composeFiles = (args.values.get('compose-file') ?? []).flatMap(parseList).map((f) => path.resolve(f));
  // As docker compose does without -f: the first of its file names in DIR, and the override beside it.
  if (composeFiles.length === 0) composeFiles.push(...discoverComposeFiles(dir));
  if (composeFiles.length === 0) {
    complain('init', `${noComposeFileIn(dir)}; give --compose-file FILE`);
    return 2;
  }
  const configPath = path.join(dir, DEFAULT_CONFIG_FILE);
  const workflowPath = path.join(dir, '.github', 'workflows', 'chaos.yml');
  const force = flagSwitch(args, 'force', false);
  const links = symlinksOnTheWay(dir, [configPath, workflowPath]);
  if (links.length) {
    complain('init', `${links.join('; ')}: init does not write through a symlink; nothing was written`);
    return 2;
  }
  const existing = [configPath, workflowPath].filter((file) => existsSync(file));
  if (existing.length && !force) {
    complain(
      'init',
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written (--force replaces them)`,
    );
    return 2;
  }

  let model;
  try {
    checkComposeFiles(composeFiles);
    model = await readComposeModel(composeFiles);
  } catch (error) {
    if (error instanceof ComposeError) {
      complain('init', error.message);
      return 2;
    }
    throw error;
  }
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const found = describeStack(model, composeFiles);
  for (const line of found.lines) say(line);
  const { roles, target } = found;
  const starter = starterTarget(target.params, target.explained);
  const { healthPath } = starter;
  let { request } = starter;
  let offered: string[] = [];

  // A mix imported from what the team has: an OpenAPI document, a HAR recording, an access log.
  const importAsked = (['openapi', 'har', 'access-log'] as const).filter((kind) => flagValue(args, kind));
  if (importAsked.length > 1) {
    complain(
      'init',
      `give one of --openapi, --har, --access-log (got ${importAsked.map((k) => `--${k}`).join(' and ')})`,
    );
    return 2;
  }
  let mix: { source: string; result: ImportResult } | undefined;
  if (importAsked.length) {
    const kind = importAsked[0];
    const source = flagValue(args, kind) as string;
    try {
      mix = { source: path.basename(source), result: await importMix(kind, source) };
    } catch (error) {
      complain('init', `--${kind} ${source}: ${(error as Error).message}`);
      return 2;
    }
    for (const line of describeImport(`--${kind} ${source}`, mix.result)) say(line);
  }

  const explore = flagSwitch(args, 'explore', false);
  if (explore || flagSwitch(args, 'probe', false)) {
    const imported = mix ? { source: mix.source, requests: mix.result.requests } : undefined;
    const probed = await probeRunningStack(composeFiles, roles, target, say, explore ? { imported } : null);
    if (probed?.probe.request)
      request = { text: `GET ${probed.probe.request.path}`, why: probed.probe.request.why };
    offered = probed?.probe.openapi?.operations.map((p) => `GET ${p}`) ?? [];
    if (probed?.explored?.requests.length)
      mix = { source: 'exploring the running stack', result: probed.explored };
  }

  // The built-ins' application-specific parameters, so the config lists what can be switched on.
  let params: { name: string; what: string }[] = [];
  const builtinDir = builtinScenariosDir();
  if (builtinDir) {
    try {
      const catalog = loadCatalog({ builtinDir }, { run: DEFAULT_RUN_PARAMS });
      const byName = new Map<string, string[]>();
      for (const scenario of catalog.scenarios.values())
        for (const [name, value] of Object.entries(scenario.params))
          if (value === '') byName.set(name, [...(byName.get(name) ?? []), scenario.name]);
      params = [...byName].map(([name, scenarios]) => ({ name, what: `checked in ${scenarios.join(', ')}` }));
    } catch (error) {
      if (error instanceof ConfigError)
        for (const issue of error.issues) say(`  note: ${formatIssue(issue)}`);
      else throw error;
    }
  }

  const text = renderRunConfig(
    {
      composeFiles: composeFiles.map((f) => path.relative(dir, f) || path.basename(f)),
      // Roles follow from the graph at every run; the file shows what was found, to override.
      serviceMap: [],
      labelledRoles: [],
      found: Object.entries(roles.roles).map(([role, service]) => ({
        role,
        service,
        why: roles.why[role] ?? '',
      })),
      graph: describeGraph(roles.graph),
      request,
      healthPath,
      offered,
      params,
      ...(mix ? { mix } : {}),
    },
    composeFiles.map((f) => path.basename(f)).join(' + '),
  );
  writeNew(configPath, text);
  mkdirSync(path.dirname(workflowPath), { recursive: true });
  writeNew(workflowPath, renderWorkflow(DEFAULT_CONFIG_FILE));
  const shown = (file: string): string => {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith('..') ? relative : file;
  };
  say(`wrote ${shown(configPath)}`);
  say(`wrote ${shown(workflowPath)}`);
  say('next: chaos-action validate chaos-action.yml && chaos-action run');
  return 0;
}

/** What an import kept, dropped (and why) and how it weighed the mix, as lines to print. */
export function describeImport(what: string, result: ImportResult): string[] {
  const lines = [`${what}: kept ${result.requests.length}, dropped ${result.dropped.length}`];
  for (const kept of result.kept) lines.push(`  kept ${kept}`);
  for (const dropped of result.dropped) lines.push(`  dropped ${dropped.what}: ${dropped.why}`);
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines;
}

/**
 * What init found, as lines to print: the graph (one line per service), the entry with its port
 * and path and why, the roles, the request and health check, the scenarios that expand over the
 * graph, and what could not be inferred.
 */
function describeStack(
  model: ComposeModel,
  composeFiles: string[],
): { lines: string[]; roles: ResolvedRoles; target: RunTarget } {
  const lines: string[] = [];
  const roles = rolesFromModel(model, {});
  const { graph } = roles;
  const entryService = model.services.find((s) => s.name === graph.entry?.service) ?? null;
  const target = inferRunTarget(entryService, NO_TARGET_SETTINGS, graph.entry);
  lines.push(
    `read ${composeFiles.map((f) => path.relative(process.cwd(), f) || f).join(' + ')}: ${model.services.length} services`,
  );
  lines.push('the stack:');
  for (const line of describeGraph(graph)) lines.push(`  ${line}`);
  if (graph.entry)
    lines.push(
      `entry: ${graph.entry.service}, port ${graph.entry.port ?? 'none published'}, path ${graph.entry.path} (${graph.entry.why})`,
    );
  else
    lines.push(
      `entry: none found (${graph.noEntry}); set service-map: { api: SERVICE } (--service-map api=SERVICE)`,
    );
  if (graph.application)
    lines.push(
      `application: ${graph.application.name}, ${graph.application.instances} instance${graph.application.instances === 1 ? '' : 's'} (${graph.application.services.join(', ')})`,
    );
  for (const role of Object.keys(roles.roles).sort((a, b) =>
    a === 'api' ? -1 : b === 'api' ? 1 : a.localeCompare(b),
  ))
    lines.push(`  ${role.padEnd(9)} = ${roles.roles[role]} (${roles.why[role]})`);
  for (const line of target.explained) lines.push(`  ${line}`);
  const expansions = expansionsOn(graph);
  if (expansions.length)
    lines.push(`scenarios over the graph (weekly and full suites): ${expansions.join(', ')}`);
  const without: Record<'cache' | 'telemetry' | 'metrics', string> = {
    cache:
      'the cache scenarios (redis-failure, network-partition, retry-storm, latency-injection) are skipped',
    telemetry: 'otel-collector-failure is skipped',
    metrics: "the built-ins' alert and PromQL checks are left out",
  };
  for (const role of ['cache', 'telemetry', 'metrics'] as const)
    if (!roles.roles[role]) lines.push(`  no ${role} dependency: ${without[role]}`);
  return { lines, roles, target };
}

/** The runs the built-in expanding scenarios make on this graph: dependency-down[db], instance-loss[web], ... */
function expansionsOn(graph: ResolvedRoles['graph']): string[] {
  const builtinDir = builtinScenariosDir();
  if (!builtinDir) return [];
  let templates: Scenario[];
  try {
    templates = [...loadCatalog({ builtinDir }, { run: DEFAULT_RUN_PARAMS }).scenarios.values()].filter(
      (s) => s.expansion !== null,
    );
  } catch (error) {
    if (error instanceof ConfigError) return [];
    throw error;
  }
  return templates.flatMap((t) => expandScenario(t, graph).scenarios.map((s) => s.name));
}

/**
 * `--probe` and `--explore`: the stack up once under a project of its own, the entry waited for
 * as a run waits, then asked what it answers (stack/entry-probe.ts); with `--explore`, which
 * requests reach each dependency (stack/explore.ts). The stack is removed whatever happens.
 */
async function probeRunningStack(
  composeFiles: string[],
  roles: ResolvedRoles,
  target: RunTarget,
  say: (line: string) => void,
  explore: { imported?: { source: string; requests: MixEntryInput[] } } | null,
): Promise<{ probe: EntryProbe; explored: ImportResult | null } | null> {
  const entry = roles.graph.entry;
  if (!entry) {
    say('probe: no entry to probe');
    return null;
  }
  const project = uniqueProjectName('chaos-init-probe');
  const stack = new ComposeStack({ files: composeFiles, project, log: (line) => say(`probe: ${line}`) });
  try {
    await stack.up();
    const url = await serviceUrl(project, entry.service, entry.port);
    const check = {
      targetUrl: url,
      path: target.params.health_path,
      status: target.params.health_status ?? 200,
    };
    say(`probe: waiting for ${entry.service} to serve: ${describeServingCheck(check)}`);
    const ready = await waitUntilServing(check, 120_000);
    if (!ready.ok) {
      say(`probe: ${notServingReason(check, ready)}`);
      return null;
    }
    const probe = await probeEntry(url);
    say(`probe: / answered ${probe.root}`);
    if (probe.openapi)
      say(
        `probe: ${probe.openapi.path} offers ${probe.openapi.operations.length ? probe.openapi.operations.map((p) => `GET ${p}`).join(', ') : 'no GET without parameters'}`,
      );
    say(
      probe.request
        ? `probe: request GET ${probe.request.path} (${probe.request.why})`
        : 'probe: nothing answered 2xx with a body; the request stays GET / (set request to choose)',
    );
    if (!explore) return { probe, explored: null };
    return { probe, explored: await exploreDependencies(project, url, roles, probe, explore, say) };
  } catch (error) {
    say(`probe: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  } finally {
    await stack.down().catch((error: Error) => say(`probe: down failed: ${error.message}`));
  }
}

/**
 * `--explore` on the running stack: the candidates (an imported mix, the OpenAPI document's
 * GETs, links on /, common paths) measured against every dependency of the graph, and the
 * covering mix as an import result, each request with what it reaches above it.
 */
async function exploreDependencies(
  project: string,
  url: string,
  roles: ResolvedRoles,
  probe: EntryProbe,
  explore: { imported?: { source: string; requests: MixEntryInput[] } },
  say: (line: string) => void,
): Promise<ImportResult> {
  const dependencies = roles.graph.dependencies.map((d) => d.name);
  const { candidates, skipped } = gatherCandidates({
    imported: explore.imported,
    openapi: probe.openapi,
    links: probe.links,
    common: COMMON_PATHS,
  });
  say(
    `explore: ${candidates.length} candidate requests, ${TRIES} tries each, against ${dependencies.join(', ') || 'no dependency'}`,
  );
  for (const line of skipped) say(`explore: skipped ${line}`);
  const exploration = await exploreRequests(project, url, dependencies, candidates, say);
  for (const line of describeExploration(exploration)) say(line);
  const found = exploredMix(exploration);
  const unreached = found.unreached.filter((d) => !exploration.busy.includes(d));
  say(
    found.requests.length
      ? `explore: the mix: ${found.requests.map((r) => `${r.method} ${r.path} (${r.reaches?.join(', ')})`).join(', ')}`
      : 'explore: no request reached a dependency; the request stays as inferred',
  );
  if (unreached.length) say(`explore: no request reached ${unreached.join(', ')}`);
  return {
    requests: found.requests,
    kept: found.requests.map((r) => `${r.method} ${r.path}`),
    dropped: [
      ...unreached.map((d) => ({ what: d, why: 'no request tried reached it' })),
      ...exploration.busy.map((d) => ({
        what: d,
        why: 'it receives packets when nothing is sent; not attributable',
      })),
    ],
    notes: [
      `each request was sent ${TRIES} times, a quiet window of the same length before each; it reaches a dependency when the dependency's containers received packets during every try and at most one quiet window (counted from the host, loopback left out)`,
    ],
    comments: found.comments,
  };
}

/**
 * The symlinks among the paths init writes and the directories it would make or enter below
 * `dir` (.github, .github/workflows), each as "<path> is a symlink (to <target>)".
 */
function symlinksOnTheWay(dir: string, files: string[]): string[] {
  const paths = new Set<string>();
  for (const file of files) {
    for (let p = file; p !== dir && p.startsWith(`${dir}${path.sep}`); p = path.dirname(p)) paths.add(p);
  }
  const links: string[] = [];
  for (const p of [...paths].sort()) {
    let isLink = false;
    try {
      isLink = lstatSync(p).isSymbolicLink();
    } catch {
      continue; // Not there: init makes it.
    }
    if (isLink) links.push(`${p} is a symlink (to ${readlinkSync(p)})`);
  }
  return links;
}

/** Writes a file that must be new: a file left there (--force) is removed first; O_EXCL refuses anything else. */
function writeNew(file: string, text: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Not there.
  }
  writeFileSync(file, text, { flag: 'wx' });
}
