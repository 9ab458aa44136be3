// The engine both front doors (the Action and the CLI) call: load and check every scenario
// before Docker is touched, bring the stack up, run the scenarios one after another, and
// always leave the stack as it found it (journal replayed, project removed).
import { readFileSync } from 'node:fs';
import packageJson from '../../package.json';
import path from 'node:path';
import { builtinScenariosDir, loadCatalog, type ScenarioCatalog } from '../config/load-scenarios';
import type { Scenario } from '../config/scenario-schema';
import { ConfigError, type ConfigIssue } from '../config/errors';
import { didYouMean } from '../config/suggest';
import type { RunConfig } from '../config/run-config';
import { createFaultContext, revertAll } from '../faults';
import { checkComposeFiles, ComposeError, ComposeStack, uniqueProjectName } from '../stack/compose';
import { composeLabel, readComposeModel, serviceNames, type ComposeModel } from '../stack/compose-model';
import { assertDockerReachable } from '../stack/docker';
import { assertProjectIsNew } from '../stack/project-guard';
import { serviceUrl } from '../stack/endpoints';
import { isRole } from '../config/roles';
import { ROLE_LABEL, RoleError, rolesFromModel, type ResolvedRoles, type RoleResolver } from '../stack/roles';
import { inferRunTarget, type RunTarget } from '../stack/run-target';
import { thresholdNeeds } from './thresholds';
import { monotonicMs } from '../util/clock';
import {
  combineOutcomes,
  isViolatedWarning,
  isViolation,
  type PhaseName,
  type RunResult,
  type ScenarioResult,
} from '../results';
import { emptyScenarioResult, runScenario, type ScenarioEnvironment } from './runner';
import { BaseStack, prepareBase, runPaired, type PreparedBase } from './paired';
import { expandScenario, splitExpandedName } from './expansion';
import { probeEntry } from '../stack/entry-probe';
import {
  describeServingCheck,
  notServingReason,
  waitUntilServing,
  type ReadyResult,
  type ServingCheck,
} from './readiness';
import { formatDuration } from '../config/duration';

export const TOOL_VERSION: string = packageJson.version;

export interface EngineHooks {
  log: (line: string) => void;
  onPhase?: (scenario: string, phase: PhaseName | 'steady-state' | 'verdict', detail: string) => void;
  /** Called once the project name is chosen and before anything starts: the post step needs it. */
  onProject?: (project: string, stack: ComposeStack) => void;
  /** The paired base stack's project (base-compose), once chosen: the post step must take it down too. */
  onBaseProject?: (project: string, stack: ComposeStack) => void;
  onScenarioDone?: (result: ScenarioResult) => void;
  /** Aborted on Ctrl-C or cancellation: the current scenario reverts and the rest are skipped. */
  signal?: AbortSignal;
}

export interface EngineContext {
  commit: string | null;
  runUrl: string | null;
  /** The suite's display name when the caller chose it (the Action's auto selection). */
  suiteLabel?: string;
}

export interface PreparedRun {
  /** The scenarios to run, in order. */
  scenarios: Scenario[];
  /** Built-ins of a built-in suite that the stack cannot play (a role it lacks), with why. */
  skipped: { scenario: Scenario; reason: string }[];
  catalog: ScenarioCatalog;
  baseline: RunResult | null;
  notes: string[];
  /** The stack as compose describes it, its roles and the load's target, all known before `up`. */
  model: ComposeModel;
  roles: ResolvedRoles;
  target: RunTarget;
  /** The paired base stack (base-compose), or null without one. */
  base: PreparedBase | null;
}

/**
 * Everything that can be checked before a container starts: the compose files (as compose
 * reads them), the service map and roles, the load's target, scenario files, suites, the
 * selection, every service a scenario names, and the baseline file. Throws ConfigError
 * (exit 2) with file:line: field messages; nothing is built or started.
 */
