// The run configuration: what the Action's inputs and the CLI's flags (or a YAML config file)
// say about one run. Keys are kebab-case, as the action inputs; values may be strings (action
// inputs always are) or typed YAML values. parseRunConfig → RunConfig (camelCase), or ConfigError.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ENV_NAME } from '../util/child-env';
import { runJournalPath } from '../faults/journal';
import { ConfigError, readConfigText } from './errors';
import { ROLES, type Role } from './roles';
import type { ParamValue } from './scenario-schema';
import { didYouMean } from './suggest';
import { composeServiceNames, targetHostProblem } from './target-host';
import { keyLineOf, parseYaml, zodIssues } from './yaml-source';
import { FieldError, parsed, strictMap } from './zod-fields';
import { parseDurationValue } from './units';

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
  /** Fail the check (exit 3) when a scenario errored; false: report only (results/gate.ts). */
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
  expectStatus: null,
  healthPath: null,
};

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** "POST /v1/predict" (or just "/v1/predict", a GET). */
export function parseRequestLine(v: unknown): { method: string; path: string } {
  const text = String(v).trim();
  const match = /^(?:([A-Za-z]+)\s+)?(\/\S*)$/.exec(text);
  if (!match)
    throw new Error(`"${text}" is not a request (write it like "POST /v1/predict" or "GET /item/1")`);
  const method = (match[1] ?? 'GET').toUpperCase();
  if (!METHODS.includes(method))
    throw new Error(
      `"${match[1]}" is not an HTTP method${didYouMean(method, METHODS)} (${METHODS.join(', ')})`,
    );
  return { method, path: match[2] };
}

function parseJsonValue(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`);
  }
}

function parseStatusList(v: unknown): number[] {
  const items = Array.isArray(v)
    ? v
    : String(v)
        .split(/[,\s]+/)
        .filter(Boolean);
  return items.map((item) => {
    const n = Number(item);
    if (!Number.isInteger(n) || n < 100 || n > 599)
      throw new Error(`"${String(item)}" is not an HTTP status`);
    return n;
  });
}

function parsePath(v: unknown): string {
  const s = String(v).trim();
  if (!s.startsWith('/')) throw new Error(`"${s}" is not a path (it must start with /)`);
  return s;
}

/** An unset action input is '', an unused repeatable flag an empty list: neither is a value. */
function isGiven(v: unknown): boolean {
  return v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

function parseBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (TRUE.includes(s)) return true;
  if (FALSE.includes(s)) return false;
  throw new Error(`"${String(v)}" is not true or false`);
}

/** A list from an array, or from a string split on commas and newlines (action inputs). */
function parseList(v: unknown): string[] {
  const items = Array.isArray(v) ? v.map((x) => String(x)) : typeof v === 'string' ? v.split(/[,\n]/) : null;
  if (items === null) throw new Error(`expected a list or a comma-separated string, got ${typeof v}`);
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** `name=value` pairs from "a=1, b=2" / newline-separated / a JSON object / a map. */
function parsePairs(v: unknown, what: string): Record<string, string> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
  }
  if (typeof v !== 'string') throw new Error(`expected ${what} like "api=web,cache=redis" or a map`);
  const text = v.trim();
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`invalid JSON: ${(error as Error).message}`);
    }
    return parsePairs(json, what);
  }
  const out: Record<string, string> = {};
  for (const part of text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`"${part}" is not name=value (write it like "api=web,cache=redis")`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function parseServiceMap(v: unknown): Partial<Record<Role, string>> {
  const pairs = parsePairs(v, 'a service map');
  const out: Partial<Record<Role, string>> = {};
  for (const [role, service] of Object.entries(pairs)) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new FieldError(`unknown role "${role}"${didYouMean(role, ROLES)} (roles: ${ROLES.join(', ')})`, [
        role,
      ]);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(service)) {
      throw new FieldError(`"${service}" is not a compose service name`, [role], false);
    }
    out[role as Role] = service;
  }
  return out;
}

function parseParams(v: unknown): Record<string, ParamValue> {
  const pairs = parsePairs(v, 'params');
  for (const key of Object.keys(pairs)) {
    if (!/^([a-z0-9][a-z0-9-]*\.)?[A-Za-z_][\w-]*$/.test(key))
      throw new Error(`"${key}" is not a parameter name`);
  }
  return pairs;
}

/** A paired run's base file must be there before anything starts: a missing base checkout is named, not found later by compose. */
function existingComposeFile(file: string): string {
  if (!existsSync(file)) throw new Error(`${file} does not exist (is the base revision checked out there?)`);
  return file;
}

/** compose-env: variable names, each passed to compose on purpose. */
function parseEnvNames(v: unknown): string[] {
  return parseList(v).map((name) => {
    if (!ENV_NAME.test(name)) throw new Error(`"${name}" is not an environment variable name`);
    return name;
  });
}

const optionalString = parsed((v) => {
  const s = String(v).trim();
  return s === '' ? null : s;
}).optional();

export const runConfigSchema = strictMap({
  'compose-files': parsed(parseList).refine((l) => l.length > 0, {
    error: 'needs at least one compose file',
  }),
  'base-compose': parsed((v) => parseList(v).map(existingComposeFile)).optional(),
  project: optionalString,
  'compose-env': parsed(parseEnvNames).optional(),
  suite: parsed((v) => String(v).trim() || 'default').optional(),
  scenarios: parsed(parseList).optional(),
  'scenarios-dirs': parsed(parseList).optional(),
  'builtin-scenarios': parsed(parseBool).optional(),
  'service-map': parsed(parseServiceMap).optional(),
  'target-url': parsed((v) => {
    const s = String(v).trim();
    if (s === '') return null;
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new Error(`"${s}" is not a URL (write it like http://localhost:8000)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`"${s}" is not an http(s) URL`);
    return s.replace(/\/+$/, '');
  }).optional(),
  'results-dir': optionalString,
  'journal-path': optionalString,
  'fail-on-violation': parsed(parseBool).optional(),
  'fail-on-inconclusive': parsed(parseBool).optional(),
  'fail-on-error': parsed(parseBool).optional(),
  'paired-inconclusive': parsed((v) => {
    const s = String(v).trim();
    if (s === 'warn' || s === 'fail') return s;
    throw new Error(`"${s}" is not warn or fail${didYouMean(s, ['warn', 'fail'])}`);
  }).optional(),
  scale: parsed((v) => {
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (!Number.isFinite(n) || n <= 0 || n > 100)
      throw new Error(`"${String(v)}" is not a scale factor (a number > 0, e.g. 0.5)`);
    return n;
  }).optional(),
  profile: parsed((v) => {
    const s = String(v).trim();
    if (s === 'ci' || s === 'production') return s;
    throw new Error(`"${s}" is not a profile (ci or production)${didYouMean(s, ['ci', 'production'])}`);
  }).optional(),
  params: parsed(parseParams).optional(),
  'baseline-results': optionalString,
  request: parsed(parseRequestLine).optional(),
  'request-json': parsed(parseJsonValue).optional(),
  'request-body-file': parsed((v) => {
    const file = String(v).trim();
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }).optional(),
  'request-headers': parsed((v) => parsePairs(v, 'headers')).optional(),
  'expect-status': parsed(parseStatusList).optional(),
  'health-path': parsed(parsePath).optional(),
  'ready-timeout': parsed((v) => {
    const ms = parseDurationValue(v, 's');
    if (ms <= 0 || ms > 3_600_000)
      throw new Error(`"${String(v)}" is not a wait between 1s and 1h (e.g. 120s)`);
    return ms;
  }).optional(),
});

