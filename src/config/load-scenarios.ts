// Loading scenario files and suites: YAML with line numbers → zod → typed Scenario, thresholds
// parsed with their file and line. Built-ins come from the package's scenarios/ directory, users
// add their own directories; a user scenario with a built-in's name replaces it (with a note).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseGuardCondition, parseThreshold } from '../scenario/threshold-parser';
import {
  type AbortGuard,
  type Comparator,
  type GuardCondition,
  type Threshold,
} from '../scenario/thresholds';
import type { PhaseName, Severity } from '../results';
import { ConfigError, readConfigText, formatPath, type ConfigIssue } from './errors';
import {
  scenarioSchema,
  type ScenarioInput,
  type ParamValue,
  placeFaults,
  type ParsedFault,
  type PhaseDurations,
  type Scenario,
  type ScenarioFault,
  type ScenarioTarget,
  type SteadyStateCheck,
  type Expansion,
} from './scenario-schema';
import { readCsvValues, type MixEntryInput } from './request-mix';
import { FieldError } from './zod-fields';
import { closest, didYouMean } from './suggest';
import { formatShortDuration, MAX_DURATION_MS } from './units';
import { keyLineOf, lineOf, parseYaml, zodIssues, type YamlSource } from './yaml-source';

export interface LoadOptions {
  /** Mark the scenarios as built-in (they come from the package's scenarios/ directory). */
  builtin?: boolean;
  /** `production` uses each file's `production:` values instead of its CI `params:` defaults. */
  profile?: 'ci' | 'production';
  /** Parameter overrides: `name=value` for every scenario that has the parameter, `scenario.name` for one. */
  params?: Record<string, ParamValue>;
  /** Multiplies warm-up, baseline, fault, after and stage durations (not recovery's max wait). */
  scale?: number;
  /** The run's target settings, which every scenario may use without declaring them (see RunParams). */
  run?: RunParams;
}

/** A request as a scenario file writes it (`load.request`), the shape `${request}` takes. */
export interface RequestParam {
  method: string;
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  expect?: { status: number[] };
}

/**
 * Run parameters: settings of the run (the run config, inputs, flags, or what was inferred
 * from the compose file) that any scenario file may use as `${request}` and `${health_path}`
 * without declaring them, so one file serves every stack. A file's own `params:` of the
 * same name win.
 */
export interface RunParams {
  request: RequestParam;
  /** The run's mix (`requests:`), or the request alone as a mix of one: what built-ins send (`${requests}`). */
  requests?: (RequestParam | MixEntryInput)[];
  health_path: string;
  /** The statuses the health check accepts: 200 (when not given), a list, or '< 500' (the entry answers at all). */
  health_status?: number | number[] | string;
}

/** What `validate` and `list` use when no stack is at hand. */
export const DEFAULT_RUN_PARAMS: RunParams = {
  request: { method: 'GET', path: '/', expect: { status: [200] } },
  requests: [{ name: 'GET /', method: 'GET', path: '/', expect: { status: [200] } }],
  health_path: '/',
  health_status: 200,
};

const SUITE_FILES = ['suites.yml', 'suites.yaml'];
const PARAM_REF = /\$\{([A-Za-z_][\w-]*)\}/g;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A parameter whose value is the empty string is unset: what uses it is left out (see substituteParams). */
const isUnset = (value: unknown): boolean => value === '';

/**
 * Replaces `${name}` in every string outside params/production; a lone `${name}` keeps the value's
 * type (a run parameter may be a map). Unset parameters (value '') make what uses them optional:
 * a list item (a threshold, a steady-state check) that refers to one is left out, and so is a
 * map key whose value is exactly `${name}`. Each omission is returned with the parameter to set.
 */
