// `chaos-action calibrate`: the revision paired with itself (A/A: the same compose files as the
// PR side and as the base, each its own compose project, the same scenario, fault and load at
// the same time). Whatever change the comparison shows is noise; its intervals give each
// metric's noise floor per phase (src/compare/noise-floor.ts), and a phase length wherever a
// regression limit is below the floor. Writes results.json (with a `calibration` block),
// calibration.json and the report, like `run`.
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  calibrate,
  formatMagnitude,
  type Calibration,
  type FloorCheck,
  type NoiseFloor,
} from '../compare/noise-floor';
import { formatChange } from '../compare';
import type { ConfigIssue } from '../config/errors';
import type { RunConfig } from '../config/run-config';
import { checkResultsDir, writeResultFiles } from '../report/files';
import { EXIT } from '../results/gate';
import { prepareRun, runChaos } from '../scenario/engine';
import { flagValue, parseCommandLine, runSettingsFromFlags, UsageError } from './args';
import { commandHelp, inputFailure, say, sayNotices } from './help';
import { createProgress } from './progress';
import { installSignalHandlers, printableError, runConfigFromFlags } from './run-setup';

export async function calibrateCommand(argv: string[]): Promise<number> {
  let config: RunConfig;
  let prepared;
  let power: number;
  try {
    const line = parseCommandLine('calibrate', argv);
    if (line.help) {
      process.stdout.write(`${commandHelp('calibrate')}\n`);
      return EXIT.passed;
    }
    sayNotices('calibrate', line.notices);
    if (line.positional.length) throw new UsageError(`unexpected argument "${line.positional[0]}"`);
    power = parsePower(flagValue(line, 'power'));
    const notices: ConfigIssue[] = [];
    try {
      config = runConfigFromFlags(flagValue(line, 'config-file'), runSettingsFromFlags(line), notices);
    } finally {
      sayNotices('calibrate', notices);
    }
    checkResultsDir(config.resultsDir);
    // A/A: the base is the revision itself. A config file's base-compose-file is not what is measured here.
    config = { ...config, baseCompose: [...config.composeFiles], baselineResults: null };
    prepared = await prepareRun(config);
  } catch (error) {
    const code = inputFailure('calibrate', error);
    if (code !== null) return code;
    throw error;
  }

  const progress = createProgress();
  const interrupted = new AbortController();
  const stop = installSignalHandlers(progress.log, interrupted);
  try {
    progress.log(
      `calibrating ${prepared.scenarios.map((s) => s.name).join(', ')}: ${config.composeFiles.join(' + ')} paired with itself`,
    );
    const result = await runChaos(
      config,
      prepared,
      {
        log: progress.log,
        onPhase: progress.phase,
        onScenarioDone: progress.scenarioDone,
        signal: interrupted.signal,
      },
      { commit: process.env.GITHUB_SHA ?? null, runUrl: null },
    );
    progress.finish();
    const calibration = calibrate(result, power);
    // results.json carries the calibration beside the comparisons it was computed from.
    const withCalibration: typeof result & { calibration: Calibration } = { ...result, calibration };
    const files = await writeResultFiles(withCalibration, config.resultsDir);
    const calibrationJson = path.join(config.resultsDir, 'calibration.json');
    await writeFile(calibrationJson, `${JSON.stringify(calibration, null, 2)}\n`);
    await appendFile(files.report, `\n${renderCalibrationMarkdown(calibration, result.scenarios)}`);
    process.stdout.write(`\n${renderCalibrationTable(calibration, result.scenarios)}\n`);
    process.stdout.write(`calibration: ${calibrationJson}\nresults:     ${files.resultsJson}\n`);
    if (calibration.floors.every((f) => f.floor === null)) {
      const why = result.scenarios.map((s) => `${s.name}: ${s.outcome}${s.reason ? ` (${s.reason})` : ''}`);
      say('calibrate', `no comparison could be made (${printableError(why.join('; '))})`);
      // Nothing measured on both sides: broken (a scenario errored, none ran) or merely unjudged.
      const broken = result.scenarios.length === 0 || result.scenarios.some((s) => s.outcome === 'error');
      return broken ? EXIT.failed : EXIT.inconclusive;
    }
    // Calibration measures noise; a threshold the A/A run violated is noted, not a failure of calibrate.
    if (result.outcome !== 'pass')
      process.stdout.write(`note: the A/A run's own outcome was ${result.outcome} (see the report)\n`);
    return 0;
  } catch (error) {
    progress.finish();
    say('calibrate', printableError(error));
    return EXIT.failed;
  } finally {
    stop();
  }
}

function parsePower(value: string | undefined): number {
  if (value === undefined) return 0.8;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0.5 || n >= 1)
    throw new UsageError(`--power: "${value}" is not a power (a number between 0.5 and 1, e.g. 0.8)`);
  return n;
}

const METRIC_LABEL: Record<NoiseFloor['metric'], string> = {
  p95: 'p95',
  p99: 'p99',
  error_rate: 'error rate',
  p50_shift: 'p50 shift',
};