export async function prepareRun(config: RunConfig): Promise<PreparedRun> {
  let model: ComposeModel;
  try {
    checkComposeFiles(config.composeFiles.map((file) => path.resolve(file)));
    model = await readComposeModel(config.composeFiles.map((file) => path.resolve(file)));
  } catch (error) {
    if (error instanceof ComposeError) throw ConfigError.single(null, null, '', error.message);
    throw error;
  }
  let roles: ResolvedRoles;
  try {
    roles = rolesFromModel(model, config.serviceMap as Record<string, string>);
  } catch (error) {
    if (error instanceof RoleError) throw ConfigError.single(null, null, 'service-map', error.message);
    throw error;
  }
  const apiService = roles.optional('api');
  const target = inferRunTarget(
    model.services.find((s) => s.name === apiService) ?? null,
    config.target,
    roles.graph.entry,
  );
  const builtinDir = config.builtinScenarios ? builtinScenariosDir() : null;
  if (config.builtinScenarios && !builtinDir) {
    throw ConfigError.single(
      'scenarios',
      null,
      '',
      'the built-in scenarios directory was not found next to the program',
    );
  }
  const catalog = loadCatalog(
    { builtinDir, userDirs: config.scenariosDirs },
    { profile: config.profile, params: config.params, scale: config.scale, run: target.params },
  );
  const names = selectScenarioNames(catalog, config);
  if (roles.optional('metrics') === null) {
    for (const name of names)
      leaveOutMetricChecks(catalog.scenarios.get(splitExpandedName(name).template) as Scenario);
  }
  const notes = [...catalog.notes];
  // A built-in of a built-in suite may skip a role the stack lacks; anything the user chose may not.
  const suiteIsBuiltin =
    config.scenarios.length === 0 &&
    builtinDir !== null &&
    (catalog.suiteFiles[config.suite] ?? '').startsWith(path.resolve(builtinDir));
  const scenarios: Scenario[] = [];
  const skipped: PreparedRun['skipped'] = [];
  const problems: ConfigIssue[] = [];
  for (const name of names) {
    // A template (`target: { each: ... }`) runs once per match in the stack's graph; a name like
    // dependency-down[db] asks for one of those runs.
    const { template, arg } = splitExpandedName(name);
    const chosen = catalog.scenarios.get(template) as Scenario;
    const expanded = expandScenario(chosen, roles.graph);
    const runs = arg === null ? expanded.scenarios : expanded.scenarios.filter((e) => e.name === name);
    if (arg !== null && runs.length === 0) {
      const made = expanded.scenarios.map((e) => e.name);
      problems.push({
        file: null,
        line: null,
        field: 'scenarios',
        message: `"${name}" is not a run of ${template} on this stack (${made.length ? `runs: ${made.join(', ')}` : (expanded.none ?? 'it does not expand')})`,
      });
      continue;
    }
    if (expanded.none !== null) {
      if (suiteIsBuiltin && chosen.builtin) skipped.push({ scenario: chosen, reason: expanded.none });
      else
        problems.push({
          file: chosen.file,
          line: chosen.lines.target,
          field: 'target',
          message: `${chosen.name} runs nowhere on ${composeLabel(model)}: ${expanded.none}`,
        });
      continue;
    }
    for (const scenario of runs) checkServices(scenario);
  }
  function checkServices(scenario: Scenario): void {
    // A memory hog needs a limit to press against (else it presses on the whole host): a
    // built-in of a built-in suite is skipped on a service that has none, and says how to give one.
    const unlimited = scenario.faults.find((f) => {
      if (f.spec.type !== 'memory' || f.spec.method !== 'hog') return false;
      const service = roles.optional(f.target.role ?? (f.target.service as string));
      return service !== null && model.services.find((s) => s.name === service)?.memoryLimited === false;
    });
    if (unlimited && suiteIsBuiltin && scenario.builtin) {
      const service = roles.optional(unlimited.target.role ?? (unlimited.target.service as string)) as string;
      skipped.push({
        scenario,
        reason: `${service} has no memory limit, so a memory hog would press on the whole host; give it one (mem_limit: 256m) to run this`,
      });
      return;
    }
    const missing = missingServices(scenario, roles, model);
    const missingRoles = missing.filter((m) => m.role !== null);
    const optional = suiteIsBuiltin && scenario.builtin;
    if (missing.length === 0) scenarios.push(scenario);
    else if (optional && missingRoles.length === missing.length) {
      const role = missingRoles[0].role as string;
      skipped.push({
        scenario,
        reason: `the stack has no ${role} service; to run it, map one (service-map: ${role}=SERVICE) or label it ${ROLE_LABEL}=${role}`,
      });
    } else problems.push(...missing.map((m) => m.issue));
  }
  if (problems.length) throw new ConfigError(problems);
  if (scenarios.length === 0 && skipped.length === 0) {
    throw ConfigError.single('scenarios', null, '', 'no scenario was selected');
  }
  // Teardown removes the project: a name given by hand must not be someone else's stack.
  if (config.project) await assertProjectIsNew(config.project);
  let baseline: RunResult | null = null;
  if (config.baselineResults) {
    try {
      baseline = JSON.parse(readFileSync(config.baselineResults, 'utf8')) as RunResult;
      if (baseline.schemaVersion !== 1)
        throw new Error(`schemaVersion ${String(baseline.schemaVersion)} is not 1`);
    } catch (error) {
      // A first run has no nightly artifact yet: compare with nothing rather than fail the gate.
      notes.push(`baseline ${config.baselineResults} not used: ${(error as Error).message}`);
      baseline = null;
    }
  }
  const base = config.baseCompose.length ? await prepareBase(config) : null;
  return { scenarios, skipped, catalog, baseline, notes, model, roles, target, base };
}

