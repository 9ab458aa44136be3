// `chaos-action load`: runs the load generator alone against a URL and prints what it
// measured, per second and per phase. The flags map one-to-one onto LoadSpec, so a scenario's
// load section can be tried out from a shell first. Exit codes by the one table: 0 done, 2 bad
// flags or spec, 4 the target could not be reached.
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
import { FALSE_WORDS, TRUE_WORDS } from '../config/setting-values';
import { flagSwitch, flagValue, parseCommandLine, UsageError, type CommandLine } from './args';
import { commandHelp, inputFailure, say, sayNotices } from './help';

function wholeNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${flag}: "${text}" is not a whole number`);
  return Number(text);
}

/**
 * `--json` was the request body before it meant JSON output, as it does for list and validate:
 * `--json '{...}'` (a value that is not true or false) is still the body, with a notice.
 */
function legacyJsonBody(argv: readonly string[], notices: string[]): string[] {
  const out: string[] = [];
  const isSwitchWord = (v: string): boolean => [...TRUE_WORDS, ...FALSE_WORDS].includes(v.toLowerCase());
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const inline = arg.startsWith('--json=') ? arg.slice('--json='.length) : undefined;
    const next = argv[i + 1];
    if (inline !== undefined && !isSwitchWord(inline)) {
      notices.push(
        '--json BODY is deprecated: use --request-json BODY (--json now prints the result as JSON)',
      );
      out.push(`--request-json=${inline}`);
    } else if (arg === '--json' && next !== undefined && !next.startsWith('--')) {
      notices.push(
        '--json BODY is deprecated: use --request-json BODY (--json now prints the result as JSON)',
      );
      out.push('--request-json', next);
      i++;
    } else out.push(arg);
  }
  return out;
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
function loadSpecFrom(line: CommandLine): LoadSpec & { quiet: boolean; outputJson: boolean } {
  const one = (name: string): string | undefined => flagValue(line, name);
  const values = {
    url: one('url'),
    rate: one('rate'),
    duration: one('duration'),
    stages: one('stages'),
    'start-rate': one('start-rate'),
    users: one('users'),
    'user-stages': one('user-stages'),
    think: one('think'),
    method: one('method'),
    json: one('request-json'),
    body: one('body'),
    header: line.values.get('header'),
    'expect-body': one('expect-body'),
    'expect-status': one('expect-status'),
    timeout: one('timeout'),
    warmup: one('warmup'),
    connections: one('connections'),
    workers: one('workers'),
  };
  if (line.positional.length) throw new UsageError(`unexpected argument: ${line.positional.join(' ')}`);
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
      throw new UsageError(`--request-json: not valid JSON: ${values.json}`);
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
  return {
    ...spec,
    quiet: flagSwitch(line, 'quiet', false),
    outputJson: flagSwitch(line, 'json', false),
  };
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
  let spec: ReturnType<typeof loadSpecFrom>;
  const notices: string[] = [];
  try {
    const line = parseCommandLine('load', legacyJsonBody(argv, notices));
    notices.push(...line.notices);
    if (line.help) {
      process.stdout.write(`${commandHelp('load')}\n`);
      return EXIT.passed;
    }
    sayNotices('load', notices.splice(0));
    spec = loadSpecFrom(line);
  } catch (error) {
    sayNotices('load', notices);
    const code = inputFailure('load', error);
    if (code !== null) return code;
    throw error;
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
    return EXIT.passed;
  } catch (error) {
    if (error instanceof LoadSpecError) {
      say('load', `${error.message}\nrun 'chaos-action help load' for its options`);
      return EXIT.configuration;
    }
    if (error instanceof TargetUnreachableError) {
      say('load', error.message);
      return EXIT.failed;
    }
    throw error;
  }
}
