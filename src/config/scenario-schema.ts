// The scenario file schema (zod) and the typed Scenario it becomes. Human units ("30s", "50/s",
// "10MB", "1%") are parsed here into the exact types of src/faults/spec.ts; thresholds and the
// abort guard are parsed by src/scenario/thresholds.ts in load-scenarios.ts (they need lines).
import { z } from 'zod';
import type { FaultSpec, FaultType, ToxicDirection } from '../faults/spec';
import { FAULT_TYPES, killSignalProblem } from '../faults/spec';
import type { AbortGuard, Comparator, Threshold } from '../scenario/thresholds';
import { requestFields, requestMixSchema, type MixEntry } from './request-mix';
import { ROLES, type Role } from './roles';
import { didYouMean } from './suggest';
import { isStackUrl } from './target-host';
import { parsePercent, parseSize } from './units';
import {
  byteRateField,
  durationField,
  nonEmptyString,
  parsed,
  rateField,
  sizeField,
  strictMap,
} from './zod-fields';

// ---------------------------------------------------------------- the typed result

export interface ScenarioTarget {
  /** Exactly one of role / service is set, except in a scenario that expands (`each:`), where neither is until it does. */
  role: Role | null;
  service: string | null;
}

/** Where an expanding scenario runs: once per dependency (of a kind), or once on the application's instances. */
export interface Expansion {
  over: 'dependency' | 'instance';
  /** Only dependencies of this kind; null: every dependency. */
  kind: ExpansionKind | null;
}

export const EXPANSION_KINDS = [
  'database',
  'cache',
  'queue',
  'search',
  'telemetry',
  'metrics',
  'unknown',
] as const;
export type ExpansionKind = (typeof EXPANSION_KINDS)[number];

export interface RequestSpec {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** A JSON body (sent with content-type application/json), or null. */
  json: unknown;
  /** A raw body, or null. At most one of json / body is set. */
  body: string | null;
  expect: { status: number[]; bodyContains: string | null };
}

export interface OpenStage {
  ratePerSecond: number;
  /** null: until the end of the scenario (a constant `rate:`). */
  durationMs: number | null;
  name: string | null;
}
export interface ClosedStage {
  users: number;
  durationMs: number | null;
  name: string | null;
}

export type LoadModel =
  { model: 'open'; stages: OpenStage[] } | { model: 'closed'; stages: ClosedStage[]; thinkMs: number };

export type LoadSpec = LoadModel & {
  /** Between stages: `step` jumps to the next stage's rate (or users) at once, `linear` ramps over the stage. */
  ramp: 'step' | 'linear';
  /** The base URL override; null: the api role's published port, from the run. */
  url: string | null;
  /** The request, or a mix's first (what a consumer of one request reads). */
  request: RequestSpec;
  /** `requests:`, a mix (each with its name, weight and values); null: the single `request`. */
  requests: MixEntry[] | null;
  timeoutMs: number;
};

export interface PhaseDurations {
  warmupMs: number;
  baselineMs: number;
  /** How long the fault is active (the fault's duration unless given). */
  faultMs: number;
  /** The longest the recovery phase waits for steady state to hold again. */
  recoveryMs: number;
  afterMs: number;
}

export type SteadyStateCheck =
  | {
      kind: 'http';
      path: string;
      /** The first accepted status (the one a single-status consumer such as a Kubernetes probe uses). */
      status: number;
      /** Every accepted status; [] when any status below `below` is accepted. */
      statuses: number[];
      /** Any status below this is accepted (`status: '< 500'`: the service answers); null: only `statuses`. */
      below: number | null;
      maxLatencyMs: number | null;
      source: string;
      line: number;
    }
  | { kind: 'promql'; query: string; op: Comparator; value: number; source: string; line: number };

export type ParamValue = string | number | boolean;

/**
 * One fault of a scenario, placed inside the fault phase. `fault:` (one) becomes a list of one
 * at 0s lasting the whole phase; `faults:` gives each its own target, start and duration. The
 * fault phase runs from the first injection (the entry at 0s) to the last revert.
 */