function selectScenarioNames(catalog: ScenarioCatalog, config: RunConfig): string[] {
  const known = [...catalog.scenarios.keys()].sort();
  if (config.scenarios.length > 0) {
    const unknown = config.scenarios.filter(
      (name) => !catalog.scenarios.has(splitExpandedName(name).template),
    );
    if (unknown.length) {
      throw ConfigError.single(
        'scenarios',
        null,
        '',
        `unknown scenario "${unknown[0]}"${didYouMean(unknown[0], known)} (scenarios: ${known.join(', ')})`,
      );
    }
    return [...new Set(config.scenarios)];
  }
  const suite = catalog.suites[config.suite];
  if (!suite) {
    const suites = Object.keys(catalog.suites).sort();
    throw ConfigError.single(
      'suite',
      null,
      '',
      `unknown suite "${config.suite}"${didYouMean(config.suite, suites)} (suites: ${suites.join(', ')})`,
    );
  }
  return suite;
}

/**
 * A built-in's alert and PromQL checks need a metrics (Prometheus) service. On a stack that has
 * none they are left out with a note, as an unset parameter would leave them out; in a user's
 * own scenario they stay (and are inconclusive), because the user asked for them.
 */
function leaveOutMetricChecks(scenario: Scenario): void {
  if (!scenario.builtin) return;
  scenario.thresholds = scenario.thresholds.filter((t) => {
    const needs = thresholdNeeds([t]);
    if (!needs.alerts && needs.promqlQueries.length === 0) return true;
    scenario.omitted.push(`${t.source} left out: the stack has no metrics (Prometheus) service`);
    return false;
  });
}

interface MissingService {
  /** The role the scenario needs, or null when it named a service that does not exist. */
  role: string | null;
  issue: ConfigIssue;
}

