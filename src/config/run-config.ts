// The run configuration: what the Action's inputs, the CLI's flags and the run config file
// (chaos-action.yml) say about one run. Its keys are the settings of settings.ts, by their one
// name; values may be strings (action inputs always are) or typed YAML values.
// parseRunConfig / loadRunConfigFile → RunConfig (camelCase), or a ConfigError with every problem.
import path from 'node:path';
import { realpathSync } from 'node:fs';
import type { z } from 'zod';
import { runJournalPath } from '../faults/journal';
import { discoverComposeFiles, noComposeFileIn } from '../stack/compose-files';
import { ConfigError, formatPath, readConfigText, type ConfigIssue } from './errors';
import { csvFilesOf, csvPathsFrom, type MixEntryInput } from './request-mix';
import type { Role } from './roles';
import type { ParamValue } from './scenario-schema';
import { deprecatedKeys, runSettings, type Setting } from './settings';
import { composeServiceNames, targetHostProblem } from './target-host';
import { keyLineOf, parseYaml, zodIssues } from './yaml-source';
import { parsed, strictMap } from './zod-fields';

export { parseRequestLine, parseServiceMap } from './setting-values';

export interface RunConfig {
  /** One or more compose files, in order (`-f a.yml -f b.yml`). */
  composeFiles: string[];
  /** The base revision's compose files, run as a project of their own next to the PR's (a paired run); []: no paired base. */
  baseCompose: string[];
  /** The compose project name; null: the engine picks a unique one for the run. */
  project: string | null;
  /** Withheld variables (tokens, INPUT_*, ACTIONS_*) that compose may see anyway, by name (src/util/child-env.ts). */
  composeEnv: string[];
  /** The suite to run when `scenarios` is empty: default | weekly | full | all | a user suite. */
  suite: string;
  /** Scenario names to run instead of the suite. */
  scenarios: string[];
  /** The user's scenario directories (added to the built-ins). */
  scenariosDirs: string[];
  /** Load the built-in scenarios (false: only the user's). */
  builtinScenarios: boolean;
  /** Role → the user's compose service; roles not given are found by the dev.chaos-action.role label, then by name (src/stack/roles.ts). */
  serviceMap: Partial<Record<Role, string>>;
  /** The load's base URL; null: the api role's published port. */
  targetUrl: string | null;
  resultsDir: string;
  journalPath: string;
  /** Fail the check (exit 1) when a threshold is violated; false: report only. */
  failOnViolation: boolean;
  /** Fail the check (exit 3) when a scenario is inconclusive; false: report only. */
  failOnInconclusive: boolean;
  /** Fail the check (exit 4) when a scenario errored; false: report only (results/gate.ts). */
  failOnError: boolean;
  /**
   * paired-inconclusive: a paired regression check that is inconclusive only because this run's
   * noise floor is above its limit is a warning with the recommended length (warn) or makes the
   * scenario inconclusive (fail).
   */
  pairedInconclusive: 'warn' | 'fail';
  /** Multiplies phase and stage durations (0.5 halves a run); recovery's max wait is kept. */
  scale: number;
  /** ci: each scenario's params: defaults; production: its production: values. */
  profile: 'ci' | 'production';
  /** Parameter overrides (`name=value`, or `scenario.name=value` for one scenario). */
  params: Record<string, ParamValue>;
  /** A previous results.json to compare against (`p95 regression < 20%`); null: none. */
  baselineResults: string | null;
  /** A Prometheus Pushgateway the run's metrics are pushed to; null: written to metrics.prom only. */
  pushgatewayUrl: string | null;
  /** The load's request and the health check, as given; what is not given is inferred from the compose file. */
  target: TargetSettings;
  /** How long to wait, before each scenario, for the entry to answer the health check (ready-timeout). */
  readyTimeoutMs: number;
}

/** The run-level target every built-in scenario uses (`${request}`, `${health_path}`). */
export interface TargetSettings {
  /** `request: POST /v1/predict`; null: inferred (the health check's path, else GET /). */
  request: { method: string; path: string } | null;
  /** A JSON body (`request-json`); undefined: none. */
  requestJson: unknown;
  /** A raw body, read from `request-body-file`; null: none. */
  requestBody: string | null;
  requestHeaders: Record<string, string>;
  /** `requests:`, a mix (as a scenario's load.requests takes it, CSV columns read); null: the single request. */
  requests: MixEntryInput[] | null;
  /** Accepted statuses (`expect-status: 200, 201`); null: 200. */
  expectStatus: number[] | null;
  /** `health-path: /healthz`; null: inferred from the api's compose healthcheck. */
  healthPath: string | null;
}

