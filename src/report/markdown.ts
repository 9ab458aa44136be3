// The run's report as GitHub-flavoured markdown: the sticky PR comment and the job
// summary render the same text. Pure: RunResult (+ an optional baseline) in, string out.
//
// Shape: the overall verdict line first (with the commit measured and a link to the
// run), one summary table with every scenario's verdict, key figures and violated
// thresholds, the baseline comparison, then one collapsible <details> per scenario.
//
// Size (after dorny/test-reporter): a report must fit `maxBytes` UTF-8 bytes. Detail is
// dropped first — charts, then log lines, then the timeline and per-phase tables, then
// whole <details> blocks (passing scenarios first, longest first), then the baseline
// table, then the summary table is made compact — and only then is the text cut, at a
// line boundary, with every open fence / <pre> / <details> closed. Every step adds a
// note saying what was dropped and where the full report is. The summary table's
// verdicts survive every step short of the final cut, which only a run of thousands of
// scenarios reaches.
import type { RunResult, ScenarioResult, ThresholdResult } from '../results';
import { PHASE_ORDER, isViolatedWarning } from '../results';
import { compareToBaseline, type BaselineComparison } from './baseline';
import { renderComparisonChart, renderTimelineChart, renderTimelineTable } from './chart';
import { formatChange } from '../compare';
import { requestFigures } from './requests';
import { checkLimit, formatMagnitude, scenarioFloors, type FloorMetric } from '../compare/noise-floor';
import { escapeInline, htmlText, inlineCode, preBlock, truncateChars, utf8Bytes } from './escape';
import {
  OUTCOME_LABEL,
  OUTCOME_SYMBOL,
  describeViolation,
  fmtChange,
  fmtDuration,
  fmtMs,
  fmtOffset,
  fmtPct,
  fmtSeconds,
  fmtPp,
  fmtRate,
  phaseOf,
  shortSha,
  thresholdResultMark,
  WARNING_MARK,
} from './format';

export { compareToBaseline, compareScenario, regressionOf } from './baseline';
export type { BaselineComparison, ScenarioDelta, PhaseDelta, RegressionMetric } from './baseline';

/** GitHub's limit for an issue / PR comment body (65,536 characters; we count bytes, which is stricter). */
export const COMMENT_MAX_BYTES = 65_535;
/** GitHub's limit for one step's job summary (1 MiB). */
export const SUMMARY_MAX_BYTES = 1_048_576;
/** Bytes kept free for the sticky comment's hidden marker. */
export const MARKER_RESERVE_BYTES = 512;

export interface ReportOptions {
  /** A previous run to compare with (e.g. the nightly results.json of the default branch). */
  baseline?: RunResult | null;
  /** Byte budget; default COMMENT_MAX_BYTES - MARKER_RESERVE_BYTES, so the text fits a sticky comment. */
  maxBytes?: number;
  /** Where the full report is, named in the note when detail is dropped. */
  fullReportHint?: string;
  /**
   * How a scenario file reads in the report, and where it links (e.g. the file at the PR's
   * head commit); default: the path as recorded, no link. See src/report/source-paths.ts.
   */
  locate?: SourceLocator;
}

/** A scenario file (and line) as the report shows it: display text and an optional link. */
export type SourceLocator = (file: string, line: number | null) => { text: string; url: string | null };

const AS_RECORDED: SourceLocator = (file, line) => ({
  text: line === null ? file : `${file}:${line}`,
  url: null,
});

/** Violated warning thresholds in a run (results.json's `warnings`, counted again for older files). */
export function warningCount(result: RunResult): number {
  return (
    result.warnings ?? result.scenarios.reduce((n, s) => n + s.thresholds.filter(isViolatedWarning).length, 0)
  );
}

export interface RenderedReport {
  markdown: string;
  bytes: number;
  /** What was left out to fit, in the order it was dropped ('charts', 'log lines', …); empty when nothing. */
  dropped: string[];
  /** True when the text had to be cut after all detail was dropped. */
  trimmed: boolean;
}

interface DetailLevel {
  charts: boolean;
  logs: 'all' | 'capped' | 'none';
  timelineTable: boolean;
  phaseTable: boolean;
}

const FULL: DetailLevel = { charts: true, logs: 'all', timelineTable: true, phaseTable: true };
const LOG_CAP_LINES = 10;
const LOG_CAP_CHARS = 300;
const HYPOTHESIS_CHARS = 90;

// ---------------------------------------------------------------------------------
// Verdict line and summary table