export interface ScenarioFault {
  target: ScenarioTarget;
  /** What to inject; for kinds with a duration, spec.durationMs equals durationMs below. */
  spec: FaultSpec;
  /** When it is injected, from the start of the fault phase. */
  atMs: number;
  /** How long it is held: it is reverted at atMs + durationMs from the start of the fault phase. */
  durationMs: number;
  /** Where the entry, its target and its `from:` are written (for messages). */
  lines: { entry: number; target: number; from: number | null };
}

export interface Scenario {
  name: string;
  title: string;
  hypothesis: string;
  description: string | null;
  tags: string[];
  /** The file it was loaded from, as given to the loader. */
  file: string;
  /** Loaded from the package's scenarios/ directory. */
  builtin: boolean;
  /** The first fault's target (the one `target:` of a single-fault file). */
  target: ScenarioTarget;
  /** The first fault's spec (faults[0].spec); null: `fault: { type: none }`, a pure load test. */
  fault: FaultSpec | null;
  /** Every fault in the order written (injected in `at` order, reverted in reverse); [] for `type: none`. */
  faults: ScenarioFault[];
  load: LoadSpec;
  phases: PhaseDurations;
  steadyState: SteadyStateCheck[];
  thresholds: Threshold[];
  abort: AbortGuard | null;
  /** The parameter values used (CI defaults, or production values, plus overrides). */
  params: Record<string, ParamValue>;
  /** The production-sized values the file documents. */
  production: Record<string, ParamValue>;
  requires: { roles: Role[]; services: string[] };
  /** Checks left out because a parameter they use is unset (value ''), one sentence each. */
  omitted: string[];
  /** Where `target:` and `fault.from:` are written, for messages about the services they name. */
  lines: { target: number; from: number | null };
  /** `target: { each: ... }`: the file is a template, run once per match (expansion.ts); null otherwise. */
  expansion: Expansion | null;
  /** For a scenario made by an expansion: the template's name and what it was expanded over. */
  expandedFrom?: { template: string; over: string; kind: string | null };
}

// ---------------------------------------------------------------- zod schemas

const serviceName = nonEmptyString('a service name');

const roleField = z.string({ error: 'expected a role name' }).transform((v, ctx): Role => {
  if ((ROLES as readonly string[]).includes(v)) return v as Role;
  ctx.addIssue({
    code: 'custom',
    message: `unknown role "${v}"${didYouMean(v, ROLES)} (roles: ${ROLES.join(', ')})`,
  });
  return z.NEVER;
});

export const targetSchema = strictMap({
  role: roleField.optional(),
  service: serviceName.optional(),
  each: z.enum(['dependency', 'instance'], { error: 'expected dependency or instance' }).optional(),
  kind: z
    .enum(EXPANSION_KINDS, { error: `expected a dependency kind (${EXPANSION_KINDS.join(', ')})` })
    .optional(),
}).transform((t, ctx): ScenarioTarget & { expansion: Expansion | null } => {
  if (t.role !== undefined && t.service !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give either role or service, not both' });
    return z.NEVER;
  }
  if (t.each !== undefined && (t.role !== undefined || t.service !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: `each: runs the scenario on every match, so it takes no ${t.role !== undefined ? 'role' : 'service'}`,
    });
    return z.NEVER;
  }
  const given = [t.role, t.service, t.each].filter((v) => v !== undefined);
  if (given.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'needs a role (api, cache, ...), a service, or each: dependency | instance',
    });
    return z.NEVER;
  }
  if (t.kind !== undefined && t.each !== 'dependency') {
    ctx.addIssue({ code: 'custom', path: ['kind'], message: 'kind goes with each: dependency' });
    return z.NEVER;
  }
  const expansion = t.each ? { over: t.each, kind: t.kind ?? null } : null;
  return { role: t.role ?? null, service: t.service ?? null, expansion };
});

const toxicity = parsed((v) => parsePercent(v));
const port = z.number({ error: 'expected a port number' }).int().min(1).max(65535).nullable();
const direction = z.enum(['downstream', 'upstream', 'both'] satisfies ToxicDirection[]);
const fromField = serviceName.nullable();

