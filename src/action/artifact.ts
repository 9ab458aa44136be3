// What a report-mode run reads from the gate run's artifact: results.json and
// pull-request.json, written by a run whose stack the fork controlled. Untrusted data, read so
// that nothing in it can reach a rendered surface in a shape the renderers do not expect:
// - each file is read without following a symlink, must be a regular file, and is capped in
//   size (MAX_RESULTS_BYTES, MAX_PULL_REQUEST_BYTES) before a byte of it is parsed;
// - results.json is checked against a schema of the results contract (src/results): numbers
//   are finite numbers, phases, outcomes and verdicts one of their words, every string and
//   every list bounded (the bounds below); fields the schema does not know are dropped, so no
//   renderer ever sees them. Anything else is refused, naming the file and the field;
// - what the file claims is not believed: each scenario's outcome is made to agree with its
//   thresholds (a "pass" beside a violated threshold is a fail), the run's outcome and the
//   counts are recomputed from the scenarios.
// No message quotes the file's text (a JSON error names a position, not what is there).
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { z } from 'zod';
import {
  combineOutcomes,
  isViolatedWarning,
  isViolation,
  PHASE_ORDER,
  type Outcome,
  type RunResult,
  type ScenarioResult,
} from '../results';
import { readOpenFile } from '../util/read-fd';

/** The largest results.json a report-mode run reads. */
export const MAX_RESULTS_BYTES = 16 * 1024 * 1024;
/** The largest pull-request.json a report-mode run reads. */
export const MAX_PULL_REQUEST_BYTES = 16 * 1024;

/** The bounds of results.json, per field: what a genuine run stays far below. */
export const RESULT_LIMITS = {
  scenarios: 1_000,
  thresholdsPerScenario: 1_000,
  timelinePoints: 100_000,
  logMatches: 10_000,
  notes: 1_000,
  faults: 64,
  evidence: 1_000,
  targets: 64,
  errorKinds: 64,
  composeFiles: 64,
  /** A name, a kind, a phase word, a version. */
  nameChars: 200,
  /** A path, a URL, a limit or an actual value, a log line, a note, an evidence line. */
  lineChars: 4_000,
  /** A reason, a hypothesis, a threshold's detail. */
  textChars: 20_000,
} as const;

export class ArtifactError extends Error {}

/**
 * A file of the artifact as text: not through a symlink, a regular file, at most `maxBytes`.
 * Throws ArtifactError naming the file.
 */
export function readArtifactFile(file: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new ArtifactError(`${file}: a symlink; the artifact's files are read as they are`);
    throw new ArtifactError(
      `${file}: cannot be read (${code ?? 'error'}); download the gate run's results artifact into results-dir`,
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ArtifactError(`${file}: not a regular file`);
    if (stat.size > maxBytes)
      throw new ArtifactError(`${file}: ${stat.size} bytes, more than the ${maxBytes} a report reads`);
    return readOpenFile(fd, stat.size);
  } finally {
    closeSync(fd);
  }
}

/** JSON.parse, whose own message quotes the text: replaced by one that does not. */
export function parseArtifactJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ArtifactError(`${file}: not JSON${at ? ` (at byte ${at})` : ''}`);
  }
}

// ---------------------------------------------------------------------------------
// The schema of results.json

const L = RESULT_LIMITS;
const text = (max: number) => z.string().max(max);
const name = text(L.nameChars);
const line = text(L.lineChars);
const long = text(L.textChars);
const count = z.number().int().min(0);
const num = z.number();
const ms = z.number().nullable();
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max);

const outcome = z.enum(['pass', 'fail', 'inconclusive', 'error', 'skipped']);
const phaseName = z.enum(PHASE_ORDER as readonly ['warmup', 'baseline', 'fault', 'recovery', 'after']);

const latency = {
  meanMs: ms,
  p50Ms: ms,
  p90Ms: ms,
  p95Ms: ms,
  p99Ms: ms,
  maxMs: ms,
};

const phaseStats = z.object({
  ...latency,
  phase: phaseName,
  startMs: num,
  endMs: num,
  scheduled: count,
  timed: count,
  completed: count,
  targetRate: num.nullable(),
  achievedRate: num,
  errorRate: num,
  errors: z
    .record(name, count)
    .refine((errors) => Object.keys(errors).length <= L.errorKinds, `at most ${L.errorKinds} error kinds`),
  late: count,
});

const timelinePoint = z.object({
  second: z.number().int(),
  phase: phaseName,
  scheduled: count,
  completed: count,
  p95Ms: ms,
  errorRate: num,
});

const threshold = z.object({
  source: line,
  file: line,
  line: count,
  phase: phaseName.nullable(),
  metric: name,
  passed: z.boolean().nullable(),
  actual: line,
  limit: line,
  value: num.nullable(),
  detail: long.optional(),
  severity: z.enum(['error', 'warning']).optional(),
});

const faultReport = z.object({
  kind: name,
  targets: list(line, L.targets),
  injectedAtMs: ms,
  revertedAtMs: ms,
  evidence: list(line, L.evidence),
  injectMs: ms,
  revertMs: ms,
});