/** Every service or role the scenario names that the stack does not have, with where it is named. */
function missingServices(scenario: Scenario, roles: RoleResolver, model: ComposeModel): MissingService[] {
  const out: MissingService[] = [];
  const seen = new Set<string>();
  const services = serviceNames(model);
  const check = (name: string, line: number | null, field: string, asRole: boolean): void => {
    if (roles.optional(name) !== null || seen.has(`${field}:${name}`)) return;
    seen.add(`${field}:${name}`);
    const role = asRole || isRole(name) ? name : null;
    const message =
      role !== null
        ? `no service plays the role "${name}" in ${composeLabel(model)}: map one with service-map (${name}=SERVICE) or label a service ${ROLE_LABEL}=${name} (services: ${services.join(', ')})`
        : `no service named "${name}" in ${composeLabel(model)} (services: ${services.join(', ')})`;
    out.push({ role, issue: { file: scenario.file, line, field, message } });
  };
  if (scenario.faults.length <= 1) {
    if (scenario.target.role) check(scenario.target.role, scenario.lines.target, 'target', true);
    if (scenario.target.service) check(scenario.target.service, scenario.lines.target, 'target', false);
    if (scenario.fault && 'from' in scenario.fault && scenario.fault.from)
      check(scenario.fault.from, scenario.lines.from, 'fault.from', false);
  } else {
    // A `faults:` list: every entry's target and `from:`, each at its own line.
    scenario.faults.forEach((fault, i) => {
      if (fault.target.role) check(fault.target.role, fault.lines.target, `faults[${i}].target`, true);
      if (fault.target.service) check(fault.target.service, fault.lines.target, `faults[${i}].target`, false);
      if ('from' in fault.spec && fault.spec.from)
        check(fault.spec.from, fault.lines.from, `faults[${i}].from`, false);
    });
  }
  for (const role of scenario.requires.roles) check(role, null, 'requires.roles', true);
  for (const service of scenario.requires.services) check(service, null, 'requires.services', false);
  for (const t of scenario.thresholds) {
    const needs = thresholdNeeds([t]);
    for (const name of [...needs.logServices, ...needs.containerServices, ...needs.connectionServices])
      check(name, t.line, 'thresholds', false);
  }
  return out;
}

/**
 * Runs the prepared scenarios on a fresh copy of the stack. Never leaves a fault in place or
 * a container of the run behind, whatever fails (the caller's post step is a second net).
 */