const toxicCommon = {
  type: z.string(),
  duration: durationField().optional(),
  port: port.optional(),
  direction: direction.optional(),
  toxicity: toxicity.optional(),
  from: fromField.optional(),
};

interface RawFault {
  duration?: number;
}

/** One schema per fault type; each returns the FaultSpec without durationMs resolved yet. */
export const FAULT_SCHEMAS = {
  stop: strictMap({
    type: z.string(),
    duration: durationField().optional(),
    'stop-timeout': durationField().optional(),
  }),
  kill: strictMap({
    type: z.string(),
    signal: z
      .string()
      .regex(/^(SIG)?[A-Z0-9]+$/, { error: 'expected a signal name like SIGTERM or KILL' })
      .superRefine((value, ctx) => {
        const problem = killSignalProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    restart: z.boolean().optional(),
  }),
  pause: strictMap({ type: z.string(), duration: durationField().optional() }),
  flap: strictMap({
    type: z.string(),
    duration: durationField().optional(),
    down: durationField().optional(),
    up: durationField().optional(),
    'stop-timeout': durationField().optional(),
  }),
  partition: strictMap({
    type: z.string(),
    duration: durationField().optional(),
    mode: z.enum(['drop', 'disconnect']).optional(),
    from: fromField.optional(),
  }),
  latency: strictMap({ ...toxicCommon, delay: durationField(), jitter: durationField().optional() }),
  bandwidth: strictMap({ ...toxicCommon, rate: byteRateField() }),
  stall: strictMap({ ...toxicCommon, timeout: durationField().optional() }),
  reset_peer: strictMap({ ...toxicCommon, 'reset-after': durationField().optional() }),
  down: strictMap({ ...toxicCommon }),
  memory: strictMap({
    type: z.string(),
    duration: durationField().optional(),
    method: z.enum(['leak-endpoint', 'hog']).optional(),
    path: z.string().startsWith('/', { error: 'must start with /' }).optional(),
    port: port.optional(),
    step: sizeField().optional(),
    interval: durationField().optional(),
  }),
  cpu: strictMap({
    type: z.string(),
    duration: durationField().optional(),
    workers: z.number().int().min(1).max(64).optional(),
  }),
  none: strictMap({ type: z.string() }),
} as const;

export const FAULT_TYPE_NAMES: readonly string[] = [...FAULT_TYPES, 'none'];

/** A fault's spec with its YAML duration (or null when it has none / it is `none`). */
export interface ParsedFault {
  fault: FaultSpec | null;
  /** The duration written in the file, or null. */
  durationMs: number | null;
}

const DEFAULT_FAULT_MS = 30_000;

function toFaultSpec(type: FaultType, raw: Record<string, unknown>, durationMs: number): FaultSpec {
  const toxic = () => ({
    port: (raw.port as number | null | undefined) ?? null,
    direction: (raw.direction as ToxicDirection | undefined) ?? 'downstream',
    toxicity: (raw.toxicity as number | undefined) ?? 1,
    from: (raw.from as string | null | undefined) ?? null,
    durationMs,
  });
  const ms = (key: string, fallback: number) => (raw[key] as number | undefined) ?? fallback;
  switch (type) {
    case 'stop':
      return { type, durationMs, stopTimeoutMs: ms('stop-timeout', 10_000) };
    case 'kill':
      return {
        type,
        signal: (raw.signal as string | undefined)?.replace(/^(?!SIG)/, 'SIG') ?? 'SIGKILL',
        restart: (raw.restart as boolean | undefined) ?? true,
      };
    case 'pause':
      return { type, durationMs };
    case 'flap':
      return {
        type,
        downMs: ms('down', 5_000),
        upMs: ms('up', 10_000),
        durationMs,
        stopTimeoutMs: ms('stop-timeout', 10_000),
      };
    case 'partition':
      return {
        type,
        mode: (raw.mode as 'drop' | 'disconnect' | undefined) ?? 'drop',
        from: (raw.from as string | null | undefined) ?? null,
        durationMs,
      };
    case 'latency':
      return { type, ...toxic(), delayMs: raw.delay as number, jitterMs: ms('jitter', 0) };
    case 'bandwidth':
      return { type, ...toxic(), rateBytesPerSecond: raw.rate as number };
    case 'stall':
      return { type, ...toxic(), timeoutMs: ms('timeout', 0) };
    case 'reset_peer':
      return { type, ...toxic(), resetAfterMs: ms('reset-after', 0) };
    case 'down':
      return { type, ...toxic() };
    case 'memory': {
      const method = (raw.method as 'leak-endpoint' | 'hog' | undefined) ?? 'leak-endpoint';
      const path = (raw.path as string | undefined) ?? '/debug/leak?mb=10';
      const mb = /[?&]mb=(\d+)/.exec(path);
      const step = (raw.step as number | undefined) ?? (mb ? Number(mb[1]) * 1024 ** 2 : parseSize('10MB'));
      return {
        type,
        method,
        path,
        port: (raw.port as number | null | undefined) ?? null,
        stepBytes: step,
        intervalMs: ms('interval', 500),
        durationMs,
      };
    }
    case 'cpu':
      return { type, workers: (raw.workers as number | undefined) ?? 1, durationMs };
  }
}

export const faultSchema = z.unknown().transform((value, ctx): ParsedFault => {
  if (value === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'is required (e.g. { type: stop, duration: 30s }, or { type: none })',
    });
    return z.NEVER;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected a map like { type: stop, duration: 30s }' });
    return z.NEVER;
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: `is required (one of ${FAULT_TYPE_NAMES.join(', ')})`,
    });
    return z.NEVER;
  }
  if (!(type in FAULT_SCHEMAS)) {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: `unknown fault type "${type}"${didYouMean(type, FAULT_TYPE_NAMES)} (known: ${FAULT_TYPE_NAMES.join(', ')})`,
    });
    return z.NEVER;
  }
  const result = FAULT_SCHEMAS[type as keyof typeof FAULT_SCHEMAS].safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ ...issue } as z.core.$ZodRawIssue);
    return z.NEVER;
  }
  if (type === 'none') return { fault: null, durationMs: null };
  const raw = result.data as Record<string, unknown> & RawFault;
  const durationMs = raw.duration ?? null;
  return { fault: toFaultSpec(type as FaultType, raw, durationMs ?? DEFAULT_FAULT_MS), durationMs };
});