/** How long the entry may take to answer before a scenario (ready-timeout): images built, databases initialised. */
export const DEFAULT_READY_TIMEOUT_MS = 120_000;

/** Nothing given: everything is inferred. */
export const NO_TARGET_SETTINGS: TargetSettings = {
  request: null,
  requestJson: undefined,
  requestBody: null,
  requestHeaders: {},
  requests: null,
  expectStatus: null,
  healthPath: null,
};

/** Where results go when no setting says: chaos-results in the working directory (Action and CLI alike). */
export const DEFAULT_RESULTS_DIR = 'chaos-results';

/** The config file the Action and `run` read when none is named and it exists. */
export const DEFAULT_CONFIG_FILE = 'chaos-action.yml';

/** An unset action input is '', an unused repeatable flag an empty list: neither is a value. */
function isGiven(v: unknown): boolean {
  return v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
}

/** The run config's schema: every run setting by its one name, read by its own parser. */
export const runConfigSchema = strictMap(
  Object.fromEntries(
    runSettings().map((s) => [s.name, parsed((v) => (s.parse ? s.parse(v) : v)).optional()]),
  ),
);

type Parsed = Record<string, unknown>;

function toRunConfig(c: Parsed): RunConfig {
  const get = <T>(name: string): T | undefined => c[name] as T | undefined;
  return {
    composeFiles: get<string[]>('compose-file') ?? [],
    baseCompose: get<string[]>('base-compose-file') ?? [],
    project: get<string | null>('project') ?? null,
    composeEnv: get<string[]>('compose-env') ?? [],
    suite: get<string>('suite') ?? 'default',
    scenarios: get<string[]>('scenarios') ?? [],
    scenariosDirs: get<string[]>('scenarios-dir') ?? [],
    builtinScenarios: get<boolean>('builtin-scenarios') ?? true,
    serviceMap: get<Partial<Record<Role, string>>>('service-map') ?? {},
    targetUrl: get<string | null>('target-url') ?? null,
    resultsDir: get<string | null>('results-dir') ?? DEFAULT_RESULTS_DIR,
    // Each run its own file (faults/journal/location.ts), found by `chaos-action cleanup`.
    journalPath: get<string | null>('journal-path') ?? runJournalPath(),
    failOnViolation: get<boolean>('fail-on-violation') ?? true,
    failOnInconclusive: get<boolean>('fail-on-inconclusive') ?? true,
    failOnError: get<boolean>('fail-on-error') ?? true,
    pairedInconclusive: get<'warn' | 'fail'>('paired-inconclusive') ?? 'warn',
    scale: get<number>('scale') ?? 1,
    profile: get<'ci' | 'production'>('profile') ?? 'ci',
    params: get<Record<string, ParamValue>>('params') ?? {},
    baselineResults: get<string | null>('baseline-results') ?? null,
    pushgatewayUrl: get<string | null>('pushgateway-url') ?? null,
    target: {
      request: get<{ method: string; path: string }>('request') ?? null,
      requestJson: c['request-json'],
      requestBody: get<string>('request-body-file') ?? null,
      requestHeaders: get<Record<string, string>>('request-headers') ?? {},
      requests: get<MixEntryInput[]>('requests') ?? null,
      expectStatus: get<number[]>('expect-status') ?? null,
      healthPath: get<string>('health-path') ?? null,
    },
    readyTimeoutMs: get<number>('ready-timeout') ?? DEFAULT_READY_TIMEOUT_MS,
  };
}

export interface RunConfigOptions {
  /**
   * The working directory: compose files are looked for here when none is named, and a config
   * file and every path in it must resolve (symlinks followed) inside it. Default: the process's.
   */
  workdir?: string;
  /** Receives a notice for each old name used (`compose-files` is now `compose-file`). */
  notices?: ConfigIssue[];
  /** The caller reads no compose file (render k8s): none named and none found is no error. */
  withoutCompose?: boolean;
}

/** An old key's notice: the new name, said once. */
function deprecation(file: string | null, line: number | null, old: string, now: Setting): ConfigIssue {
  return { file, line, field: old, message: `is deprecated: write ${now.name} (the same value)` };
}

/**
 * Old names renamed to their settings (a notice each); an old and a new name of one setting
 * together are an error, since one of them would be dropped unseen.
 */