function substituteParams(
  src: YamlSource,
  data: Record<string, unknown>,
  params: Record<string, unknown>,
  declared: string[],
): { issues: ConfigIssue[]; omitted: string[] } {
  const issues: ConfigIssue[] = [];
  const omitted: string[] = [];
  const names = Object.keys(params);
  const OMIT = Symbol('omit');
  const unsetIn = (value: unknown): string | null => {
    if (typeof value === 'string') {
      const ref = [...value.matchAll(PARAM_REF)]
        .map((m) => m[1])
        .find((n) => n in params && isUnset(params[n]));
      return ref ?? null;
    }
    if (Array.isArray(value)) return value.map(unsetIn).find((r) => r !== null) ?? null;
    if (isPlainObject(value))
      return (
        Object.values(value)
          .map(unsetIn)
          .find((r) => r !== null) ?? null
      );
    return null;
  };
  const visit = (value: unknown, at: PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      const lone = /^\$\{([A-Za-z_][\w-]*)\}$/.exec(value);
      const missing = [...value.matchAll(PARAM_REF)].map((m) => m[1]).find((n) => !(n in params));
      if (missing !== undefined) {
        issues.push({
          file: src.file,
          line: lineOf(src, at),
          field: formatPath(at),
          message:
            `unknown parameter "${missing}"${didYouMean(missing, names)}` +
            (declared.length ? ` (params: ${declared.join(', ')})` : ' (the file has no params:)'),
        });
        return value;
      }
      if (lone) return isUnset(params[lone[1]]) ? OMIT : params[lone[1]];
      return value.replace(PARAM_REF, (_, n: string) => String(params[n]));
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((item, i) => {
        const unset = unsetIn(item);
        if (unset !== null) {
          const text = typeof item === 'string' ? item : JSON.stringify(item);
          omitted.push(`${formatPath([...at, i])} (${text}) left out: parameter ${unset} is not set`);
          return;
        }
        const visited = visit(item, [...at, i]);
        if (visited !== OMIT) out.push(visited);
      });
      return out;
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const visited = visit(v, [...at, k]);
        if (visited !== OMIT) out[k] = visited;
      }
      return out;
    }
    return value;
  };
  for (const [key, value] of Object.entries(data)) {
    if (key === 'params' || key === 'production') continue;
    const visited = visit(value, [key]);
    if (visited === OMIT) delete data[key];
    else data[key] = visited;
  }
  return { issues, omitted };
}

function effectiveParams(
  src: YamlSource,
  data: Record<string, unknown>,
  options: LoadOptions,
): { params: Record<string, ParamValue>; production: Record<string, ParamValue>; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const record = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional();
  const p = record.safeParse(data.params);
  const prod = record.safeParse(data.production);
  const ci = p.success ? (p.data ?? {}) : {};
  const production = prod.success ? (prod.data ?? {}) : {};
  for (const key of Object.keys(production)) {
    if (!(key in ci)) {
      issues.push({
        file: src.file,
        line: keyLineOf(src, ['production', key]),
        field: `production.${key}`,
        message: `not a parameter${didYouMean(key, Object.keys(ci))}; production values override params: of the same name`,
      });
    }
  }
  const params = { ...ci, ...(options.profile === 'production' ? production : {}) };
  const name = typeof data.name === 'string' ? data.name : '';
  for (const [key, value] of Object.entries(options.params ?? {})) {
    const dot = key.indexOf('.');
    const scoped = dot > 0 ? key.slice(0, dot) : null;
    const param = dot > 0 ? key.slice(dot + 1) : key;
    if ((scoped === null || scoped === name) && param in ci) params[param] = value;
  }
  return { params, production, issues };
}

/** The short form of a warning: a threshold ending in `(warning)`, e.g. `- fault: p95 < 300ms (warning)`. */
const WARNING_SUFFIX = /\s+\(warning\)\s*$/;

/** A threshold item's text and severity: the long form's fields, a `(warning)` suffix, or the scenario's severity. */
function thresholdItemOf(
  item: string | Record<string, string> | { threshold: string; severity?: Severity },
  scenarioSeverity: Severity | undefined,
): { text: string; severity: Severity } {
  let text: string;
  let severity: Severity | undefined;
  if (typeof item === 'string') text = item;
  else if (
    typeof item.threshold === 'string' &&
    Object.keys(item).every((k) => k === 'threshold' || k === 'severity')
  ) {
    text = item.threshold;
    severity = item.severity as Severity | undefined;
  } else {
    const [key, value] = Object.entries(item)[0];
    text = `${key}: ${value}`;
  }
  if (WARNING_SUFFIX.test(text)) {
    text = text.replace(WARNING_SUFFIX, '');
    severity ??= 'warning';
  }
  return { text, severity: severity ?? scenarioSeverity ?? 'error' };
}