/** One `faults:` entry: its own target and start offset, then the keys of a `fault:`. */
export interface ParsedFaultEntry extends ParsedFault {
  target: ScenarioTarget;
  atMs: number;
}

export const faultEntrySchema = z.unknown().transform((value, ctx): ParsedFaultEntry => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a map like { target: { role: cache }, at: 0s, type: stop, duration: 30s }',
    });
    return z.NEVER;
  }
  const { target, at, ...fault } = value as Record<string, unknown>;
  let ok = true;
  const targetResult = targetSchema.safeParse(target);
  if (target === undefined) {
    ctx.addIssue({ code: 'custom', path: ['target'], message: 'is required (e.g. { role: cache })' });
    ok = false;
  } else if (!targetResult.success) {
    for (const issue of targetResult.error.issues)
      ctx.addIssue({ ...issue, path: ['target', ...issue.path] } as z.core.$ZodRawIssue);
    ok = false;
  }
  const atResult = durationField().safeParse(at ?? '0s');
  if (!atResult.success) {
    for (const issue of atResult.error.issues)
      ctx.addIssue({ ...issue, path: ['at', ...issue.path] } as z.core.$ZodRawIssue);
    ok = false;
  }
  if (fault.type === 'none') {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: 'none is not a fault to place in faults: (write fault: { type: none } for a pure load test)',
    });
    return z.NEVER;
  }
  const faultResult = faultSchema.safeParse(fault);
  if (!faultResult.success) {
    for (const issue of faultResult.error.issues) ctx.addIssue(issue as unknown as z.core.$ZodRawIssue);
    return z.NEVER;
  }
  if (!ok || !targetResult.success || !atResult.success) return z.NEVER;
  return { ...faultResult.data, target: targetResult.data, atMs: atResult.data };
});