export type RunConfigInput = z.input<typeof runConfigSchema>;

function toRunConfig(c: z.output<typeof runConfigSchema>): RunConfig {
  return {
    composeFiles: c['compose-files'],
    baseCompose: c['base-compose'] ?? [],
    project: c.project ?? null,
    composeEnv: c['compose-env'] ?? [],
    suite: c.suite ?? 'default',
    scenarios: c.scenarios ?? [],
    scenariosDirs: c['scenarios-dirs'] ?? [],
    builtinScenarios: c['builtin-scenarios'] ?? true,
    serviceMap: c['service-map'] ?? {},
    targetUrl: c['target-url'] ?? null,
    resultsDir: c['results-dir'] ?? '.chaos-action/results',
    // Each run its own file (faults/journal/location.ts), found by `chaos-action cleanup`.
    journalPath: c['journal-path'] ?? runJournalPath(),
    failOnViolation: c['fail-on-violation'] ?? true,
    failOnInconclusive: c['fail-on-inconclusive'] ?? true,
    failOnError: c['fail-on-error'] ?? true,
    pairedInconclusive: c['paired-inconclusive'] ?? 'warn',
    scale: c.scale ?? 1,
    profile: c.profile ?? 'ci',
    params: c.params ?? {},
    baselineResults: c['baseline-results'] ?? null,
    target: {
      request: c.request ?? null,
      requestJson: c['request-json'],
      requestBody: c['request-body-file'] ?? null,
      requestHeaders: c['request-headers'] ?? {},
      expectStatus: c['expect-status'] ?? null,
      healthPath: c['health-path'] ?? null,
    },
    readyTimeoutMs: c['ready-timeout'] ?? DEFAULT_READY_TIMEOUT_MS,
  };
}

/**
 * Validates run settings given as a map of kebab-case keys (action inputs, CLI flags).
 * Empty strings count as "not given" (an unset action input is ''). `label` prefixes messages
 * (e.g. "input"), giving `input service-map: unknown role "cach" (did you mean "cache"?) ...`.
 */