function resolvePhases(
  src: YamlSource,
  phases: { warmup: number; baseline: number; fault?: number; recovery: number; after: number },
  parsedFault: ParsedFault,
): { phases: PhaseDurations; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const written = parsedFault.durationMs;
  if (phases.fault !== undefined && written !== null && phases.fault !== written) {
    issues.push({
      file: src.file,
      line: lineOf(src, ['phases', 'fault']),
      field: 'phases.fault',
      message: `${formatShortDuration(phases.fault)} differs from fault.duration (${formatShortDuration(written)}); give one of them`,
    });
  }
  const fault = parsedFault.fault;
  const faultMs = phases.fault ?? written ?? (fault && 'durationMs' in fault ? fault.durationMs : 30_000);
  if (fault && 'durationMs' in fault) fault.durationMs = faultMs;
  return {
    phases: {
      warmupMs: phases.warmup,
      baselineMs: phases.baseline,
      faultMs,
      recoveryMs: phases.recovery,
      afterMs: phases.after,
    },
    issues,
  };
}

/**
 * `fault:` (one, with the top-level `target:`) or `faults:` (a list, each with its own target
 * and `at:`), normalised into one list placed in the fault phase; the phase durations with it.
 */
function placeScenarioFaults(
  src: YamlSource,
  file: string,
  s: ScenarioInput,
): { target: ScenarioTarget; faults: ScenarioFault[]; phases: PhaseDurations; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const issue = (at: (string | number)[], message: string) =>
    issues.push({ file, line: lineOf(src, at), field: formatPath(at), message });
  const phases = (faultMs: number): PhaseDurations => ({
    warmupMs: s.phases.warmup,
    baselineMs: s.phases.baseline,
    faultMs,
    recoveryMs: s.phases.recovery,
    afterMs: s.phases.after,
  });
  const none: ScenarioTarget = { role: null, service: null };
  if (s.faults !== undefined) {
    if (s.fault !== undefined)
      issue(['faults'], 'give either fault: (one fault) or faults: (a list), not both');
    if (s.target !== undefined)
      issue(['target'], 'with faults:, each fault names its own target (move target: into the entries)');
    const placed = placeFaults(s.faults, s.phases.fault, (at) => lineOf(src, at));
    for (const p of placed.issues) issue(p.path, p.message);
    return {
      target: placed.faults[0]?.target ?? none,
      faults: placed.faults,
      phases: phases(placed.faultMs),
      issues,
    };
  }
  if (s.fault === undefined) {
    issue(['fault'], 'is required (e.g. { type: stop, duration: 30s }, or { type: none }), or faults: [...]');
    return { target: s.target ?? none, faults: [], phases: phases(s.phases.fault ?? 0), issues };
  }
  if (s.target === undefined) issue(['target'], 'is required (a role, e.g. { role: cache }, or a service)');
  const resolved = resolvePhases(src, s.phases, s.fault);
  issues.push(...resolved.issues);
  const target = s.target ?? none;
  const spec = s.fault.fault;
  const faults: ScenarioFault[] = spec
    ? [
        {
          target,
          spec,
          atMs: 0,
          durationMs: resolved.phases.faultMs,
          lines: {
            entry: lineOf(src, ['fault']) ?? 1,
            target: lineOf(src, ['target']) ?? 1,
            from: lineOf(src, ['fault', 'from']),
          },
        },
      ]
    : [];
  return { target, faults, phases: resolved.phases, issues };
}