/** A problem with where a fault sits in the fault phase; `path` is under the scenario's root. */
export interface PlacementIssue {
  path: (string | number)[];
  message: string;
}

const fmtMs = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/**
 * Places the faults in the fault phase: each runs from `at` for its duration (a fault without
 * one, such as kill, lasts until the phase ends). The phase is `phases.fault` when given, else
 * it ends with the last revert. One fault must start at 0s (the phase starts with the first
 * injection), none may end after the phase, and a written `phases.fault` must end with a revert.
 */
export function placeFaults(
  entries: ParsedFaultEntry[],
  phaseFaultMs: number | undefined,
  lineOf: (path: (string | number)[]) => number | null,
): { faults: ScenarioFault[]; faultMs: number; issues: PlacementIssue[] } {
  const issues: PlacementIssue[] = [];
  const ends = entries.map((e) => (e.durationMs === null ? null : e.atMs + e.durationMs));
  const lastWrittenEnd = Math.max(0, ...ends.map((end) => end ?? 0));
  const faultMs = phaseFaultMs ?? (ends.some((end) => end !== null) ? lastWrittenEnd : DEFAULT_FAULT_MS);
  if (!entries.some((e) => e.atMs === 0) && entries.length > 0) {
    const first = entries.reduce((a, b) => (b.atMs < a.atMs ? b : a));
    issues.push({
      path: ['faults', entries.indexOf(first), 'at'],
      message: `no fault starts at 0s: the fault phase starts with the first injection (the earliest is at ${fmtMs(first.atMs)})`,
    });
  }
  entries.forEach((e, i) => {
    const end = ends[i];
    if (e.atMs >= faultMs) {
      issues.push({
        path: ['faults', i, 'at'],
        message: `at ${fmtMs(e.atMs)} is not inside the fault phase (${fmtMs(faultMs)})`,
      });
    } else if (end !== null && end > faultMs) {
      issues.push({
        path: ['faults', i, 'duration'],
        message: `at ${fmtMs(e.atMs)} + duration ${fmtMs(e.durationMs as number)} = ${fmtMs(end)} ends after the fault phase (phases.fault: ${fmtMs(faultMs)})`,
      });
    }
  });
  if (
    phaseFaultMs !== undefined &&
    entries.length > 0 &&
    ends.every((end) => end !== null && end < faultMs)
  ) {
    issues.push({
      path: ['phases', 'fault'],
      message: `${fmtMs(faultMs)} runs past the last revert (at ${fmtMs(lastWrittenEnd)}): the fault phase ends with the last revert; leave phases.fault out or make it ${fmtMs(lastWrittenEnd)}`,
    });
  }
  const faults = entries.flatMap((e, i): ScenarioFault[] => {
    if (!e.fault) return [];
    const durationMs = e.durationMs ?? Math.max(0, faultMs - e.atMs);
    const spec = 'durationMs' in e.fault ? { ...e.fault, durationMs } : e.fault;
    return [
      {
        target: e.target,
        spec,
        atMs: e.atMs,
        durationMs,
        lines: {
          entry: lineOf(['faults', i]) ?? 1,
          target: lineOf(['faults', i, 'target']) ?? lineOf(['faults', i]) ?? 1,
          from: lineOf(['faults', i, 'from']),
        },
      },
    ];
  });
  return { faults, faultMs, issues };
}

const requestSchema = strictMap(requestFields).transform((r, ctx): RequestSpec => {
  if (r.json !== undefined && r.body !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give either json or body, not both' });
    return z.NEVER;
  }
  return {
    method: r.method,
    path: r.path,
    headers: r.headers,
    json: r.json ?? null,
    body: r.body ?? null,
    expect: { status: r.expect.status, bodyContains: r.expect['body-contains'] ?? null },
  };
});