function renameDeprecated(
  values: Record<string, unknown>,
  where: { file: string | null; lineOf: (key: string) => number | null; label: string | null },
  notices: ConfigIssue[] | undefined,
): { values: Record<string, unknown>; issues: ConfigIssue[] } {
  const old = deprecatedKeys();
  const out: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(values)) {
    const now = old.get(key);
    if (!now) {
      out[key] = value;
      continue;
    }
    const field = `${where.label ? `${where.label} ` : ''}${key}`;
    if (now.name in values) {
      issues.push({
        file: where.file,
        line: where.lineOf(key),
        field,
        message: `and ${now.name} are the same setting: give it once, as ${now.name}`,
      });
      continue;
    }
    notices?.push(deprecation(where.file, where.lineOf(key), field, now));
    out[now.name] = value;
  }
  return { values: out, issues };
}

/** The compose files docker compose finds in `dir`, or the issue that says none are there. */
function discoveredCompose(dir: string, file: string | null): string[] | ConfigIssue {
  const found = discoverComposeFiles(dir);
  if (found.length) return found;
  return {
    file,
    line: file === null ? null : 1,
    field: 'compose-file',
    message: `${noComposeFileIn(dir)}; name one (the compose-file input, --compose-file${file ? ', or compose-file: here' : ''})`,
  };
}

function overrideIssues(issues: readonly z.core.$ZodIssue[], label: string | null): ConfigIssue[] {
  return issues.map((issue) => ({
    file: null,
    line: null,
    field: `${label ? `${label} ` : ''}${formatPath(issue.path)}`,
    message: issue.message,
  }));
}

/**
 * Validates run settings given as a map of setting names (action inputs, CLI flags). Empty
 * strings count as "not given" (an unset action input is ''). `label` prefixes messages (e.g.
 * "input"): `input service-map: unknown role "cach" (did you mean "cache"?) ...`. Without a
 * compose-file, the files docker compose finds in the working directory.
 */
export function parseRunConfig(
  input: Record<string, unknown>,
  label: string | null = null,
  options: RunConfigOptions = {},
): RunConfig {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => isGiven(v)));
  const renamed = renameDeprecated(given, { file: null, lineOf: () => null, label }, options.notices);
  const issues = [...renamed.issues];
  const values = renamed.values;
  if (!('compose-file' in values)) {
    const found = discoveredCompose(path.resolve(options.workdir ?? '.'), null);
    if (Array.isArray(found)) values['compose-file'] = found;
    else if (!options.withoutCompose) issues.push(found);
  }
  const result = runConfigSchema.safeParse(values);
  if (!result.success) issues.push(...overrideIssues(result.error.issues, label));
  if (issues.length || !result.success) throw new ConfigError(issues);
  return toRunConfig(result.data);
}

/** The settings whose values are paths: in a config file they are relative to the file's directory. */
const pathSettings = (): string[] =>
  runSettings()
    .filter((s) => s.paths)
    .map((s) => s.name);

/** The path with symlinks resolved, also where its last parts do not exist yet. */
function resolvedPath(p: string): string {
  const missing: string[] = [];
  let existing = path.resolve(p);
  for (;;) {
    try {
      return path.join(realpathSync(existing), ...missing.reverse());
    } catch {
      const up = path.dirname(existing);
      if (up === existing) return path.resolve(p);
      missing.push(path.basename(existing));
      existing = up;
    }
  }
}

/** Null when `p` resolves inside `root` (itself resolved); otherwise where it resolves. */
function outside(p: string, root: string): string | null {
  const real = resolvedPath(p);
  const relative = path.relative(root, real);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative)) ? null : real;
}

/** The parts of a path value: a list, or a string of comma-separated paths. */
const pathParts = (value: unknown): string[] =>
  (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [])
    .flatMap((v) => v.split(/[,\n]/))
    .map((part) => part.trim())
    .filter(Boolean);

/**
 * Reads a YAML run config file (its keys are the settings' names). Paths in it are relative to
 * the file's directory. `overrides` (inputs, flags; relative to the working directory) win over
 * the file. Every problem of the file and the overrides is reported at once: the file's keys at
 * their lines, an override under its flag or input name (`overrideLabel`).
 *
 * The file is the repository's, so what it may do is less than an input may: it holds no
 * compose-env; the file and every path in it resolve inside the working directory (no
 * /proc/self/environ as a request body, no ../../.ssh); a target-url in it points at loopback
 * or a service of the stack. Without a compose-file anywhere, the files docker compose finds in
 * the file's directory.
 */
