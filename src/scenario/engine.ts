// The engine both front doors (the Action and the CLI) call: load and check every scenario
// before Docker is touched, bring the stack up, run the scenarios one after another, and
// always leave the stack as it found it (journal replayed, project removed).
import { readFileSync } from 'node:fs';
import packageJson from '../../package.json';
import path from 'node:path';
import { builtinScenariosDir, loadCatalog, type ScenarioCatalog } from '../config/load-scenarios';
import type { Scenario } from '../config/scenario-schema';
import { ConfigError } from '../config/errors';
import { didYouMean } from '../config/suggest';
import type { RunConfig } from '../config/run-config';
import { createFaultContext, revertAll } from '../faults';
import { checkComposeFiles, ComposeError, ComposeStack, uniqueProjectName } from '../stack/compose';
import { assertDockerReachable } from '../stack/docker';
import { serviceUrl } from '../stack/endpoints';
import { resolveRoles, type RoleResolver } from '../stack/roles';
import { monotonicMs } from '../util/clock';
import { combineOutcomes, type PhaseName, type RunResult, type ScenarioResult } from './results';
import { emptyScenarioResult, runScenario } from './runner';

export const TOOL_VERSION: string = packageJson.version;

export interface EngineHooks {
  log: (line: string) => void;
  onPhase?: (scenario: string, phase: PhaseName | 'steady-state' | 'verdict', detail: string) => void;
  /** Called once the project name is chosen and before anything starts: the post step needs it. */
  onProject?: (project: string, stack: ComposeStack) => void;
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
  scenarios: Scenario[];
  catalog: ScenarioCatalog;
  baseline: RunResult | null;
  notes: string[];
}

/**
 * Everything that can be checked without Docker: scenario files, suites, the selection and the
 * baseline file. Throws ConfigError (exit 2) with file:line: field messages.
 */
export function prepareRun(config: RunConfig): PreparedRun {
  try {
    checkComposeFiles(config.composeFiles.map((file) => path.resolve(file)));
  } catch (error) {
    if (error instanceof ComposeError) throw ConfigError.single(null, null, '', error.message);
    throw error;
  }
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
    { profile: config.profile, params: config.params, scale: config.scale },
  );
  const names = selectScenarioNames(catalog, config);
  const notes = [...catalog.notes];
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
  return {
    scenarios: names.map((name) => catalog.scenarios.get(name) as Scenario),
    catalog,
    baseline,
    notes,
  };
}

function selectScenarioNames(catalog: ScenarioCatalog, config: RunConfig): string[] {
  const known = [...catalog.scenarios.keys()].sort();
  if (config.scenarios.length > 0) {
    const unknown = config.scenarios.filter((name) => !catalog.scenarios.has(name));
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
  const stack = new ComposeStack({ files: config.composeFiles, project, log: hooks.log });
  hooks.onProject?.(project, stack);
  const results: ScenarioResult[] = [];
  const faults = await createFaultContext({ project, journalPath: config.journalPath, log: hooks.log });
  for (const note of prepared.notes) hooks.log(`note: ${note}`);
  try {
    await assertDockerReachable();
    await stack.up();
    const roles = await resolveRoles(project, config.serviceMap as Record<string, string>);
    const targetUrl = config.targetUrl ?? (await serviceUrl(project, roles.service('api')));
    const metricsService = roles.optional('metrics');
    const prometheusUrl = metricsService ? await serviceUrl(project, metricsService).catch(() => null) : null;
    hooks.log(
      `stack: load goes to ${targetUrl}${prometheusUrl ? `, Prometheus at ${prometheusUrl}` : ', no Prometheus'}`,
    );
    for (const scenario of prepared.scenarios) {
      if (hooks.signal?.aborted) break;
      const result = await runOne(scenario, {
        project,
        roles,
        targetUrl,
        prometheusUrl,
        faults,
        baseline: prepared.baseline,
        log: hooks.log,
        onPhase: hooks.onPhase,
        signal: hooks.signal,
      });
      results.push(result);
      hooks.onScenarioDone?.(result);
      // The next scenario starts from a healthy stack, or its steady-state check says why not.
      await stack.waitHealthy(120_000).catch((error: Error) => hooks.log(`stack: ${error.message}`));
    }
  } finally {
    await revertAll(config.journalPath, hooks.log).catch((error: Error) =>
      hooks.log(`cleanup: ${error.message}`),
    );
    await stack.down().catch((error: Error) => hooks.log(`stack: down failed: ${error.message}`));
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
    violations: results.reduce((n, r) => n + r.thresholds.filter((t) => t.passed === false).length, 0),
    scenarios: results,
  };
}

async function runOne(scenario: Scenario, env: Parameters<typeof runScenario>[1]): Promise<ScenarioResult> {
  try {
    checkRequirements(scenario, env.roles);
    return await runScenario(scenario, env);
  } catch (error) {
    return {
      ...emptyScenarioResult(scenario),
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

function checkRequirements(scenario: Scenario, roles: RoleResolver): void {
  for (const role of scenario.requires.roles) roles.service(role);
  for (const service of scenario.requires.services) roles.service(service);
}

/** The exit code a run's outcome maps to (documented in README). */
export function exitCodeFor(outcome: RunResult['outcome']): number {
  return outcome === 'pass' ? 0 : outcome === 'fail' ? 1 : 3;
}