function countBy(result: RunResult): Record<string, number> {
  const c: Record<string, number> = { pass: 0, fail: 0, inconclusive: 0, error: 0, skipped: 0 };
  for (const s of result.scenarios) c[s.outcome] += 1;
  return c;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The one-line verdict: "❌ chaos gate failed: 2 of 7 scenarios violated their SLOs (4 thresholds)". */
export function renderVerdictLine(result: RunResult): string {
  const c = countBy(result);
  // Skipped scenarios did not run: the headline counts the ones that did, and names the rest.
  const n = result.scenarios.length - c.skipped;
  const others: string[] = [];
  let line: string;
  switch (result.outcome) {
    case 'fail':
      line = `${OUTCOME_SYMBOL.fail} chaos gate failed: ${c.fail} of ${plural(n, 'scenario')} violated their SLOs (${plural(result.violations, 'threshold')})`;
      if (c.error) others.push(`${c.error} errored`);
      if (c.inconclusive) others.push(`${c.inconclusive} inconclusive`);
      break;
    case 'error':
      line = `${OUTCOME_SYMBOL.error} chaos gate errored: ${c.error} of ${plural(n, 'scenario')} could not be run; no SLO violation was measured`;
      if (c.inconclusive) others.push(`${c.inconclusive} inconclusive`);
      break;
    case 'inconclusive':
      line =
        n === 0
          ? `${OUTCOME_SYMBOL.inconclusive} chaos gate inconclusive: every scenario was skipped, nothing was judged`
          : `${OUTCOME_SYMBOL.inconclusive} chaos gate inconclusive: ${c.inconclusive} of ${plural(n, 'scenario')} neither passed nor failed`;
      break;
    default: {
      const warnings = warningCount(result);
      const verb = warnings > 0 ? `passed with ${plural(warnings, 'warning')} ${WARNING_MARK}` : 'passed';
      line = `${OUTCOME_SYMBOL.pass} chaos gate ${verb}: ${n === 0 ? 'no scenarios ran' : `${c.pass} of ${plural(n, 'scenario')} held their SLOs`}`;
    }
  }
  if (result.outcome !== 'pass' && warningCount(result) > 0) {
    others.push(`${plural(warningCount(result), 'warning')} ${WARNING_MARK}`);
  }
  if (c.skipped) others.push(`${c.skipped} skipped ${OUTCOME_SYMBOL.skipped}`);
  if (others.length > 0) line += `; ${others.join(', ')}`;
  return line;
}

function repoUrlFromRunUrl(runUrl: string | null): string | null {
  const m = runUrl ? /^(https?:\/\/[^\s]+?\/[^/\s]+\/[^/\s]+)\/actions\/runs\/\d+/.exec(runUrl) : null;
  return m ? m[1] : null;
}

function safeUrl(url: string | null): string | null {
  return url && /^https?:\/\/[^\s()<>]+$/.test(url) ? url : null;
}

function commitRef(sha: string | null, runUrl: string | null): string {
  const short = shortSha(sha);
  if (!short || !sha) return 'an unknown commit';
  const repo = repoUrlFromRunUrl(safeUrl(runUrl));
  return repo && /^[0-9a-f]{7,64}$/i.test(sha) ? `[\`${short}\`](${repo}/commit/${sha})` : inlineCode(short);
}

function renderHeader(result: RunResult): string {
  const run = safeUrl(result.runUrl);
  const meta = [
    `Measured on commit ${commitRef(result.commit, result.runUrl)}`,
    `suite ${inlineCode(result.suite)}`,
    `${plural(result.scenarios.length, 'scenario')} in ${fmtDuration(result.durationMs)}`,
    run ? `[workflow run](${run})` : null,
  ].filter(Boolean);
  return `### ${renderVerdictLine(result)}\n\n${meta.join(' · ')}`;
}

function keyFigures(s: ScenarioResult): { p95: string; errors: string } {
  const b = phaseOf(s, 'baseline');
  const f = phaseOf(s, 'fault');
  const a = phaseOf(s, 'after');
  return {
    p95: [b, f, a].map((p) => (p ? fmtMs(p.p95Ms) : '—')).join(' → '),
    errors: f ? fmtPct(f.errorRate) : '—',
  };
}

function problems(s: ScenarioResult, max: number): string[] {
  const out: string[] = [];
  if ((s.outcome === 'inconclusive' || s.outcome === 'error' || s.outcome === 'skipped') && s.reason) {
    out.push(`${OUTCOME_SYMBOL[s.outcome]} ${truncateChars(s.reason, 160)}`);
  }
  const violated = s.thresholds.filter((t) => t.passed === false && !isViolatedWarning(t));
  const warned = s.thresholds.filter(isViolatedWarning);
  const unknown = s.thresholds.filter((t) => t.passed === null);
  for (const t of [...violated, ...warned, ...unknown]) {
    out.push(`${thresholdResultMark(t)} ${describeViolation(t)}${isViolatedWarning(t) ? ' (warning)' : ''}`);
  }
  if (out.length > max) return [...out.slice(0, max), `… ${out.length - max} more`];
  return out;
}

function scenarioName(s: ScenarioResult): string {
  const title =
    s.title && s.title !== s.name ? `<br><sub>${escapeInline(truncateChars(s.title, 60))}</sub>` : '';
  return `**${escapeInline(s.name)}**${title}`;
}

/** The summary table: one row per scenario; `compact` keeps only name, verdict and the violated thresholds. */
export function renderSummaryTable(result: RunResult, compact = false): string {
  if (result.scenarios.length === 0) return '_No scenarios ran._';
  if (compact) {
    const rows = result.scenarios.map((s) => {
      const p = problems(s, 3)
        .map((x) => escapeInline(truncateChars(x, 100)))
        .join('<br>');
      return `| ${escapeInline(s.name)} | ${OUTCOME_LABEL[s.outcome]} | ${p || '—'} |`;
    });
    return ['| Scenario | Verdict | Violated / not evaluated |', '|---|---|---|', ...rows].join('\n');
  }
  const rows = result.scenarios.map((s) => {
    const k = keyFigures(s);
    const p = problems(s, 6)
      .map((x) => escapeInline(x))
      .join('<br>');
    return [
      '',
      scenarioName(s),
      OUTCOME_LABEL[s.outcome],
      escapeInline(truncateChars(s.hypothesis, HYPOTHESIS_CHARS)) || '—',
      k.p95,
      k.errors,
      fmtSeconds(s.recoveryTimeMs),
      p || '—',
      '',
    ]
      .join(' | ')
      .trim();
  });
  return [
    '| Scenario | Verdict | Hypothesis | p95 baseline → fault → after | Errors (fault) | Recovery | Violated thresholds |',
    '|---|---|---|---|--:|--:|---|',
    ...rows,
  ].join('\n');
}

function renderLegend(result: RunResult): string {
  const lines: string[] = [];
  if (result.scenarios.some((s) => s.outcome === 'inconclusive')) {
    lines.push(
      `${OUTCOME_SYMBOL.inconclusive} **inconclusive** = neither passed nor failed: something could not be measured or trusted (the reason is in the table).`,
    );
  }
  if (result.scenarios.some((s) => s.outcome === 'error')) {
    lines.push(
      `${OUTCOME_SYMBOL.error} **error** = the scenario could not be run (infrastructure or setup failure), so it says nothing about the SLOs.`,
    );
  }
  if (result.scenarios.some((s) => s.outcome === 'skipped')) {
    lines.push(
      `${OUTCOME_SYMBOL.skipped} **skipped** = the stack has no service for the role the scenario needs; it counts neither as a pass nor as a failure (the setting that enables it is in the table).`,
    );
  }
  if (warningCount(result) > 0) {
    lines.push(
      `${WARNING_MARK} **warning** = a threshold marked \`severity: warning\` was violated: reported, but it fails nothing.`,
    );
  }
  if (result.scenarios.some((s) => s.generatorLimited)) {
    lines.push('🐢 = the load generator was the bottleneck: its latency figures are not the system’s.');
  }
  return lines.map((l) => `<sub>${l}</sub>`).join('<br>\n');
}

// ---------------------------------------------------------------------------------
// Baseline comparison

/** The comparison with a baseline run: per scenario, fault-phase p95 and error-rate deltas. */
export function renderBaselineTable(cmp: BaselineComparison): string {
  const base = cmp.baselineCommit ? inlineCode(shortSha(cmp.baselineCommit) ?? '') : 'a previous run';
  const link = safeUrl(cmp.baselineRunUrl);
  const head = `**Compared with baseline** ${base}${link ? ` ([run](${link}))` : ''} from ${escapeInline(cmp.baselineStartedAt)}`;
  const rows = cmp.scenarios.map((d) => {
    if (d.baselineOutcome === null) return `| ${escapeInline(d.name)} | not in baseline | — | — | — |`;
    const f = d.fault;
    const verdicts =
      d.baselineOutcome === d.currentOutcome
        ? OUTCOME_SYMBOL[d.currentOutcome]
        : `${OUTCOME_SYMBOL[d.baselineOutcome]} → ${OUTCOME_SYMBOL[d.currentOutcome]}`;
    const p95 = f ? `${fmtMs(f.baselineP95Ms)} → ${fmtMs(f.currentP95Ms)} (${fmtChange(f.p95Change)})` : '—';
    const err = f
      ? `${fmtPct(f.baselineErrorRate)} → ${fmtPct(f.currentErrorRate)} (${fmtPp(f.errorRateDelta)})`
      : '—';
    const rec =
      d.recoveryDeltaMs === null
        ? '—'
        : `${fmtSeconds(d.baselineRecoveryMs)} → ${fmtSeconds(d.currentRecoveryMs)} (${d.recoveryDeltaMs >= 0 ? '+' : '-'}${fmtSeconds(Math.abs(d.recoveryDeltaMs))})`;
    return `| ${escapeInline(d.name)} | ${verdicts} | ${p95} | ${err} | ${rec} |`;
  });
  const missing =
    cmp.missingInCurrent.length > 0
      ? `\n\nIn the baseline but not in this run: ${cmp.missingInCurrent.map((n) => inlineCode(n)).join(', ')}`
      : '';
  return [
    head,
    '',
    '| Scenario | Verdict then → now | p95 in fault (Δ) | Errors in fault (Δ) | Recovery (Δ) |',
    '|---|---|---|---|---|',
    ...rows,
  ]
    .join('\n')
    .concat(missing);
}

// ---------------------------------------------------------------------------------
// Per-scenario details

function topErrors(errors: Record<string, number>, n = 3): string {
  const kinds = Object.entries(errors)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
  if (kinds.length === 0) return '—';
  const shown = kinds.slice(0, n).map(([k, v]) => `${escapeInline(k)} ${fmtCount(v)}`);
  return kinds.length > n ? `${shown.join(', ')}, …` : shown.join(', ');
}

function renderPhaseTable(s: ScenarioResult): string {
  const phases = [...s.phases].sort((a, b) => PHASE_ORDER.indexOf(a.phase) - PHASE_ORDER.indexOf(b.phase));
  const rows = phases.map((p) => {
    const rate = `${fmtRate(p.achievedRate)}/${p.targetRate === null ? 'closed' : fmtRate(p.targetRate)}`;
    return `| ${phaseLabel(p.phase)} | ${fmtOffset(p.startMs)}–${fmtOffset(p.endMs)} | ${fmtCount(p.scheduled)} | ${rate} | ${fmtMs(p.p50Ms)} | ${fmtMs(p.p95Ms)} | ${fmtMs(p.p99Ms)} | ${fmtMs(p.maxMs)} | ${fmtPct(p.errorRate)} | ${topErrors(p.errors)} | ${fmtCount(p.late)} |`;
  });
  return [
    '| Phase | Window | Sent | Rate req/s (achieved/target) | p50 | p95 | p99 | max | Errors | Top error kinds | Late sends |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|',
    ...rows,
  ].join('\n');
}

/** A mix's requests over each phase, collapsed: the phase table above is their total. */
function renderRequestTable(s: ScenarioResult): string | null {
  const requests = requestFigures(s);
  if (requests.length === 0) return null;
  // What each request reaches, when the mix says (`reaches:`, as init --explore measures it).
  const reaches = (name: string): string =>
    escapeInline(s.requests?.find((r) => r.name === name)?.reaches?.join(', ') || '—');
  const rows = requests.flatMap((request) =>
    request.phases.map(
      ({ phase, stats }) =>
        `| ${escapeInline(request.name)} | ${reaches(request.name)} | ${phaseLabel(phase)} | ${fmtCount(stats.scheduled)} | ${fmtMs(stats.p50Ms)} | ${fmtMs(stats.p95Ms)} | ${fmtMs(stats.p99Ms)} | ${fmtPct(stats.errorRate)} | ${topErrors(stats.errors)} |`,
    ),
  );
  return [
    `<details><summary>Per request (${requests.length})</summary>`,
    '',
    '| Request | Reaches | Phase | Sent | p50 | p95 | p99 | Errors | Top error kinds |',
    '|---|---|---|--:|--:|--:|--:|--:|---|',
    ...rows,
    '',
    '</details>',
  ].join('\n');
}

/** A phase's name in a table, ⚡ for the fault. */
function phaseLabel(phase: string): string {
  return phase === 'fault' ? '⚡ fault' : escapeInline(phase);
}

/** A count as the report shows it: digits only, whatever the results file held. */
function fmtCount(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n)) : '—';
}