export function loadRunConfigFile(
  file: string,
  overrides: Record<string, unknown> = {},
  overrideLabel: string | null = null,
  options: RunConfigOptions = {},
): RunConfig {
  const workdir = resolvedPath(options.workdir ?? process.cwd());
  const realFile = outside(file, workdir);
  if (realFile !== null)
    throw ConfigError.single(
      file,
      null,
      '',
      `the run config file resolves to ${realFile}, outside the working directory ${workdir}`,
    );
  const text = readConfigText(file);
  const src = parseYaml(text, file);
  if (src.data === null || typeof src.data !== 'object' || Array.isArray(src.data)) {
    throw ConfigError.single(file, 1, '', 'a run config file is a YAML map (compose-file:, request:, ...)');
  }
  const keyLine = (key: string): number | null => keyLineOf(src, [key]);
  const fromFile = renameDeprecated(
    { ...(src.data as Record<string, unknown>) },
    { file, lineOf: keyLine, label: null },
    options.notices,
  );
  const issues: ConfigIssue[] = [...fromFile.issues];
  // An old key renamed keeps its own line in messages.
  const lineKey = new Map<string, string>();
  for (const key of Object.keys(src.data as object)) {
    const now = deprecatedKeys().get(key);
    lineKey.set(now?.name ?? key, key);
  }
  const values = fromFile.values;
  for (const key of Object.keys(values)) {
    const known = runSettings().find((s) => s.name === key);
    const refused = known?.file && 'refused' in known.file ? known.file.refused : null;
    if (refused === null) continue;
    issues.push({ file, line: keyLine(key), field: key, message: refused });
    delete values[key];
  }
  const dir = path.dirname(path.resolve(file));
  const relative = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(relative)
      : typeof v === 'string' && v.trim() !== ''
        ? pathParts(v)
            .map((part) => path.resolve(dir, part))
            .join(',')
        : v;
  for (const key of pathSettings()) if (key in values) values[key] = relative(values[key]);
  // A mix's CSV files sit next to the file, and stay inside the working directory like its other paths.
  if ('requests' in values) {
    values.requests = csvPathsFrom(values.requests, dir);
    for (const csv of csvFilesOf(values.requests)) {
      const real = outside(csv, workdir);
      if (real !== null)
        issues.push({
          file,
          line: keyLine('requests'),
          field: 'requests',
          message: `${csv} resolves to ${real}, outside the working directory ${workdir}: a run config file's paths stay inside it`,
        });
    }
  }
  const renamedOverrides = renameDeprecated(
    Object.fromEntries(Object.entries(overrides).filter(([, v]) => isGiven(v))),
    { file: null, lineOf: () => null, label: overrideLabel },
    options.notices,
  );
  issues.push(...renamedOverrides.issues);
  const given = renamedOverrides.values;
  // The file's own paths (not the ones an override replaced): inside the working directory.
  for (const key of pathSettings().filter((k) => k in values && !(k in given))) {
    for (const part of pathParts(values[key])) {
      const real = outside(part, workdir);
      if (real !== null)
        issues.push({
          file,
          line: keyLine(lineKey.get(key) ?? key),
          field: lineKey.get(key) ?? key,
          message: `${part} resolves to ${real}, outside the working directory ${workdir}: a run config file's paths stay inside it`,
        });
    }
  }
  const merged: Record<string, unknown> = { ...values, ...given };
  if (!('compose-file' in merged)) {
    const found = discoveredCompose(dir, file);
    if (Array.isArray(found)) merged['compose-file'] = found;
    else if (!options.withoutCompose) issues.push(found);
  }
  const result = runConfigSchema.safeParse(merged);
  if (!result.success) {
    // A key from the file is reported at its line (its old name's, if it had one); an override under its flag or input name.
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (key in given || !(key in values)) issues.push(...overrideIssues([issue], overrideLabel));
      else {
        // Placed at the line of the key, named as the file writes it (an old name too).
        const written = lineKey.get(key) ?? key;
        const [placed] = zodIssues(src, [{ ...issue, path: [written, ...issue.path.slice(1)] }], {
          [written]: merged[key],
        });
        issues.push(placed);
      }
    }
  }
  if (result.success) {
    const url = result.data['target-url'] as string | null | undefined;
    if (url && 'target-url' in values && !('target-url' in given)) {
      const problem = targetHostProblem(url, composeServiceNames(result.data['compose-file'] as string[]));
      if (problem)
        issues.push({
          file,
          line: keyLine(lineKey.get('target-url') ?? 'target-url'),
          field: 'target-url',
          message: problem,
        });
    }
  }
  if (issues.length || !result.success)
    throw new ConfigError(issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return toRunConfig(result.data);
}