export async function runChaos(
  config: RunConfig,
  prepared: PreparedRun,
  hooks: EngineHooks,
  context: EngineContext,
): Promise<RunResult> {
  const startedAt = new Date();
  const started = monotonicMs();
  const project =
    config.project ??
    uniqueProjectName(`chaos-${path.basename(path.dirname(path.resolve(config.composeFiles[0])))}`);
  const stack = new ComposeStack({
    files: config.composeFiles,
    project,
    passEnv: config.composeEnv,
    log: hooks.log,
  });
  hooks.onProject?.(project, stack);
  const baseStack = prepared.base ? new BaseStack(config, prepared.base, project, hooks.log) : null;
  if (baseStack) hooks.onBaseProject?.(baseStack.project, baseStack.stack);
  let base: { stack: BaseStack; env: ScenarioEnvironment } | null = null;
  const results: ScenarioResult[] = [];
  const faults = await createFaultContext({ project, journalPath: config.journalPath, log: hooks.log });
  for (const note of prepared.notes) hooks.log(`note: ${note}`);
  hooks.log(`target: ${prepared.target.explained.join('; ')}`);
  try {
    await assertDockerReachable();
    // A paired base comes up before the PR's stack, as a compose project of its own (paired.ts).
    // One after the other: both may build images under the same `image:` tag, and a container
    // keeps the image it was created from, not the tag; built at once, both could run the later build.
    await baseStack?.up();
    await stack.up();
    if (baseStack) base = { stack: baseStack, env: await baseStack.environment({ signal: hooks.signal }) };
    const { roles, target } = prepared;
    const apiService = roles.service('api');
    const metricsService = roles.optional('metrics');
    // Where the load and the probes reach the stack, read again before every scenario: a
    // scenario that stopped and started a container (game-day stops Prometheus) can leave it at
    // another address, and the next scenario must not probe the old one.
    const endpoints = async (): Promise<Pick<ScenarioEnvironment, 'targetUrl' | 'prometheusUrl'>> => ({
      targetUrl: config.targetUrl ?? (await serviceUrl(project, apiService, target.port)),
      prometheusUrl: metricsService ? await serviceUrl(project, metricsService).catch(() => null) : null,
    });
    let current = await endpoints();
    hooks.log(
      `stack: load goes to ${current.targetUrl}${current.prometheusUrl ? `, Prometheus at ${current.prometheusUrl}` : ', no Prometheus'}`,
    );
    // Ready means serving: the entry answers its health check, whatever the containers say.
    const serving = (): ServingCheck => ({
      targetUrl: current.targetUrl,
      path: target.params.health_path,
      status: target.params.health_status ?? 200,
    });
    hooks.log(
      `stack: waiting up to ${formatDuration(config.readyTimeoutMs)} for ${apiService} to serve: ${describeServingCheck(serving())}`,
    );
    const firstReady = await waitUntilServing(serving(), config.readyTimeoutMs, { signal: hooks.signal });
    hooks.log(
      firstReady.ok
        ? `stack: serving after ${formatDuration(firstReady.waitedMs)} (${firstReady.last})`
        : `stack: ${notServingReason(serving(), firstReady)}`,
    );
    // The request, when none was given: what the serving entry answers decides it (resolveRequest).
    let plan: Pick<PreparedRun, 'scenarios' | 'skipped'> = prepared;
    if (firstReady.ok && config.target.request === null && config.target.requests === null) {
      const chosen = await resolveRequest(current.targetUrl, target.params.health_path);
      hooks.log(`request: GET ${chosen.path} (${chosen.why})`);
      if (chosen.path !== target.params.request.path) {
        plan = await prepareRun({
          ...config,
          project: null,
          baseCompose: [],
          target: { ...config.target, request: { method: 'GET', path: chosen.path } },
        });
      }
    }
    for (const { scenario, reason } of plan.skipped) {
      const result: ScenarioResult = { ...emptyScenarioResult(scenario), outcome: 'skipped', reason };
      results.push(result);
      hooks.onScenarioDone?.(result);
    }
    let notServing: ReadyResult | null = firstReady.ok ? null : firstReady;
    let notServingAfter: string | null = null;
    let previous = '';
    for (const [index, scenario] of plan.scenarios.entries()) {
      if (hooks.signal?.aborted) break;
      if (index > 0) {
        const now = await endpoints().catch((error: Error) => {
          hooks.log(`stack: ${error.message}; probing the addresses read before`);
          return current;
        });
        if (now.targetUrl !== current.targetUrl) hooks.log(`stack: the load now goes to ${now.targetUrl}`);
        if (now.prometheusUrl !== current.prometheusUrl)
          hooks.log(`stack: Prometheus is now at ${now.prometheusUrl ?? 'no address'}`);
        current = now;
        if (base) base.env = { ...base.env, ...(await base.stack.endpoints().catch(() => ({}))) };
      }
      // A stack that never served, or stopped serving for good after a scenario, is not waited
      // for again; one that serves must serve again (the previous scenario may have left it
      // recovering) before the next one starts.
      const ready =
        index === 0 || notServing !== null
          ? (notServing ?? firstReady)
          : await waitUntilServing(serving(), config.readyTimeoutMs, { signal: hooks.signal });
      if (index > 0 && notServing === null && ready.waitedMs >= 1000)
        hooks.log(
          ready.ok
            ? `stack: serving again after ${formatDuration(ready.waitedMs)}`
            : `stack: ${notServingReason(serving(), ready)} after ${previous}`,
        );
      if (!ready.ok) {
        if (notServing === null && index > 0) notServingAfter = previous;
        notServing = ready;
        const result: ScenarioResult = {
          ...emptyScenarioResult(scenario),
          outcome: 'inconclusive',
          reason: notServingAfter
            ? `${notServingReason(serving(), ready).replace('the stack never served', `the stack did not serve again after ${notServingAfter}`)}`
            : notServingReason(serving(), ready),
        };
        results.push(result);
        hooks.onScenarioDone?.(result);
        continue;
      }
      const result = await runSide(scenario, base, {
        project,
        roles,
        ...current,
        faults,
        baseline: prepared.baseline,
        log: hooks.log,
        onPhase: hooks.onPhase,
        signal: hooks.signal,
      });
      results.push(result);
      hooks.onScenarioDone?.(result);
      previous = scenario.name;
      // The next scenario starts from a healthy stack, or its steady-state check says why not.
      await stack.waitHealthy(120_000).catch((error: Error) => hooks.log(`stack: ${error.message}`));
      await baseStack
        ?.waitHealthy(120_000)
        .catch((error: Error) => hooks.log(`base: stack: ${error.message}`));
    }
  } finally {
    await revertAll(config.journalPath, hooks.log, {
      runId: faults.journal.runId,
      projects: baseStack ? [project, baseStack.project] : [project],
    }).catch((error: Error) => hooks.log(`cleanup: ${error.message}`));
    await stack.down().catch((error: Error) => hooks.log(`stack: down failed: ${error.message}`));
    await baseStack?.down().catch((error: Error) => hooks.log(`base: stack: down failed: ${error.message}`));
  }
  const finishedAt = new Date();
  return {
    schemaVersion: 1,
    tool: { name: 'chaos-action', version: TOOL_VERSION },
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: monotonicMs() - started,
    suite: context.suiteLabel ?? (config.scenarios.length ? 'custom' : config.suite),
    composeFiles: config.composeFiles,
    project,
    commit: context.commit,
    runUrl: context.runUrl,
    outcome: results.length ? combineOutcomes(results.map((r) => r.outcome)) : 'error',
    skipped: results.filter((r) => r.outcome === 'skipped').length,
    violations: results.reduce((n, r) => n + r.thresholds.filter(isViolation).length, 0),
    warnings: results.reduce((n, r) => n + r.thresholds.filter(isViolatedWarning).length, 0),
    scenarios: results,
  };
}