const VERDICT_WORD = {
  regressed: '🔺 regressed',
  within: '✅ within',
  inconclusive: '❔ inconclusive',
} as const;

/**
 * A paired run: the PR and the base side by side per phase (p95, p99, error rate), each change
 * with its 95 % interval, this run's noise floor for it, and the verdict word; one line saying
 * why each inconclusive phase is, with the phase length that would bring the floor under the
 * limit where that is what is missing.
 */
function renderComparison(s: ScenarioResult, charts: boolean): string {
  const c = s.comparison;
  if (!c) return '';
  const level = `${Math.round(c.confidence * 100)} %`;
  // The checks the words were judged on (results before judgedOn: the ratio limits).
  const limits = c.judgedOn
    ? c.judgedOn.checks.map((k) => `${k.name} ${k.op} ${judgedLimit(k)}`).join(', ')
    : `p95 +${Math.round(c.limits.p95 * 100)} %, p99 +${Math.round(c.limits.p99 * 100)} %, error rate +${Math.round(c.limits.errorRate * 1000) / 10} pp`;
  const floors = scenarioFloors(s);
  const floorOf = (phase: string, metric: FloorMetric) =>
    floors.find((f) => f.phase === phase && f.metric === metric);
  const floorText = (phase: string, metric: FloorMetric): string => {
    const f = floorOf(phase, metric);
    return f?.floor == null ? '—' : `±${formatMagnitude(f.floor, f.unit)}`;
  };
  const rows = c.phases.map((p) => {
    const pct = (v: number | null) => (v === null ? '—' : fmtPct(v));
    const floor = `${floorText(p.phase, 'p95')} / ${floorText(p.phase, 'p99')} / ${floorText(p.phase, 'error_rate')}`;
    return `| ${phaseLabel(p.phase)} | ${fmtCount(p.pr.scheduled)} / ${fmtCount(p.base.scheduled)} | ${fmtMs(p.pr.p95Ms)} / ${fmtMs(p.base.p95Ms)} | ${escapeInline(formatChange(p.p95, 'relative'))} | ${fmtMs(p.pr.p99Ms)} / ${fmtMs(p.base.p99Ms)} | ${escapeInline(formatChange(p.p99, 'relative'))} | ${pct(p.pr.errorRate)} / ${pct(p.base.errorRate)} | ${escapeInline(formatChange(p.errorRate, 'points'))} | ${floor} | ${VERDICT_WORD[p.verdict]} |`;
  });
  const why = c.phases
    .filter((p) => p.verdict !== 'within' && (p.pr.scheduled > 0 || p.base.scheduled > 0))
    .map((p) => {
      // Where an inconclusive phase's p95 floor is above its limit, say how long the phase
      // would have to run (at the same rate) for the floor to reach it: the one thing to change.
      const p95 = floorOf(p.phase, 'p95');
      const judgedOnP95 = !c.judgedOn || c.judgedOn.checks.some((k) => k.name === 'p95');
      const check = p.verdict === 'inconclusive' && p95 && judgedOnP95 ? checkLimit(p95, c.limits.p95) : null;
      const longer = check?.recommendedSeconds ? `; p95 ${check.note}` : '';
      return `- ${escapeInline(p.phase)}: ${escapeInline(truncateChars(p.why + longer, 400))}`;
    });
  const baseOutcome =
    c.base.outcome === 'pass' || c.base.outcome === 'fail'
      ? ''
      : ` The base side ended ${escapeInline(c.base.outcome)}${c.base.reason ? `: ${inlineCode(truncateChars(c.base.reason, 200))}` : ''}.`;
  const parts = [
    `**PR vs base** (paired run, both stacks under the same chaos at the same time; base project ${inlineCode(c.base.project)}). ` +
      `Changes are PR against base with their ${level} interval; a phase regressed only when a whole interval lies beyond its limit (${limits}). ` +
      `The floor is the smallest change this run could tell from noise (80 % power), from the width of its own intervals.${baseOutcome}`,
    [
      '| Phase | Sent PR / base | p95 PR / base | Δ p95 | p99 PR / base | Δ p99 | Errors PR / base | Δ errors | Floor p95 / p99 / errors | Verdict |',
      '|---|--:|--:|---|--:|---|--:|---|---|---|',
      ...rows,
    ].join('\n'),
  ];
  if (why.length) parts.push(why.join('\n'));
  // Which checks judged and why, and the Hodges–Lehmann shift of each phase (what a shift check reads).
  const shifts = c.phases
    .filter((p) => p.shift)
    .map((p) => {
      const sh = p.shift as NonNullable<typeof p.shift>;
      return `${p.phase} ${formatChange({ change: sh.estimateMs, low: sh.lowMs, high: sh.highMs }, 'ms')}`;
    });
  if (c.judgedOn || shifts.length)
    parts.push(
      [
        c.judgedOn
          ? `Judged on ${escapeInline(limits)}: ${escapeInline(truncateChars(c.judgedOn.why, 400))}.`
          : '',
        shifts.length ? `Shift (Hodges–Lehmann, PR − base): ${escapeInline(shifts.join('; '))}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
    );
  if (charts) {
    const chart = renderComparisonChart(s);
    if (chart) parts.push(chart);
  }
  return parts.join('\n\n');
}

/** A judged check's limit as the report shows it: "+20 %", "+1 pp", "0.5 ms". */
function judgedLimit(k: { unit: 'relative' | 'points' | 'ms'; limit: number }): string {
  if (k.unit === 'ms') return `${Number(k.limit.toFixed(3))} ms`;
  if (k.unit === 'points') return `+${Number((k.limit * 100).toFixed(2))} pp`;
  return `+${Number((k.limit * 100).toFixed(1))} %`;
}

function linkedSource(locate: SourceLocator, file: string, line: number | null): string {
  const { text, url } = locate(file, line);
  const safe = safeUrl(url);
  return safe ? `[${escapeInline(text)}](${safe})` : escapeInline(text);
}

function renderThresholdTable(ts: ThresholdResult[], locate: SourceLocator): string {
  if (ts.length === 0) return '_No thresholds._';
  const rows = ts.map((t) => {
    const actual = t.detail
      ? `${escapeInline(t.actual)} — ${escapeInline(truncateChars(t.detail, 200))}`
      : escapeInline(t.actual);
    const source = `${inlineCode(t.source)}${t.severity === 'warning' ? ' <sub>warning</sub>' : ''}`;
    return `| ${thresholdResultMark(t)} | ${source} | ${t.phase === null ? '—' : escapeInline(t.phase)} | ${actual || '—'} | ${escapeInline(t.limit) || '—'} | ${linkedSource(locate, t.file, t.line)} |`;
  });
  return [
    '|  | Threshold (as written) | Phase | Actual | Limit | Where |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The fault's evidence; with several faults, one block each, in the order injected. */
function renderFault(s: ScenarioResult): string {
  const faults = s.faults ?? [];
  if (faults.length < 2) return renderOneFault(s.fault, 'Fault');
  return faults.map((f, i) => renderOneFault(f, `Fault ${i + 1} of ${faults.length}`)).join('\n\n');
}

function renderOneFault(f: ScenarioResult['fault'], title: string): string {
  if (!f) return `**${title}:** none recorded.`;
  const at = (ms: number | null) => (ms === null ? 'never' : `at ${fmtOffset(ms)}`);
  const took = (ms: number | null) => (ms === null ? '' : ` (took ${fmtMs(ms)})`);
  const targets = f.targets.length > 0 ? f.targets.map((t) => inlineCode(t)).join(', ') : 'no target';
  const head = `**${title}:** ${inlineCode(f.kind)} on ${targets}: injected ${at(f.injectedAtMs)}${took(f.injectMs)}, reverted ${at(f.revertedAtMs)}${took(f.revertMs)}.`;
  if (f.evidence.length === 0) return `${head}\n\n_No evidence that the fault took effect was recorded._`;
  const ev = f.evidence.slice(0, 20).map((e) => `- ${inlineCode(truncateChars(e, 300))}`);
  if (f.evidence.length > 20) ev.push(`- … ${f.evidence.length - 20} more in results.json`);
  return `${head}\n\nMeasured effect:\n${ev.join('\n')}`;
}

function renderNotes(s: ScenarioResult): string {
  const notes: string[] = [];
  if (s.generatorLimited) {
    notes.push(
      '🐢 The load generator was the bottleneck in this scenario: latency figures are not the system’s.',
    );
  }
  for (const n of s.notes) notes.push(inlineCode(truncateChars(n, 500)));
  return notes.length > 0 ? `**Notes**\n${notes.map((n) => `- ${n}`).join('\n')}` : '';
}

function renderLogs(s: ScenarioResult, mode: DetailLevel['logs']): string {
  const n = s.logMatches.length;
  if (n === 0) return '';
  if (mode === 'none') return `**Log lines that matched:** ${n} (left out for size; see results.json).`;
  const matches = mode === 'capped' ? s.logMatches.slice(0, LOG_CAP_LINES) : s.logMatches;
  const lines = matches.map((m) => {
    const at = m.atMs === null ? '' : `[+${(m.atMs / 1000).toFixed(1)}s] `;
    const line = mode === 'capped' ? truncateChars(m.line, LOG_CAP_CHARS) : m.line;
    return `${at}${m.service}: ${line}`;
  });
  const more =
    n > matches.length ? `\n\n… ${n - matches.length} more (left out for size; see results.json).` : '';
  return `**Log lines that matched (${n})**\n\n${preBlock(lines)}${more}`;
}

function detailsSummary(s: ScenarioResult): string {
  const violated = s.thresholds.filter((t) => t.passed === false && !isViolatedWarning(t)).length;
  const warned = s.thresholds.filter(isViolatedWarning).length;
  const what =
    s.outcome === 'fail'
      ? `${plural(violated, 'threshold')} violated`
      : s.outcome === 'pass'
        ? warned > 0
          ? `${plural(s.thresholds.length - warned, 'threshold')} held, ${plural(warned, 'warning')} ${WARNING_MARK}`
          : `${plural(s.thresholds.length, 'threshold')} held`
        : s.outcome === 'inconclusive'
          ? 'neither passed nor failed'
          : s.outcome === 'skipped'
            ? 'skipped'
            : 'could not be run';
  const title = s.title && s.title !== s.name ? ` — ${truncateChars(s.title, 80)}` : '';
  return `${OUTCOME_SYMBOL[s.outcome]} <b>${htmlText(s.name)}</b>${htmlText(title)}: ${what}`;
}

/** One scenario's collapsible block at the given level of detail. */
function renderDetails(s: ScenarioResult, level: DetailLevel, locate: SourceLocator): string {
  const parts: string[] = [];
  parts.push(`**Hypothesis:** ${escapeInline(s.hypothesis) || '—'}`);
  if (s.reason) parts.push(`**Why ${s.outcome}:** ${inlineCode(truncateChars(s.reason, 1000))}`);
  parts.push(
    `Scenario file ${linkedSource(locate, s.file, null)} · started ${escapeInline(s.startedAt)} · took ${fmtDuration(s.durationMs)} · recovery ${fmtSeconds(s.recoveryTimeMs)}${s.mttrMs != null ? ` · MTTR ${fmtSeconds(s.mttrMs)}` : ''}`,
  );
  if (level.phaseTable && s.phases.length > 0) parts.push(renderPhaseTable(s));
  const perRequest = renderRequestTable(s);
  if (perRequest) parts.push(perRequest);
  if (s.comparison) parts.push(renderComparison(s, level.charts));
  parts.push(renderThresholdTable(s.thresholds, locate));
  parts.push(renderFault(s));
  if (s.timeline.length > 0 && (level.charts || level.timelineTable)) {
    const t: string[] = ['**Timeline**'];
    if (level.charts) t.push(renderTimelineChart(s));
    if (level.timelineTable) t.push(renderTimelineTable(s));
    parts.push(t.join('\n\n'));
  }
  const notes = renderNotes(s);
  if (notes) parts.push(notes);
  const logs = renderLogs(s, level.logs);
  if (logs) parts.push(logs);
  return `<details><summary>${detailsSummary(s)}</summary>\n\n${parts.join('\n\n')}\n\n</details>`;
}

/** One scenario's `<details>` block with every detail (charts, all log lines, all tables). */
export function renderScenarioDetails(s: ScenarioResult, locate: SourceLocator = AS_RECORDED): string {
  return renderDetails(s, FULL, locate);
}

// ---------------------------------------------------------------------------------
// Fitting the budget

/**
 * Cuts markdown to at most `maxBytes` UTF-8 bytes at a line boundary, closes every
 * code fence, <pre> and <details> left open, and appends `note`. Text that already
 * fits is returned unchanged.
 */
export function trimMarkdown(md: string, maxBytes: number, note: string): string {
  if (utf8Bytes(md) <= maxBytes) return md;
  let budget = maxBytes - utf8Bytes(note) - 4;
  for (let attempt = 0; attempt < 8 && budget > 0; attempt++) {
    const buf = Buffer.from(md, 'utf8');
    let end = Math.min(budget, buf.length);
    while (end > 0 && (buf[end] & 0xc0) === 0x80) end--; // never split a UTF-8 sequence
    let text = buf.subarray(0, end).toString('utf8');
    const nl = text.lastIndexOf('\n');
    if (nl > 0) text = text.slice(0, nl);
    const closers = closersFor(text);
    const out = `${text}${closers.length > 0 ? `\n${closers.join('\n')}` : ''}\n\n${note}`;
    if (utf8Bytes(out) <= maxBytes) return out;
    budget -= utf8Bytes(out) - maxBytes + 16;
  }
  return truncateBytes(note, maxBytes);
}

function truncateBytes(s: string, maxBytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = Math.max(0, maxBytes);
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/** The closing lines for the constructs left open at the end of `text`, innermost first. */
export function closersFor(text: string): string[] {
  const stack: string[] = [];
  let fence: { char: string; len: number } | null = null;
  for (const line of text.split('\n')) {
    if (fence) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (m && m[1][0] === fence.char && m[1].length >= fence.len) {
        fence = null;
        stack.pop();
      }
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open) {
      fence = { char: open[1][0], len: open[1].length };
      stack.push(open[1]);
      continue;
    }
    const tags = line.match(/<\/?(details|pre)\b[^>]*>/gi) ?? [];
    for (const tag of tags) {
      const name = tag.replace(/[</>]/g, ' ').trim().split(/\s+/)[0].toLowerCase();
      if (tag.startsWith('</')) {
        const i = stack.lastIndexOf(`</${name}>`);
        if (i >= 0) stack.splice(i, 1);
      } else {
        stack.push(`</${name}>`);
      }
    }
  }
  return stack.reverse();
}

function droppedNote(
  result: RunResult,
  dropped: string[],
  maxBytes: number,
  hint: string | undefined,
): string {
  const run = safeUrl(result.runUrl);
  const where =
    hint ??
    `the job summary and results.json in the run's artifacts${run ? ` ([workflow run](${run}))` : ''}`;
  const limit =
    maxBytes >= COMMENT_MAX_BYTES - MARKER_RESERVE_BYTES && maxBytes <= COMMENT_MAX_BYTES
      ? "GitHub's 65,535-byte comment limit"
      : `the ${maxBytes.toLocaleString('en-US')}-byte limit`;
  return `> [!NOTE]\n> Detail was left out to fit ${limit} (${dropped.join(', ')}). Every verdict is in the table above; the full report is in ${where}.`;
}

interface Layout {
  compact: boolean;
  baseline: boolean;
  level: DetailLevel;
  /** Scenario indexes whose details block is left out. */
  droppedDetails: Set<number>;
}

function assemble(
  result: RunResult,
  cmp: BaselineComparison | null,
  layout: Layout,
  details: string[],
  note: string,
): string {
  const parts = [renderHeader(result), renderSummaryTable(result, layout.compact)];
  const legend = renderLegend(result);
  if (legend) parts.push(legend);
  if (note) parts.push(note);
  if (cmp && layout.baseline) parts.push(renderBaselineTable(cmp));
  const kept = details.filter((_, i) => !layout.droppedDetails.has(i));
  if (kept.length > 0) parts.push(`#### Scenarios\n\n${kept.join('\n\n')}`);
  if (layout.droppedDetails.size > 0 && kept.length > 0) {
    parts.push(`_Details of ${plural(layout.droppedDetails.size, 'scenario')} left out for size._`);
  }
  parts.push(
    `<sub>${escapeInline(`${result.tool.name} ${result.tool.version}`)} · project ${inlineCode(result.project)} · started ${escapeInline(result.startedAt)}</sub>`,
  );
  return `${parts.join('\n\n')}\n`;
}

/** Renders the report and reports what was dropped to fit the budget. */
export function renderReportDetailed(result: RunResult, options: ReportOptions = {}): RenderedReport {
  const maxBytes = options.maxBytes ?? COMMENT_MAX_BYTES - MARKER_RESERVE_BYTES;
  const locate = options.locate ?? AS_RECORDED;
  const cmp = options.baseline ? compareToBaseline(result, options.baseline) : null;
  const dropped: string[] = [];
  const layout: Layout = { compact: false, baseline: true, level: { ...FULL }, droppedDetails: new Set() };
  const note = () =>
    dropped.length > 0 ? droppedNote(result, dropped, maxBytes, options.fullReportHint) : '';
  const render = (details: string[]) => assemble(result, cmp, layout, details, note());
  const done = (md: string, trimmed = false): RenderedReport => ({
    markdown: md,
    bytes: utf8Bytes(md),
    dropped,
    trimmed,
  });

  let details = result.scenarios.map((s) => renderDetails(s, layout.level, locate));
  let md = render(details);
  if (utf8Bytes(md) <= maxBytes) return done(md);

  // Step by step, whole kinds of detail across every scenario.
  const steps: Array<[string, (l: DetailLevel) => void, (s: ScenarioResult) => boolean]> = [
    ['charts', (l) => (l.charts = false), (s) => s.timeline.length > 0],
    ['some log lines', (l) => (l.logs = 'capped'), (s) => s.logMatches.length > 0],
    ['log lines', (l) => (l.logs = 'none'), (s) => s.logMatches.length > 0],
    ['timeline tables', (l) => (l.timelineTable = false), (s) => s.timeline.length > 0],
    ['per-phase tables', (l) => (l.phaseTable = false), (s) => s.phases.length > 0],
  ];
  for (const [what, apply, relevant] of steps) {
    if (!result.scenarios.some(relevant)) continue;
    apply(layout.level);
    if (what === 'log lines') {
      const i = dropped.indexOf('some log lines');
      if (i >= 0) dropped.splice(i, 1);
    }
    dropped.push(what);
    details = result.scenarios.map((s) => renderDetails(s, layout.level, locate));
    md = render(details);
    if (utf8Bytes(md) <= maxBytes) return done(md);
  }

  // Whole <details> blocks: passing scenarios first, then inconclusive, then errors and
  // failures; longest first within each group.
  const rank = { skipped: 0, pass: 0, inconclusive: 1, error: 2, fail: 3 } as const;
  const order = details
    .map((d, i) => ({ i, bytes: utf8Bytes(d), rank: rank[result.scenarios[i].outcome] }))
    .sort((a, b) => a.rank - b.rank || b.bytes - a.bytes);
  dropped.push('scenario details');
  const fixed = utf8Bytes(render([]));
  let total = fixed + details.reduce((n, d) => n + utf8Bytes(d) + 2, 0) + 200;
  for (const { i, bytes } of order) {
    if (total <= maxBytes) {
      md = render(details);
      if (utf8Bytes(md) <= maxBytes) return done(md);
    }
    layout.droppedDetails.add(i);
    total -= bytes + 2;
  }
  md = render(details);
  if (utf8Bytes(md) <= maxBytes) return done(md);

  if (cmp) {
    layout.baseline = false;
    dropped.push('baseline comparison');
    md = render(details);
    if (utf8Bytes(md) <= maxBytes) return done(md);
  }
  layout.compact = true;
  dropped.push('key figures in the summary table');
  md = render(details);
  if (utf8Bytes(md) <= maxBytes) return done(md);

  dropped.push('the end of the summary table');
  return done(trimMarkdown(md, maxBytes, note()), true);
}

/** The report as markdown, at most `maxBytes` UTF-8 bytes (default: fits a sticky PR comment). */
export function renderReport(result: RunResult, options: ReportOptions = {}): string {
  return renderReportDetailed(result, options).markdown;
}