export function parseRunConfig(input: Record<string, unknown>, label: string | null = null): RunConfig {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => isGiven(v)));
  const result = runConfigSchema.safeParse(given);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        file: null,
        line: null,
        field: `${label ? `${label} ` : ''}${issue.path.map(String).join('.')}`,
        message: issue.message,
      })),
    );
  }
  return toRunConfig(result.data);
}

/** Keys whose values are paths: in a config file they are relative to the file's directory. */
const PATH_KEYS = [
  'compose-files',
  'base-compose',
  'scenarios-dirs',
  'results-dir',
  'journal-path',
  'baseline-results',
  'request-body-file',
];

/**
 * Settings a run config file may not hold: they are the workflow's author's to give (an input,
 * a flag), never the repository's. compose-env hands withheld variables (tokens, ACTIONS_*,
 * the runner's command files) to the stack: in a file it would undo the environment filter.
 */
const NOT_IN_FILES: Record<string, string> = {
  'compose-env':
    "is an input (compose-env) or a flag (--compose-env) only, never a key of the run config file: a file in the repository may not hand the withheld variables (tokens, ACTIONS_*, the runner's command files) to the stack",
};

/** The config file the Action and `run` read when none is named and it exists. */
export const DEFAULT_CONFIG_FILE = 'chaos-action.yml';

export interface RunConfigFileOptions {
  /**
   * The working directory: the file and every path in it must resolve (symlinks followed)
   * inside it. Default: the process's working directory.
   */
  workdir?: string;
}

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

/**
 * Reads a YAML run-config file (the same keys as the inputs). Paths in it are relative to the
 * file's directory. `overrides` (inputs, flags; relative to the working directory) win over
 * the file. Errors carry file:line for the file's keys and "flag"/"input" for overrides.
 *
 * The file is the repository's, so what it may do is less than an input may: it holds no
 * compose-env; the file and every path in it resolve inside the working directory (no
 * /proc/self/environ as a request body, no ../../.ssh); a target-url in it points at loopback
 * or a service of the stack.
 */
export function loadRunConfigFile(
  file: string,
  overrides: Record<string, unknown> = {},
  overrideLabel: string | null = null,
  options: RunConfigFileOptions = {},
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
    throw ConfigError.single(file, 1, '', 'a run config file is a YAML map (compose-files:, request:, ...)');
  }
  const fromFile = { ...(src.data as Record<string, unknown>) };
  const refused = Object.keys(NOT_IN_FILES)
    .filter((key) => key in fromFile)
    .map((key) => ({ file, line: keyLineOf(src, [key]), field: key, message: NOT_IN_FILES[key] }));
  if (refused.length) throw new ConfigError(refused);
  const dir = path.dirname(path.resolve(file));
  const relative = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(relative)
      : typeof v === 'string' && v.trim() !== ''
        ? v
            .split(/[,\n]/)
            .map((part) => part.trim())
            .filter(Boolean)
            .map((part) => path.resolve(dir, part))
            .join(',')
        : v;
  for (const key of PATH_KEYS) if (key in fromFile) fromFile[key] = relative(fromFile[key]);
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => isGiven(v)));
  // The file's own paths (not the ones an override replaced): inside the working directory.
  const escapes = PATH_KEYS.filter((key) => key in fromFile && !(key in given)).flatMap((key) => {
    const value = fromFile[key];
    const parts = (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [])
      .flatMap((v) => v.split(','))
      .filter(Boolean);
    return parts.flatMap((part) => {
      const real = outside(part, workdir);
      return real === null
        ? []
        : [
            {
              file,
              line: keyLineOf(src, [key]),
              field: key,
              message: `${part} resolves to ${real}, outside the working directory ${workdir}: a run config file's paths stay inside it`,
            },
          ];
    });
  });
  if (escapes.length) throw new ConfigError(escapes);
  const merged = { ...fromFile, ...given };
  if (!('compose-files' in merged)) {
    throw ConfigError.single(
      file,
      1,
      'compose-files',
      'is required (here, or with --compose / the compose-file input)',
    );
  }
  const result = runConfigSchema.safeParse(merged);
  if (!result.success) {
    // A key from the file is reported at its line; an override under its flag or input name.
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        if (key in given || !(key in fromFile))
          return {
            file: null,
            line: null,
            field: `${overrideLabel ? `${overrideLabel} ` : ''}${issue.path.map(String).join('.')}`,
            message: issue.message,
          };
        return zodIssues(src, [issue], merged)[0];
      }),
    );
  }
  const config = toRunConfig(result.data);
  if (config.targetUrl && 'target-url' in fromFile && !('target-url' in given)) {
    const problem = targetHostProblem(config.targetUrl, composeServiceNames(config.composeFiles));
    if (problem) throw ConfigError.single(file, keyLineOf(src, ['target-url']), 'target-url', problem);
  }
  return config;
}
