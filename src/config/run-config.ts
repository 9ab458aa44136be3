// The run configuration: what the Action's inputs and the CLI's flags (or a YAML config file)
// say about one run. Keys are kebab-case, as the action inputs; values may be strings (action
// inputs always are) or typed YAML values. parseRunConfig → RunConfig (camelCase), or ConfigError.
import { z } from 'zod';
import { ConfigError, readConfigText } from './errors';
import { ROLES, type Role } from './roles';
import type { ParamValue } from './scenario-schema';
import { didYouMean } from './suggest';
import { parseYaml, zodIssues } from './yaml-source';
import { FieldError, parsed, strictMap } from './zod-fields';

export interface RunConfig {
  /** One or more compose files, in order (`-f a.yml -f b.yml`). */
  composeFiles: string[];
  /** The compose project name; null: the engine picks a unique one for the run. */
  project: string | null;
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
  /** Multiplies phase and stage durations (0.5 halves a run); recovery's max wait is kept. */
  scale: number;
  /** ci: each scenario's params: defaults; production: its production: values. */
  profile: 'ci' | 'production';
  /** Parameter overrides (`name=value`, or `scenario.name=value` for one scenario). */
  params: Record<string, ParamValue>;
  /** A previous results.json to compare against (`p95 regression < 20%`); null: none. */
  baselineResults: string | null;
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

const optionalString = parsed((v) => {
  const s = String(v).trim();
  return s === '' ? null : s;
}).optional();

export const runConfigSchema = strictMap({
  'compose-files': parsed(parseList).refine((l) => l.length > 0, {
    error: 'needs at least one compose file',
  }),
  project: optionalString,
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
});

export type RunConfigInput = z.input<typeof runConfigSchema>;

function toRunConfig(c: z.output<typeof runConfigSchema>): RunConfig {
  return {
    composeFiles: c['compose-files'],
    project: c.project ?? null,
    suite: c.suite ?? 'default',
    scenarios: c.scenarios ?? [],
    scenariosDirs: c['scenarios-dirs'] ?? [],
    builtinScenarios: c['builtin-scenarios'] ?? true,
    serviceMap: c['service-map'] ?? {},
    targetUrl: c['target-url'] ?? null,
    resultsDir: c['results-dir'] ?? '.chaos-action/results',
    journalPath: c['journal-path'] ?? '.chaos-action/journal.json',
    failOnViolation: c['fail-on-violation'] ?? true,
    scale: c.scale ?? 1,
    profile: c.profile ?? 'ci',
    params: c.params ?? {},
    baselineResults: c['baseline-results'] ?? null,
  };
}

/**
 * Validates run settings given as a map of kebab-case keys (action inputs, CLI flags).
 * Empty strings count as "not given" (an unset action input is ''). `label` prefixes messages
 * (e.g. "input"), giving `input service-map: unknown role "cach" (did you mean "cache"?) ...`.
 */
export function parseRunConfig(input: Record<string, unknown>, label: string | null = null): RunConfig {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== ''));
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

/** Reads a YAML run-config file (same keys); errors carry file:line. */
export function loadRunConfigFile(file: string, overrides: Record<string, unknown> = {}): RunConfig {
  const text = readConfigText(file);
  const src = parseYaml(text, file);
  if (src.data === null || typeof src.data !== 'object' || Array.isArray(src.data)) {
    throw ConfigError.single(file, 1, '', 'a run config file is a YAML map (compose-files:, suite:, ...)');
  }
  const data = { ...(src.data as Record<string, unknown>), ...overrides };
  const result = runConfigSchema.safeParse(data);
  if (!result.success) throw new ConfigError(zodIssues(src, result.error.issues, data));
  return toRunConfig(result.data);
}