/** Multiplies the scenario's timed parts by `factor` (CI scaling); recovery's max wait is kept. */
export function scaleScenario(scenario: Scenario, factor: number): Scenario {
  if (factor === 1) return scenario;
  const s = (ms: number) => Math.max(0, Math.round(ms * factor));
  const faults = scenario.faults.map((f): ScenarioFault => {
    let spec = 'durationMs' in f.spec ? { ...f.spec, durationMs: s(f.durationMs) } : f.spec;
    // A leak must still reach the limit inside the shorter fault window: it leaks faster.
    if (spec.type === 'memory') spec = { ...spec, intervalMs: Math.max(100, s(spec.intervalMs)) };
    return { ...f, spec, atMs: s(f.atMs), durationMs: s(f.durationMs) };
  });
  const fault = faults[0]?.spec ?? null;
  const load =
    scenario.load.model === 'open'
      ? {
          ...scenario.load,
          stages: scenario.load.stages.map((st) => ({
            ...st,
            durationMs: st.durationMs === null ? null : s(st.durationMs),
          })),
        }
      : {
          ...scenario.load,
          stages: scenario.load.stages.map((st) => ({
            ...st,
            durationMs: st.durationMs === null ? null : s(st.durationMs),
          })),
        };
  const p = scenario.phases;
  return {
    ...scenario,
    fault,
    faults,
    load,
    phases: {
      ...p,
      warmupMs: s(p.warmupMs),
      baselineMs: s(p.baselineMs),
      faultMs: s(p.faultMs),
      afterMs: s(p.afterMs),
    },
  };
}