interface Row {
  scenario: string;
  phase: string;
  metric: string;
  aa: string;
  floor: string;
  limit: string;
  status: string;
}

/** A phase that neither side measured (a 0 s phase): listed once under the table, not as rows. */
function unmeasured(f: NoiseFloor, all: NoiseFloor[]): boolean {
  return all
    .filter((g) => g.scenario === f.scenario && g.phase === f.phase)
    .every((g) => g.samples === 0 && g.change === null);
}

function rows(calibration: Calibration, scenarios: { name: string; comparison?: unknown }[]): Row[] {
  const names = new Set(scenarios.map((s) => s.name));
  return calibration.floors
    .filter((f) => names.has(f.scenario) && !unmeasured(f, calibration.floors))
    .map((f) => {
      const check = calibration.checks.find(
        (c) => c.scenario === f.scenario && c.phase === f.phase && c.metric === f.metric,
      ) as FloorCheck;
      return {
        scenario: f.scenario,
        phase: f.phase,
        metric: METRIC_LABEL[f.metric],
        aa: formatChange({ change: f.change, low: f.low, high: f.high }, f.unit),
        floor:
          f.floor === null
            ? 'unknown'
            : `${formatMagnitude(f.floor, f.unit)}${f.floorFrom === 'aa-bound' ? ' (A/A end)' : ''}`,
        limit: `${formatMagnitude(check.limit, f.unit)}`,
        status:
          check.status === 'below-floor'
            ? check.recommendedSeconds === null
              ? 'below floor'
              : `below floor: ${check.recommendedSeconds}s phase`
            : check.status,
      };
    });
}

const HEADERS: Row = {
  scenario: 'SCENARIO',
  phase: 'PHASE',
  metric: 'METRIC',
  aa: 'A/A CHANGE [95% interval]',
  floor: 'FLOOR',
  limit: 'LIMIT',
  status: 'LIMIT VS FLOOR',
};

/** The floor next to every A/A comparison, as an aligned plain-text table with the recommendations under it. */
export function renderCalibrationTable(
  calibration: Calibration,
  scenarios: { name: string; comparison?: unknown }[],
): string {
  const all = [HEADERS, ...rows(calibration, scenarios)];
  const keys = Object.keys(HEADERS) as (keyof Row)[];
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...all.map((r) => [...r[k]].length))]));
  const lines = all.map((r) =>
    keys
      .map((k, i) => (i === keys.length - 1 ? r[k] : r[k] + ' '.repeat(width[k] - [...r[k]].length)))
      .join('  ')
      .trimEnd(),
  );
  lines.push('', ...recommendationLines(calibration));
  return lines.join('\n');
}

/** The same, as a markdown section appended to the calibration run's report. */
export function renderCalibrationMarkdown(
  calibration: Calibration,
  scenarios: { name: string; comparison?: unknown }[],
): string {
  const keys = Object.keys(HEADERS) as (keyof Row)[];
  const line = (r: Row): string => `| ${keys.map((k) => r[k].replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    '## Calibration: the noise floor (A/A)',
    '',
    `The revision ran paired with itself. Floor: ${calibration.definition}; power ${calibration.power}.`,
    '',
    line(HEADERS),
    `|${keys.map(() => ' --- ').join('|')}|`,
    ...rows(calibration, scenarios).map(line),
    '',
    ...recommendationLines(calibration).map((l) => `- ${l}`),
    '',
  ].join('\n');
}

function recommendationLines(calibration: Calibration): string[] {
  if (calibration.floors.every((f) => f.floor === null))
    return ['No floor could be measured (no paired comparison had samples on both sides).'];
  const lines: string[] = [];
  const empty = new Map<string, string[]>();
  for (const f of calibration.floors.filter((g) => unmeasured(g, calibration.floors)))
    if (!(empty.get(f.scenario) ?? []).includes(f.phase))
      empty.set(f.scenario, [...(empty.get(f.scenario) ?? []), f.phase]);
  for (const [scenario, phases] of empty)
    lines.push(`${scenario}: no requests on either side in ${phases.join(', ')}: no floor there`);
  for (const f of calibration.floors.filter((g) => g.aaExcludesZero))
    lines.push(
      `${f.scenario} ${f.phase} ${METRIC_LABEL[f.metric]}: the A/A interval ${formatChange({ change: f.change, low: f.low, high: f.high }, f.unit)} ` +
        `excludes 0: the two stacks differed beyond sampling noise (a longer phase does not remove that)`,
    );
  for (const r of calibration.recommendations)
    lines.push(
      `${r.scenario} ${r.phase}: the ${r.metrics.map((m) => METRIC_LABEL[m]).join(', ')} limit is below the floor; ` +
        `run the ${r.phase} phase for about ${r.seconds}s (now ${Math.round(r.nowSeconds)}s) at the same rate, or raise the limit`,
    );
  if (!calibration.checks.some((c) => c.status === 'below-floor'))
    lines.push('Every regression limit is above its floor at these durations.');
  return lines;
}