async function runOne(scenario: Scenario, env: Parameters<typeof runScenario>[1]): Promise<ScenarioResult> {
  try {
    return await runScenario(scenario, env);
  } catch (error) {
    return {
      ...emptyScenarioResult(scenario),
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

/** The scenario alone, or on both stacks at the same time when there is a paired base: the PR side's result. */
async function runSide(
  scenario: Scenario,
  base: { stack: BaseStack; env: ScenarioEnvironment } | null,
  env: ScenarioEnvironment,
): Promise<ScenarioResult> {
  if (!base) return runOne(scenario, env);
  return (await runPaired(scenario, env, base.env, base.stack.describe())).pr;
}
/**
 * The request to load with when the run was given none: the entry's `/` when it answers 2xx
 * with a body, else the first parameter-free GET of its OpenAPI document that does and is no
 * health endpoint (stack/entry-probe.ts), else the health check when it has a path of its own
 * (it exercises little: the log says so), else `/` as it is.
 */
export async function resolveRequest(
  targetUrl: string,
  healthPath: string,
): Promise<{ path: string; why: string }> {
  const probe = await probeEntry(targetUrl);
  if (probe.request) return probe.request;
  if (healthPath !== '/')
    return {
      path: healthPath,
      why: `nothing answered 2xx with a body (/ answered ${probe.root}${probe.openapi ? `; ${probe.openapi.path} offered nothing that did` : ''}), so the health check, which exercises little: set request to load a real endpoint`,
    };
  return {
    path: '/',
    why: `nothing answered 2xx with a body (/ answered ${probe.root}): set request to load a real endpoint`,
  };
}