/** Parses a scenario from YAML text; `file` is used in messages. Throws ConfigError. */
export function parseScenarioText(text: string, file: string, options: LoadOptions = {}): Scenario {
  const src = parseYaml(text, file);
  if (!isPlainObject(src.data)) {
    throw ConfigError.single(file, 1, '', 'a scenario file is a YAML map (name:, title:, hypothesis:, ...)');
  }
  const data: Record<string, unknown> = { ...src.data };
  const { params, production, issues } = effectiveParams(src, data, options);
  const given = options.run ?? DEFAULT_RUN_PARAMS;
  // `${requests}` is the run's mix, or its request as a mix of one.
  const requests = given.requests ?? [
    { name: `${given.request.method} ${given.request.path}`, ...given.request },
  ];
  const run = { health_status: 200, ...given, requests };
  const substituted = substituteParams(src, data, { ...run, ...params }, Object.keys(params));
  issues.push(...substituted.issues);
  const result = scenarioSchema.safeParse(data);
  if (issues.length || !result.success) {
    // Every problem of the file at once; a field named for its parameter is not named again.
    const named = new Set(issues.map((issue) => issue.field));
    const schemaIssues = result.success ? [] : zodIssues(src, result.error.issues, data);
    const all = [...issues, ...schemaIssues.filter((issue) => !named.has(issue.field))];
    throw new ConfigError(all.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  }
  const s = result.data;
  // A mix's CSV columns, next to the scenario file (the run's own mix arrives with them read).
  if (s.load.requests) {
    try {
      s.load.requests = readCsvValues(s.load.requests, path.dirname(path.resolve(file)));
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      const at = ['load', 'requests', ...error.path];
      issues.push({ file, line: lineOf(src, at), field: formatPath(at), message: error.message });
    }
  }

  const thresholds: Threshold[] = [];
  const thresholdIndex: number[] = [];
  s.thresholds.forEach((item, i) => {
    try {
      thresholdIndex.push(i);
      const { text, severity } = thresholdItemOf(item, s.severity);
      const threshold = parseThreshold(text, {
        file,
        line: lineOf(src, ['thresholds', i]) ?? 1,
        field: `thresholds[${i}]`,
      });
      if (severity === 'warning') threshold.gateSeverity = 'warning';
      thresholds.push(threshold);
    } catch (error) {
      thresholdIndex.pop();
      if (error instanceof ConfigError) issues.push(...error.issues);
      else throw error;
    }
  });

  const stageNames = s.load.stages.map((st) => st.name).filter((n): n is string => n !== null);
  s.load.stages.forEach((st, i) => {
    const earlier = s.load.stages.slice(0, i).some((o) => o.name !== null && o.name === st.name);
    if (earlier) {
      issues.push({
        file,
        line: lineOf(src, ['load', 'stages', i, 'name']),
        field: `load.stages[${i}].name`,
        message: `stage name "${st.name}" is used twice`,
      });
    }
  });
  thresholds.forEach((t, i) => {
    if (t.kind !== 'metric' || t.stage === null) return;
    const stage = t.stage;
    const byIndex = /^\d+$/.test(stage) && Number(stage) >= 1 && Number(stage) <= s.load.stages.length;
    if (stageNames.includes(stage) || (byIndex && s.load.stages.length > 1)) return;
    issues.push({
      file,
      line: t.line,
      field: `thresholds[${thresholdIndex[i]}]`,
      message:
        s.load.stages.length <= 1
          ? `stage "${stage}": the load has no stages`
          : `unknown stage "${stage}"${didYouMean(stage, stageNames)} (stages: ${stageNames.length ? stageNames.join(', ') : `1..${s.load.stages.length}`})`,
    });
  });

  // A threshold that names one request (`p95{request:checkout} < 300ms`) must name one the load sends.
  const requestNames = s.load.requests
    ? s.load.requests.map((r) => r.name)
    : [`${s.load.request.method} ${s.load.request.path}`];
  thresholds.forEach((t, i) => {
    if (t.kind !== 'metric' || t.request === null || requestNames.includes(t.request)) return;
    issues.push({
      file,
      line: t.line,
      field: `thresholds[${thresholdIndex[i]}]`,
      message: `{request:${t.request}} names no request of the load${didYouMean(t.request, requestNames)} (requests: ${requestNames.join(', ')})`,
    });
  });

  let abort: AbortGuard | null = null;
  if (s.abort !== undefined) {
    const list = Array.isArray(s.abort) ? s.abort : [s.abort];
    const conditions: GuardCondition[] = [];
    list.forEach((text, i) => {
      const at = Array.isArray(s.abort) ? ['abort', i] : ['abort'];
      try {
        conditions.push(
          parseGuardCondition(text, { file, line: lineOf(src, at) ?? 1, field: formatPath(at) }),
        );
      } catch (error) {
        if (error instanceof ConfigError) issues.push(...error.issues);
        else throw error;
      }
    });
    abort = { conditions };
  }

  const placed = placeScenarioFaults(src, file, s);
  issues.push(...placed.issues);
  const resolved = placed.phases;
  if (issues.length) throw new ConfigError(issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));

  const steadyState: SteadyStateCheck[] = s['steady-state'].map((item, i): SteadyStateCheck => {
    const line = lineOf(src, ['steady-state', i]) ?? 1;
    if (item.http) {
      const maxLatencyMs = item.http['max-latency'] ?? null;
      const { statuses, below } = item.http.status;
      const accepted = below !== null ? `< ${below}` : `== ${statuses.join(' or ')}`;
      return {
        kind: 'http',
        path: item.http.path,
        status: statuses[0] ?? 200,
        statuses,
        below,
        maxLatencyMs,
        source: `http ${item.http.path} ${accepted}${maxLatencyMs !== null ? ` within ${maxLatencyMs}ms` : ''}`,
        line,
      };
    }
    const q = item.promql as { query: string; op: Comparator; value: number };
    return {
      kind: 'promql',
      query: q.query,
      op: q.op,
      value: q.value,
      source: `promql '${q.query}' ${q.op} ${q.value}`,
      line,
    };
  });

  // `target: { each: ... }`: a template, expanded once the stack's graph is known (expansion.ts).
  const expansionOf = (t: ScenarioTarget): Expansion | null =>
    (t as ScenarioTarget & { expansion?: Expansion | null }).expansion ?? null;
  const expansion = s.fault !== undefined && s.target ? expansionOf(s.target) : null;
  const listed = s.faults !== undefined ? placed.faults.findIndex((f) => expansionOf(f.target) !== null) : -1;
  if (listed >= 0)
    throw ConfigError.single(
      file,
      placed.faults[listed].lines.target,
      `faults[${listed}].target`,
      'each: expands a scenario with one fault: write it in target: beside fault:, not in a faults: list',
    );
  const strip = (t: ScenarioTarget): ScenarioTarget => ({ role: t.role, service: t.service });
  placed.target = strip(placed.target);
  for (const f of placed.faults) f.target = strip(f.target);

  const roles = [...s.requires.roles];
  const targetRoles = [placed.target, ...placed.faults.map((f) => f.target)].map((t) => t.role);
  for (const role of targetRoles.reverse()) if (role !== null && !roles.includes(role)) roles.unshift(role);
  const scenario: Scenario = {
    name: s.name,
    title: s.title,
    hypothesis: s.hypothesis.trim(),
    description: s.description?.trim() ?? null,
    tags: s.tags,
    file,
    builtin: options.builtin ?? false,
    target: placed.target,
    fault: placed.faults[0]?.spec ?? null,
    faults: placed.faults,
    load: s.load,
    phases: resolved,
    steadyState,
    thresholds,
    abort,
    params,
    production,
    requires: { roles, services: s.requires.services },
    omitted: substituted.omitted,
    lines: {
      target: placed.faults[0]?.lines.target ?? lineOf(src, ['target']) ?? 1,
      from: placed.faults[0]?.lines.from ?? null,
    },
    expansion,
  };
  if (options.scale === undefined || options.scale === 1) {
    const windows = windowsLongerThanTheirPhase(scenario, thresholdIndex, 1);
    if (windows.length) throw new ConfigError(windows);
    return scenario;
  }
  const scaled = scaleScenario(scenario, options.scale);
  // Each phase was at most 24h as written; scaled, it must still be (src/config/units.ts).
  const tooLong = Object.entries(scaled.phases).filter(([, ms]) => ms > MAX_DURATION_MS);
  if (tooLong.length) {
    throw new ConfigError(
      tooLong.map(([key, ms]) => ({
        file,
        line: lineOf(src, ['phases']),
        field: `phases.${key.replace(/Ms$/, '')}`,
        message: `${formatShortDuration(ms)} at scale ${options.scale} is longer than 24h, the longest a phase may be`,
      })),
    );
  }
  const windows = windowsLongerThanTheirPhase(scaled, thresholdIndex, options.scale);
  if (windows.length) throw new ConfigError(windows);
  return scaled;
}

