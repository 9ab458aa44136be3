// `chaos-action load`: runs the load generator alone against a URL and prints what it
// measured, per second and per phase. Exit codes: 0 done, 1 the target could not be
// loaded (unreachable), 2 usage error (bad flags or spec). The flags map one-to-one onto
// LoadSpec, so a scenario's load section can be tried out from a shell first.
import { parseArgs } from 'node:util';
import {
  LoadSpecError,
  TargetUnreachableError,
  parseRate,
  startLoad,
  type LoadResult,
  type LoadSpec,
  type LoadWindowStats,
  type RateStage,
  type UserStage,
} from '../load';
import { EXIT } from '../results/gate';

const USAGE = `usage: chaos-action load --url URL (--rate 100/s --duration 30s | --stages "10/s:10s,100/s:20s"
                          | --users N --think 1s --duration 30s | --user-stages "10:10s,100:20s")
       [--method POST] [--json '{...}' | --body TEXT] [--header 'name: value']... [--expect-status 200,429] [--expect-body TEXT]
       [--timeout 10s] [--warmup 5s] [--connections N] [--workers N] [--quiet] [--output-json]`;

const OPTIONS = {
  url: { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  stages: { type: 'string' },
  'start-rate': { type: 'string' },
  users: { type: 'string' },
  'user-stages': { type: 'string' },
  think: { type: 'string' },
  method: { type: 'string' },
  json: { type: 'string' },
  body: { type: 'string' },
  header: { type: 'string', multiple: true },
  'expect-body': { type: 'string' },
  'expect-status': { type: 'string' },
  timeout: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string' },
  workers: { type: 'string' },
  quiet: { type: 'boolean' },
  'output-json': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function wholeNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${flag}: "${text}" is not a whole number`);
  return Number(text);
}

/** "10/s:10s,100/s:20s" → rate stages; "10:10s,100:20s" → user stages. */
function splitStages(text: string, flag: string): { value: string; duration: string }[] {
  return text.split(',').map((part) => {
    const at = part.lastIndexOf(':');
    if (at <= 0) throw new UsageError(`--${flag}: "${part}" is not VALUE:DURATION (e.g. 100/s:20s)`);
    return { value: part.slice(0, at).trim(), duration: part.slice(at + 1).trim() };
  });
}

/** Builds a LoadSpec from the command line; UsageError for flags that cannot be read. */
export function loadSpecFromArgs(argv: string[]): LoadSpec & { quiet: boolean; outputJson: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals.join(' ')}`);
  if (!values.url) throw new UsageError('--url is required');
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header: "${header}" is not "name: value"`);
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  let json: unknown;
  if (values.json !== undefined) {
    try {
      json = JSON.parse(values.json);
    } catch {
      throw new UsageError(`--json: not valid JSON: ${values.json}`);
    }
  }
  const spec: LoadSpec = {
    url: values.url,
    request: { method: values.method, headers, json, body: values.body },
    duration: values.duration,
    think: values.think,
    timeout: values.timeout,
    warmup: values.warmup,
    connections: wholeNumber(values.connections, 'connections'),
    workers: wholeNumber(values.workers, 'workers'),
  };
  if (values['expect-body'] !== undefined) spec.expect = { bodyContains: values['expect-body'] };
  if (values['expect-status'] !== undefined) {
    const status = values['expect-status'].split(',').map((text) => {
      const code = Number(text.trim());
      if (!Number.isInteger(code)) throw new UsageError(`--expect-status: "${text}" is not a status code`);
      return code;
    });
    spec.expect = { ...spec.expect, status };
  }
  if (values.rate !== undefined) spec.rate = values.rate;
  if (values['start-rate'] !== undefined) spec.startRate = parseRate(values['start-rate'], '--start-rate');
  if (values.stages !== undefined) {
    spec.stages = splitStages(values.stages, 'stages').map((s): RateStage => ({
      rate: s.value,
      duration: s.duration,
    }));
  }
  if (values.users !== undefined) spec.users = wholeNumber(values.users, 'users');
  if (values['user-stages'] !== undefined) {
    spec.userStages = splitStages(values['user-stages'], 'user-stages').map((s): UserStage => ({
      users: wholeNumber(s.value, 'user-stages') as number,
      duration: s.duration,
    }));
  }
  return { ...spec, quiet: values.quiet ?? false, outputJson: values['output-json'] ?? false };
}

const ms = (value: number | null): string => (value === null ? '-' : value.toFixed(value < 10 ? 2 : 1));
const percent = (ratio: number): string => `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.001 ? 3 : 1)}%`;
const errorList = (errors: Record<string, number>): string =>
  Object.entries(errors)
    .map(([kind, count]) => `${kind}=${count}`)
    .join(' ') || '-';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padStart(widths[column])).join('  ')).join('\n');
}

function windowRow(label: string, stats: LoadWindowStats): string[] {
  return [
    label,
    String(stats.scheduled),
    String(stats.completed),
    stats.targetRate === null ? '-' : stats.targetRate.toFixed(1),
    stats.achievedRate.toFixed(1),
    ms(stats.p50Ms),
    ms(stats.p90Ms),
    ms(stats.p95Ms),
    ms(stats.p99Ms),
    ms(stats.maxMs),
    percent(stats.errorRate),
    errorList(stats.errors),
    String(stats.late),
    stats.generatorLimited ? 'yes' : 'no',
  ];
}

/** The human summary: per second, then per phase and the whole run. */
export function formatLoadResult(result: LoadResult, perSecond = true): string {
  const lines: string[] = [];
  if (perSecond && result.timeline.length) {
    const header = ['second', 'phase', 'sched', 'done', 'p50ms', 'p95ms', 'p99ms', 'err', 'errors', 'late'];
    const rows = result.timeline.map((point) => [
      String(point.second),
      point.phase,
      String(point.scheduled),
      String(point.completed),
      ms(point.p50Ms),
      ms(point.p95Ms),
      ms(point.p99Ms),
      percent(point.errorRate),
      errorList(point.errors),
      String(point.late),
    ]);
    lines.push(table([header, ...rows]), '');
  }
  const header = [
    'window',
    'sched',
    'done',
    'target/s',
    'got/s',
    'p50ms',
    'p90ms',
    'p95ms',
    'p99ms',
    'maxms',
  ];
  header.push('err', 'errors', 'late', 'gen-limited');
  const rows = result.phases.map((phase) => windowRow(phase.phase, phase));
  rows.push(windowRow('total', result.total));
  lines.push(table([header, ...rows]));
  lines.push(
    `${result.model} model, ${result.workers} thread(s), peak outstanding ${result.peakOutstanding}, ` +
      `${(result.durationMs / 1000).toFixed(1)}s of load against ${result.url}`,
  );
  for (const note of result.generatorNotes) lines.push(`warning: ${note}`);
  return lines.join('\n');
}

export async function loadCommand(argv: string[]): Promise<number> {
  let spec: ReturnType<typeof loadSpecFromArgs>;
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    spec = loadSpecFromArgs(argv);
  } catch (error) {
    process.stderr.write(`chaos-action load: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { quiet, outputJson, ...loadSpec } = spec;
  try {
    const run = await startLoad(loadSpec);
    const interrupt = (): void => void run.stop();
    process.once('SIGINT', interrupt);
    await run.done;
    process.off('SIGINT', interrupt);
    const result = run.result();
    process.stdout.write(
      `${outputJson ? JSON.stringify(result, null, 2) : formatLoadResult(result, !quiet)}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof LoadSpecError) {
      process.stderr.write(`chaos-action load: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof TargetUnreachableError) {
      process.stderr.write(`chaos-action load: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}