const change = z.object({ change: num.nullable(), low: num.nullable(), high: num.nullable() });
const side = z.object({
  scheduled: count,
  timed: count,
  p50Ms: ms,
  p95Ms: ms,
  p99Ms: ms,
  errorRate: num.nullable(),
});

const comparison = z.object({
  base: z.object({
    project: name,
    composeFiles: list(line, L.composeFiles),
    outcome,
    reason: long,
  }),
  mode: z.enum(['concurrent', 'sequential', 'interleaved']),
  confidence: num,
  limits: z.object({ p95: num, p99: num, errorRate: num }),
  phases: list(
    z.object({
      phase: phaseName,
      pr: side,
      base: side,
      p95: change,
      p99: change,
      errorRate: change,
      shift: z.object({ estimateMs: num, lowMs: num, highMs: num, pValue: num }).nullable(),
      verdict: z.enum(['regressed', 'within', 'inconclusive']),
      why: long,
    }),
    PHASE_ORDER.length,
  ),
  baseTimeline: list(timelinePoint, L.timelinePoints).optional(),
});

const scenario = z.object({
  name,
  title: line,
  hypothesis: long,
  file: line,
  outcome,
  reason: long,
  startedAt: name,
  durationMs: num,
  phases: list(phaseStats, PHASE_ORDER.length),
  timeline: list(timelinePoint, L.timelinePoints),
  faultWindow: z.object({ startSecond: z.number().int(), endSecond: z.number().int() }).nullable(),
  thresholds: list(threshold, L.thresholdsPerScenario),
  fault: faultReport.nullable(),
  faults: list(faultReport, L.faults).optional(),
  recoveryTimeMs: ms,
  mttrMs: ms.optional(),
  logMatches: list(z.object({ service: name, line, atMs: ms }), L.logMatches),
  generatorLimited: z.boolean(),
  notes: list(line, L.notes),
  comparison: comparison.optional(),
});

const runResult = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('chaos-action'), version: name }),
  startedAt: name,
  finishedAt: name,
  durationMs: num,
  suite: name,
  composeFiles: list(line, L.composeFiles),
  project: name,
  commit: name.nullable(),
  runUrl: line.nullable(),
  outcome: z.enum(['pass', 'fail', 'inconclusive', 'error']),
  violations: count,
  skipped: count,
  warnings: count.optional(),
  scenarios: list(scenario, L.scenarios),
});

/** scenarios[0].phases[1].phase, from zod's path; a key of the file's is quoted, short. */
function fieldName(path: PropertyKey[]): string {
  return (
    path
      .map((part, i) => {
        if (typeof part === 'number') return `[${part}]`;
        const key = String(part);
        const shown = /^[A-Za-z_][\w-]{0,63}$/.test(key) ? key : JSON.stringify(key.slice(0, 40));
        return i === 0 ? shown : `.${shown}`;
      })
      .join('') || '(top)'
  );
}

/** What was expected, in words that never repeat the file's text. */
function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_big':
      return `longer than ${String(issue.maximum)} (the bound a report reads)`;
    case 'too_small':
      return `less than ${String(issue.minimum)}`;
    case 'unrecognized_keys':
      return 'unknown fields';
    default:
      return issue.message.slice(0, 200);
  }
}

/** The detail the verdict gives a check it skipped on purpose (no baseline, no trace store). */
const SKIPPED_DETAIL = 'skipped:';

/**
 * A scenario's outcome made to agree with its thresholds, by the engine's rules (a warning
 * never decides): a violated threshold makes "pass" or "skipped" a fail; a "pass" with a
 * threshold that was not evaluated (and not skipped on purpose), or with none judged at all,
 * is inconclusive. Outcomes that already say "not passed" stand.
 */
function agreedOutcome(s: ScenarioResult): Outcome {
  if (s.thresholds.some(isViolation) && (s.outcome === 'pass' || s.outcome === 'skipped')) return 'fail';
  if (s.outcome !== 'pass') return s.outcome;
  const open = s.thresholds.some(
    (t) => t.passed === null && t.severity !== 'warning' && !(t.detail ?? '').startsWith(SKIPPED_DETAIL),
  );
  const judged = s.thresholds.some((t) => t.passed !== null);
  return open || !judged ? 'inconclusive' : 'pass';
}

/**
 * results.json as untrusted data: checked against the schema, then its verdicts recomputed
 * from the scenarios. Throws ArtifactError naming the file and the first field at fault.
 */
export function parseResults(json: string, file: string): RunResult {
  const parsed = runResult.safeParse(parseArtifactJson(json, file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ArtifactError(`${file}: ${fieldName(issue.path)}: ${expectation(issue)}`);
  }
  // The schema's output is the contract's shape (ScenarioMs is a number with a brand).
  const result = parsed.data as unknown as RunResult;
  for (const s of result.scenarios) s.outcome = agreedOutcome(s);
  result.outcome = combineOutcomes(result.scenarios.map((s) => s.outcome));
  result.violations = result.scenarios.reduce((n, s) => n + s.thresholds.filter(isViolation).length, 0);
  result.warnings = result.scenarios.reduce((n, s) => n + s.thresholds.filter(isViolatedWarning).length, 0);
  result.skipped = result.scenarios.filter((s) => s.outcome === 'skipped').length;
  return result;
}