/** A phase's length as the run plays it (recovery: the longest it may last). */
function phaseLengthMs(phases: Scenario['phases'], phase: PhaseName): number {
  return {
    warmup: phases.warmupMs,
    baseline: phases.baselineMs,
    fault: phases.faultMs,
    recovery: phases.recoveryMs,
    after: phases.afterMs,
  }[phase];
}

/**
 * A sustained check (`fault: p95 < 500ms for 30s`) is violated only by a breach that lasts its
 * window inside its phase: in a shorter phase it could never fail. That is refused when the
 * scenario is loaded, after scaling (a scale shortens phases, never a `for` window, whose length
 * is the SLO's own tolerance for a blip).
 */
function windowsLongerThanTheirPhase(
  scenario: Scenario,
  thresholdIndex: number[],
  scale: number,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  scenario.thresholds.forEach((t, i) => {
    if (t.kind !== 'metric' || t.sustainedMs === null || t.phase === null) return;
    const lengthMs = phaseLengthMs(scenario.phases, t.phase);
    if (t.sustainedMs <= lengthMs) return;
    const scaled = scale === 1 ? '' : ` at scale ${scale}`;
    issues.push({
      file: scenario.file,
      line: t.line,
      field: `thresholds[${thresholdIndex[i]}]`,
      message:
        `"for ${formatShortDuration(t.sustainedMs)}" is longer than the ${t.phase} phase (${formatShortDuration(lengthMs)}${scaled}): ` +
        `a breach cannot last that long inside it, so the check could never fail; shorten the window or lengthen the phase`,
    });
  });
  return issues;
}

/** Reads and parses one scenario file. Throws ConfigError (file:line: field: message). */
export function loadScenarioFile(file: string, options: LoadOptions = {}): Scenario {
  const text = readConfigText(file);
  return parseScenarioText(text, file, options);
}

export type Suites = Record<string, string[]>;

const suiteSchema = z.record(
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'a suite name uses lowercase letters, digits and dashes' }),
  z.array(z.string({ error: 'expected a scenario name' }), { error: 'expected a list of scenario names' }),
);