/** A mix's request in the single request's shape. */
function mixEntryAsRequest(entry: MixEntry): RequestSpec {
  return {
    method: entry.method,
    path: entry.path,
    headers: entry.headers,
    json: entry.json ?? null,
    body: entry.body ?? null,
    expect: { status: entry.expect.status, bodyContains: entry.expect['body-contains'] ?? null },
  };
}

const stageSchema = strictMap({
  rate: rateField().optional(),
  users: z.number().int().min(1, { error: 'must be at least 1' }).optional(),
  duration: durationField(),
  name: z.string().min(1).optional(),
});

const loadSchema = strictMap({
  url: z
    .url({ error: 'expected a URL like http://localhost:8080' })
    .refine(isStackUrl, {
      error:
        'a scenario sends its load to the stack only (loopback, or a service by name); give the run a target-url input (or --target-url) for another host',
    })
    .optional(),
  request: requestSchema.optional(),
  requests: requestMixSchema.optional(),
  rate: rateField().optional(),
  users: z
    .number({ error: 'expected a number of users' })
    .int()
    .min(1, { error: 'must be at least 1' })
    .optional(),
  think: durationField().optional(),
  stages: z.array(stageSchema).min(1, { error: 'needs at least one stage' }).optional(),
  timeout: durationField().prefault('10s'),
  ramp: z.enum(['step', 'linear']).prefault('step'),
}).transform((l, ctx): LoadSpec => {
  if ((l.request === undefined) === (l.requests === undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: l.request
        ? 'give request or requests (a mix), not both'
        : 'needs request (one) or requests (a mix)',
    });
    return z.NEVER;
  }
  const request: RequestSpec = l.request ?? mixEntryAsRequest((l.requests as MixEntry[])[0]);
  const base = {
    url: l.url ?? null,
    request,
    requests: l.requests ?? null,
    timeoutMs: l.timeout,
    ramp: l.ramp,
  };
  const given = [
    l.rate !== undefined && 'rate',
    l.users !== undefined && 'users',
    l.stages !== undefined && 'stages',
  ];
  const chosen = given.filter(Boolean);
  if (chosen.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        chosen.length === 0
          ? 'needs rate (open model, e.g. 50/s), users (closed model) or stages'
          : `give one of rate, users, stages (got ${chosen.join(' and ')})`,
    });
    return z.NEVER;
  }
  if (l.rate !== undefined) {
    if (l.think !== undefined)
      ctx.addIssue({ code: 'custom', path: ['think'], message: 'think applies to users (closed model)' });
    return { ...base, model: 'open', stages: [{ ratePerSecond: l.rate, durationMs: null, name: null }] };
  }
  if (l.users !== undefined) {
    return {
      ...base,
      model: 'closed',
      thinkMs: l.think ?? 1000,
      stages: [{ users: l.users, durationMs: null, name: null }],
    };
  }
  const stages = l.stages ?? [];
  const open = stages.every((s) => s.rate !== undefined && s.users === undefined);
  const closed = stages.every((s) => s.users !== undefined && s.rate === undefined);
  if (!open && !closed) {
    const i = stages.findIndex(
      (s) =>
        (s.rate === undefined) === (s.users === undefined) ||
        (s.rate !== undefined) !== (stages[0].rate !== undefined),
    );
    ctx.addIssue({
      code: 'custom',
      path: ['stages', Math.max(0, i)],
      message: 'every stage needs either rate (open model) or users (closed model), the same for all stages',
    });
    return z.NEVER;
  }
  if (open) {
    if (l.think !== undefined)
      ctx.addIssue({ code: 'custom', path: ['think'], message: 'think applies to users (closed model)' });
    return {
      ...base,
      model: 'open',
      stages: stages.map((s) => ({
        ratePerSecond: s.rate as number,
        durationMs: s.duration,
        name: s.name ?? null,
      })),
    };
  }
  return {
    ...base,
    model: 'closed',
    thinkMs: l.think ?? 1000,
    stages: stages.map((s) => ({ users: s.users as number, durationMs: s.duration, name: s.name ?? null })),
  };
});

const phasesSchema = strictMap({
  warmup: durationField().prefault('5s'),
  baseline: durationField().prefault('10s'),
  fault: durationField().optional(),
  recovery: durationField().prefault('60s'),
  after: durationField().prefault('10s'),
});

