// The verdict table the CLI prints: plain text, aligned columns, readable in a CI log.
import {
  isViolatedWarning,
  isViolation,
  type PhaseName,
  type RunResult,
  type ScenarioResult,
} from '../results';
import { comparisonHeadline } from '../compare';
import { terminalText } from './escape';
import { fmtMs, fmtPct, fmtSeconds } from './format';
import { requestFigures, type RequestFigures } from './requests';

const OUTCOME_WORD = {
  pass: 'PASS',
  fail: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
  error: 'ERROR',
  skipped: 'SKIPPED',
} as const;

function p95(scenario: ScenarioResult, phase: PhaseName): string {
  return fmtMs(scenario.phases.find((p) => p.phase === phase)?.p95Ms ?? null);
}

function faultErrorRate(scenario: ScenarioResult): string {
  const fault =
    scenario.phases.find((p) => p.phase === 'fault') ?? scenario.phases.find((p) => p.phase === 'baseline');
  return fault ? fmtPct(fault.errorRate) : '—';
}

function violations(scenario: ScenarioResult): string {
  const failed = scenario.thresholds.filter(isViolation);
  // A violated warning fails nothing, but the table says so: ⚠ and the threshold.
  const warned = scenario.thresholds
    .filter(isViolatedWarning)
    .map((t) => `⚠ ${t.source} (actual ${t.actual})`);
  const why: string[] = [];
  if (failed.length > 0) why.push(failed.map((t) => `${t.source} (actual ${t.actual})`).join('; '));
  else if (scenario.outcome === 'inconclusive' || scenario.outcome === 'error') why.push(scenario.reason);
  return [...why, ...warned].join('; ');
}

/** Pads cells to column widths; the last column is left free so long texts do not widen the rest. */
function alignRows(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) =>
    column === rows[0].length - 1 ? 0 : Math.max(...rows.map((row) => [...row[column]].length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === row.length - 1 ? cell : cell + ' '.repeat(widths[column] - [...cell].length),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** A request's p95 over a phase, or — when it sent nothing there. */
function requestP95(request: RequestFigures, phase: PhaseName): string {
  return fmtMs(request.phases.find((p) => p.phase === phase)?.stats.p95Ms ?? null);
}

/** A request's error rate in the fault (else the baseline), as the scenario's row shows it. */
function requestErrorRate(request: RequestFigures): string {
  const fault =
    request.phases.find((p) => p.phase === 'fault') ?? request.phases.find((p) => p.phase === 'baseline');
  return fault ? fmtPct(fault.stats.errorRate) : '—';
}

export interface TerminalOptions {
  /** Under each scenario of a mix, one row per request (`--per-request`). */
  perRequest?: boolean;
}

export function renderTerminalTable(result: RunResult, options: TerminalOptions = {}): string {
  // A paired run adds a `VS BASE` column: the PR's scenario against the base stack's.
  const paired = result.scenarios.some((s) => s.comparison);
  const header = ['SCENARIO', 'VERDICT', 'P95 BASE→FAULT→AFTER', 'ERR(FAULT)', 'RECOVERY'];
  if (paired) header.push('VS BASE');
  header.push('WHY');
  const rows = result.scenarios.flatMap((scenario) => [
    [
      scenario.name,
      OUTCOME_WORD[scenario.outcome],
      `${p95(scenario, 'baseline')} → ${p95(scenario, 'fault')} → ${p95(scenario, 'after')}`,
      faultErrorRate(scenario),
      fmtSeconds(scenario.recoveryTimeMs),
      ...(paired ? [scenario.comparison ? comparisonHeadline(scenario.comparison) : '—'] : []),
      violations(scenario),
    ],
    ...(options.perRequest ? requestFigures(scenario) : []).map((request) => [
      `  · ${request.name}`,
      '',
      `${requestP95(request, 'baseline')} → ${requestP95(request, 'fault')} → ${requestP95(request, 'after')}`,
      requestErrorRate(request),
      '',
      ...(paired ? [''] : []),
      '',
    ]),
  ]);
  // Names and reasons come from scenario files and the stack: shown, never acted on by the terminal.
  const lines = alignRows([header, ...rows.map((row) => row.map(terminalText))]);
  const failed = result.scenarios.filter((s) => s.outcome === 'fail').length;
  const warnings = result.scenarios.reduce((n, s) => n + s.thresholds.filter(isViolatedWarning).length, 0);
  // Every kind counted: an errored or inconclusive scenario is never hidden behind a failure.
  const others = (['error', 'inconclusive'] as const)
    .map(
      (o) => [result.scenarios.filter((s) => s.outcome === o).length, o === 'error' ? 'errored' : o] as const,
    )
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}, `)
    .join('');
  lines.push(
    '',
    `${OUTCOME_WORD[result.outcome]}: ${result.scenarios.length} scenarios, ${failed} failed, ${others}` +
      `${result.violations} thresholds violated${warnings > 0 ? `, ${warnings} warnings ⚠` : ''} ` +
      `(suite ${result.suite}, ${fmtSeconds(result.durationMs)})`,
  );
  return lines.join('\n');
}