/** Parses a suites file (`default: [a, b]`); every name must be in `known`. Throws ConfigError. */
export function parseSuiteText(text: string, file: string, known: Iterable<string>): Suites {
  const src = parseYaml(text, file);
  if (!isPlainObject(src.data))
    throw ConfigError.single(file, 1, '', 'a suites file is a map: suite name → list of scenario names');
  const result = suiteSchema.safeParse(src.data);
  if (!result.success) throw new ConfigError(zodIssues(src, result.error.issues, src.data));
  const names = [...known];
  const issues: ConfigIssue[] = [];
  for (const [suite, members] of Object.entries(result.data)) {
    members.forEach((member, i) => {
      if (!names.includes(member)) {
        issues.push({
          file,
          line: lineOf(src, [suite, i]),
          field: `${suite}[${i}]`,
          message: `unknown scenario "${member}"${didYouMean(member, names)}`,
        });
      }
      const first = members.indexOf(member);
      if (first !== i) {
        issues.push({
          file,
          line: lineOf(src, [suite, i]),
          field: `${suite}[${i}]`,
          message: `"${member}" is listed twice`,
        });
      }
    });
  }
  if (issues.length) throw new ConfigError(issues);
  return result.data;
}

/** Reads a suites file and checks its names against `known` scenario names. */
export function loadSuite(file: string, known: Iterable<string>): Suites {
  const text = readConfigText(file);
  return parseSuiteText(text, file, known);
}

/** The package's built-in scenarios/ directory: from the TS sources, the ncc bundle or an override. */
export function builtinScenariosDir(): string | null {
  const candidates = [
    process.env.CHAOS_ACTION_SCENARIOS_DIR,
    path.resolve(__dirname, 'scenarios'), // dist/index.js with scenarios/ copied next to it
    path.resolve(__dirname, '../scenarios'), // dist/index.js in the action's checkout: <repo>/scenarios
    path.resolve(__dirname, '../../scenarios'), // src/config/*.ts, or dist/cli/index.js in the checkout
  ].filter((d): d is string => !!d);
  return candidates.find((d) => SUITE_FILES.some((f) => fs.existsSync(path.join(d, f)))) ?? null;
}

export interface ScenarioCatalog {
  /** By name; a user scenario replaces a built-in of the same name. */
  scenarios: Map<string, Scenario>;
  suites: Suites;
  /** Suite name → the file that defined it. */
  suiteFiles: Record<string, string>;
  /** Things worth saying that are not errors (replaced built-ins, replaced suites). */
  notes: string[];
}

export interface CatalogSources {
  /** The built-in scenarios directory (builtinScenariosDir()), or null to load none. */
  builtinDir: string | null;
  /** The user's scenario directories, in order. */
  userDirs?: string[];
  /** Single user scenario files (not suites). */
  userFiles?: string[];
}