const comparator = z.enum(['<', '<=', '>', '>=', '==', '!=']);

/**
 * A steady-state check's accepted statuses: one (`200`), a list (`[200, 204]`), or `'< 500'`
 * (the service answers at all: what the run checks when the entry has no HTTP healthcheck).
 */
const steadyStatus = z
  .union([
    z.number().int().min(100).max(599),
    z.array(z.number().int().min(100).max(599)).min(1),
    z.string().regex(/^\s*<\s*[1-5]\d\d\s*$/, { error: "expected a status, a list, or '< 500'" }),
  ])
  .transform((v): { statuses: number[]; below: number | null } =>
    typeof v === 'number'
      ? { statuses: [v], below: null }
      : Array.isArray(v)
        ? { statuses: v, below: null }
        : { statuses: [], below: Number(v.replace(/[<\s]/g, '')) },
  );

const steadyItem = strictMap({
  http: strictMap({
    path: z.string().startsWith('/', { error: 'must start with /' }),
    status: steadyStatus.prefault(200),
    'max-latency': durationField().optional(),
  }).optional(),
  promql: strictMap({
    query: z.string().min(1),
    op: comparator.prefault('=='),
    value: z.number(),
  }).optional(),
}).superRefine((s, ctx) => {
  if ((s.http === undefined) === (s.promql === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'each check is either http: {...} or promql: {...}' });
  }
});

const paramValue = z.union([z.string(), z.number(), z.boolean()], {
  error: 'expected a string, number or true/false',
});

const severityField = z.enum(['error', 'warning'], { error: 'expected error or warning' });

/** The long form of a threshold: `{ threshold: 'fault: p95 < 300ms', severity: warning }`. */
const thresholdLongForm = strictMap({
  threshold: z.string({ error: 'expected a threshold like "fault: p95 < 300ms"' }),
  severity: severityField.optional(),
});

/**
 * One threshold: a string, a one-key map `fault: p95 < 500ms` (how YAML reads that line), or
 * the long form with a severity.
 */
const thresholdItem = z.union(
  [
    z.string(),
    z
      .record(z.string(), z.string())
      .refine((m) => Object.keys(m).length === 1 && !('threshold' in m) && !('severity' in m)),
    thresholdLongForm,
  ],
  {
    error:
      'expected a threshold like "p95 < 500ms" or "fault: error_rate < 1%", or { threshold: ..., severity: warning }',
  },
);

export const scenarioSchema = strictMap({
  name: z
    .string({ error: (i) => (i.input === undefined ? 'is required' : 'expected a name') })
    .regex(/^[a-z0-9][a-z0-9-]*$/, {
      error: 'use lowercase letters, digits and dashes (e.g. redis-failure)',
    }),
  title: nonEmptyString(),
  hypothesis: nonEmptyString(),
  description: z.string().optional(),
  tags: z.array(z.string()).prefault([]),
  /** Required with `fault:`; with `faults:` each entry names its own. */
  target: targetSchema.optional(),
  /** One of fault / faults; which one is checked in load-scenarios (it needs the lines). */
  fault: faultSchema.optional(),
  faults: z
    .array(faultEntrySchema, { error: 'expected a list of faults, each { target, at, type, ... }' })
    .min(1, { error: 'needs at least one fault' })
    .optional(),
  load: loadSchema,
  phases: phasesSchema.prefault({}),
  'steady-state': z.array(steadyItem).prefault([]),
  thresholds: z.array(thresholdItem).min(1, { error: 'needs at least one threshold' }),
  /** warning: every threshold of the scenario is a warning (a new scenario that blocks nobody yet). */
  severity: severityField.optional(),
  abort: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  params: z.record(z.string(), paramValue).prefault({}),
  production: z.record(z.string(), paramValue).prefault({}),
  requires: strictMap({
    roles: z.array(roleField).prefault([]),
    services: z.array(serviceName).prefault([]),
  }).prefault({}),
});

export type ScenarioInput = z.output<typeof scenarioSchema>;
