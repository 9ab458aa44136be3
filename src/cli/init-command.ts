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
import { renderRunConfig, renderWorkflow, starterTarget } from '../config/starter-files';
import { checkComposeFiles, ComposeError } from '../stack/compose';
import { readComposeModel } from '../stack/compose-model';
import { guessRoles } from '../stack/infer-roles';
import { ROLE_LABEL } from '../stack/roles';
import { inferRunTarget } from '../stack/run-target';
import { parseList } from '../config/setting-values';
import { discoverComposeFiles, noComposeFileIn } from '../stack/compose-files';
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
  const { roles, notes } = guessRoles(model);
  const api = roles.find((r) => r.role === 'api');
  const target = inferRunTarget(
    model.services.find((s) => s.name === api?.service) ?? null,
    NO_TARGET_SETTINGS,
  );
  const { request, healthPath } = starterTarget(target.params, target.explained);

  say(
    `read ${composeFiles.map((f) => path.relative(process.cwd(), f) || f).join(' + ')}: services ${model.services.map((s) => s.name).join(', ')}`,
  );
  for (const r of roles) say(`  ${r.role.padEnd(9)} = ${r.service} (${r.why})`);
  for (const line of target.explained) say(`  ${line}`);
  for (const note of notes) say(`  note: ${note}`);
  const missing: string[] = [];
  if (!api)
    missing.push(
      'the api: no service publishes a port and has a healthcheck; set service-map: { api: SERVICE } (--service-map api=SERVICE)',
    );
  if (!request)
    missing.push('the request: set request: "METHOD /path" (--request), with request-json: for a body');
  const without: Record<'cache' | 'telemetry' | 'metrics', string> = {
    cache:
      'the cache scenarios (redis-failure, network-partition, retry-storm, latency-injection) are skipped',
    telemetry: 'otel-collector-failure is skipped',
    metrics: "the built-ins' alert and PromQL checks are left out",
  };
  for (const role of ['cache', 'telemetry', 'metrics'] as const) {
    if (!roles.some((r) => r.role === role))
      missing.push(
        `a ${role} service: ${without[role]}; map one with service-map: { ${role}: SERVICE } if the stack has it`,
      );
  }
  for (const line of missing) say(`  not inferred: ${line}`);

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

  const isLabelled = (service: string): boolean =>
    Boolean(model.services.find((s) => s.name === service)?.labels[ROLE_LABEL]);
  const text = renderRunConfig(
    {
      composeFiles: composeFiles.map((f) => path.relative(dir, f) || path.basename(f)),
      serviceMap: roles
        .filter((r) => !isLabelled(r.service))
        .map((r) => ({ role: r.role, service: r.service, why: r.why })),
      labelledRoles: roles.filter((r) => isLabelled(r.service)).map((r) => r.role),
      request,
      healthPath,
      params,
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