/** The scenario files of a directory (*.yml, *.yaml; not suites.yml), sorted; and its suites file. */
export function listScenarioDir(dir: string): { files: string[]; suitesFile: string | null } {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir).sort();
  } catch (error) {
    throw ConfigError.single(
      dir,
      null,
      '',
      `cannot read the directory: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  // Only directories are passed over: a dangling or looping symlink, or an unreadable file, is
  // kept so that reading it reports `file: cannot read the file: ENOENT` beside the other errors.
  const isDirectory = (f: string): boolean => {
    try {
      return fs.statSync(f).isDirectory();
    } catch {
      return false;
    }
  };
  const files = entries
    .filter((f) => /\.ya?ml$/.test(f) && !SUITE_FILES.includes(f))
    .map((f) => path.join(dir, f))
    .filter((f) => !isDirectory(f));
  const suites = SUITE_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f)) ?? null;
  return { files, suitesFile: suites };
}

/**
 * Loads built-ins and the user's scenarios and suites. All errors of all files are collected
 * into one ConfigError. Two scenarios of the same origin with the same name are an error; a user
 * scenario named like a built-in replaces it (noted), as does a user suite named like a built-in suite.
 */
export function loadCatalog(sources: CatalogSources, options: LoadOptions = {}): ScenarioCatalog {
  const issues: ConfigIssue[] = [];
  const notes: string[] = [];
  const scenarios = new Map<string, Scenario>();
  const suiteFiles: { file: string; builtin: boolean }[] = [];

  const groups: { files: string[]; builtin: boolean }[] = [];
  if (sources.builtinDir) {
    const listed = listScenarioDir(sources.builtinDir);
    groups.push({ files: listed.files, builtin: true });
    if (listed.suitesFile) suiteFiles.push({ file: listed.suitesFile, builtin: true });
  }
  const userFiles: string[] = [];
  for (const dir of sources.userDirs ?? []) {
    try {
      const listed = listScenarioDir(dir);
      userFiles.push(...listed.files);
      if (listed.suitesFile) suiteFiles.push({ file: listed.suitesFile, builtin: false });
    } catch (error) {
      if (error instanceof ConfigError) issues.push(...error.issues);
      else throw error;
    }
  }
  userFiles.push(...(sources.userFiles ?? []));
  groups.push({ files: userFiles, builtin: false });

  for (const group of groups) {
    const seen = new Map<string, string>();
    for (const file of group.files) {
      let scenario: Scenario;
      try {
        scenario = loadScenarioFile(file, { ...options, builtin: group.builtin });
      } catch (error) {
        if (error instanceof ConfigError) {
          issues.push(...error.issues);
          continue;
        }
        throw error;
      }
      const earlier = seen.get(scenario.name);
      if (earlier !== undefined) {
        issues.push({
          file,
          line: nameLine(file),
          field: 'name',
          message: `scenario "${scenario.name}" is already defined in ${earlier}`,
        });
        continue;
      }
      seen.set(scenario.name, file);
      const builtin = scenarios.get(scenario.name);
      if (builtin && !group.builtin) {
        notes.push(`${file}: scenario "${scenario.name}" replaces the built-in one (${builtin.file})`);
      }
      scenarios.set(scenario.name, scenario);
    }
  }

  const suites: Suites = {};
  const suiteOrigin: Record<string, string> = {};
  if (issues.length === 0) {
    for (const { file, builtin } of suiteFiles) {
      try {
        const parsed = loadSuite(file, scenarios.keys());
        for (const [name, members] of Object.entries(parsed)) {
          if (suiteOrigin[name] !== undefined && !builtin) {
            notes.push(`${file}: suite "${name}" replaces the one in ${suiteOrigin[name]}`);
          }
          suites[name] = members;
          suiteOrigin[name] = file;
        }
      } catch (error) {
        if (error instanceof ConfigError) issues.push(...error.issues);
        else throw error;
      }
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return { scenarios, suites, suiteFiles: suiteOrigin, notes };
}

function nameLine(file: string): number | null {
  try {
    return lineOf(parseYaml(fs.readFileSync(file, 'utf8'), file), ['name']);
  } catch {
    return null;
  }
}

/**
 * The scenarios a run asks for: explicit names if given, else the suite (`all` = every
 * scenario, unless a suite of that name exists). Unknown names are errors with suggestions.
 */
export function selectScenarios(
  catalog: ScenarioCatalog,
  selection: { suite?: string; names?: string[] },
): Scenario[] {
  const all = [...catalog.scenarios.keys()];
  if (selection.names && selection.names.length > 0) {
    const issues: ConfigIssue[] = [];
    const out: Scenario[] = [];
    for (const name of selection.names) {
      const s = catalog.scenarios.get(name);
      if (s) out.push(s);
      else {
        issues.push({
          file: null,
          line: null,
          field: 'scenarios',
          message: `unknown scenario "${name}"${didYouMean(name, all)} (available: ${all.join(', ')})`,
        });
      }
    }
    if (issues.length) throw new ConfigError(issues);
    return out;
  }
  const suite = selection.suite ?? 'default';
  const members = catalog.suites[suite] ?? (suite === 'all' ? all.sort() : undefined);
  if (!members) {
    const names = Object.keys(catalog.suites);
    const hint = closest(suite, [...names, 'all']);
    throw ConfigError.single(
      null,
      null,
      'suite',
      `unknown suite "${suite}"${hint ? ` (did you mean "${hint}"?)` : ''} (suites: ${[...names, 'all'].join(', ')})`,
    );
  }
  return members.map((m) => catalog.scenarios.get(m) as Scenario);
}

/** The suites a scenario belongs to, for `chaos-action list`. */
export function suitesOf(catalog: ScenarioCatalog, name: string): string[] {
  return Object.entries(catalog.suites)
    .filter(([, members]) => members.includes(name))
    .map(([suite]) => suite);
}
