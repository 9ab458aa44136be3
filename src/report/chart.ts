// Mermaid charts of a scenario's load timeline, and the same numbers as a compact
// table (a chart is never the only place a figure appears). Pure.
//
// GitHub renders mermaid `xychart-beta`, which has one y-axis and no annotations, so:
// - latency and error rate are two small charts (ms and % do not share an axis);
// - the fault window is a bar series drawn at the top of the y-axis during the
//   fault seconds (a shaded band behind the line), and the title names it
//   ("fault 20s–50s"); the x-axis labels of fault seconds carry a ⚡.
// - x-axis labels: only every Nth bucket is labelled (N from the number of buckets and
//   the widest label, so labels never overlap at mermaid's default 700 px width), plus
//   the first bucket of the fault window, always, with its ⚡. mermaid's x-axis is a d3
//   band scale over the category strings, so categories must be unique (a repeated one
//   collapses onto one x and the band lands on the wrong seconds) and not blank (mermaid
//   trims them; "" is a parse error): an unlabelled bucket gets a unique string of
//   zero-width characters, which draws nothing.
import type { ScenarioResult, TimelinePoint } from '../results';
import { codeFence, escapeInline, neutralize } from './escape';
import { fmtMs, fmtPct } from './format';

/** The most points a chart draws; longer timelines are bucketed. */
export const MAX_CHART_POINTS = 60;

export interface TimelineBucket {
  /** First and last second (inclusive) of the bucket, from the scenario's t0. */
  from: number;
  to: number;
  phase: TimelinePoint['phase'];
  scheduled: number;
  /** The worst (highest) per-second p95 in the bucket: a bucket never hides a spike. */
  p95Ms: number | null;
  /** Errors over scheduled across the bucket. */
  errorRate: number;
  /** True when any second of the bucket is inside the fault window. */
  inFault: boolean;
}

function inFaultWindow(s: ScenarioResult, second: number): boolean {
  const w = s.faultWindow;
  return w !== null && second >= w.startSecond && second < w.endSecond;
}

/** Groups a scenario's timeline into buckets of `size` seconds (size 1 keeps every second). */
export function bucketTimeline(s: ScenarioResult, size: number): TimelineBucket[] {
  const points = [...s.timeline].sort((a, b) => a.second - b.second);
  const out: TimelineBucket[] = [];
  for (let i = 0; i < points.length; i += size) {
    const group = points.slice(i, i + size);
    let scheduled = 0;
    let errors = 0;
    let p95: number | null = null;
    for (const p of group) {
      scheduled += p.scheduled;
      errors += p.errorRate * p.scheduled;
      if (p.p95Ms !== null) p95 = p95 === null ? p.p95Ms : Math.max(p95, p.p95Ms);
    }
    const errorRate =
      scheduled > 0 ? errors / scheduled : group.reduce((m, p) => Math.max(m, p.errorRate), 0);
    // The phase the bucket mostly belongs to; the fault phase wins so the window stays visible.
    const phase = group.some((p) => p.phase === 'fault') ? 'fault' : group[0].phase;
    out.push({
      from: group[0].second,
      to: group[group.length - 1].second,
      phase,
      scheduled,
      p95Ms: p95,
      errorRate,
      inFault: group.some((p) => inFaultWindow(s, p.second)),
    });
  }
  return out;
}

/** The bucket size that keeps a timeline of `n` seconds at or under `maxPoints` points. */
export function bucketSizeFor(n: number, maxPoints: number): number {
  if (n <= maxPoints) return 1;
  const raw = Math.ceil(n / maxPoints);
  return raw <= 5 ? 5 : Math.ceil(raw / 5) * 5;
}

/** One fault of a scenario with several: its seconds [startSecond, endSecond) and a short name. */
export interface FaultBand {
  label: string;
  startSecond: number;
  endSecond: number;
}

/**
 * Each fault's own window, for scenarios with several faults ([] for one: the fault window is
 * its band): from when it was proven in effect to when its revert completed.
 */
export function faultBands(s: ScenarioResult): FaultBand[] {
  const faults = s.faults ?? [];
  if (faults.length < 2 || s.faultWindow === null) return [];
  const w = s.faultWindow;
  return faults.map((f) => ({
    label: mermaidText(`${f.kind} ${f.targets[0]?.split('/')[0] ?? ''}`.trim()),
    startSecond: f.injectedAtMs === null ? w.startSecond : Math.floor(f.injectedAtMs / 1000),
    endSecond: f.revertedAtMs === null ? w.endSecond : Math.ceil(f.revertedAtMs / 1000),
  }));
}

/**
 * Text from a results file inside a mermaid title: a quoted string there, so a quote, a bracket
 * or a line break would end it and write mermaid of the file's choosing. Only letters, digits
 * and a few harmless marks stay; anything else becomes "?". Short, as a title is.
 */
export function mermaidText(s: string, maxChars = 40): string {
  // Neutralized first, as all text bound for GitHub: its word joiners are invisible here too.
  const safe = Array.from(neutralize(String(s)))
    .map((ch) => (/^[\p{L}\p{N} _.:,+\u2060-]$/u.test(ch) ? ch : '?'))
    .join('');
  return safe.length > maxChars ? `${safe.slice(0, maxChars - 1)}…` : safe;
}

function faultTitle(s: ScenarioResult): string {
  const w = s.faultWindow;
  const bands = faultBands(s);
  if (w && bands.length)
    return `faults ${bands.map((b, i) => `${i + 1}: ${b.label} ${b.startSecond}s–${b.endSecond}s`).join(', ')}`;
  return w ? `fault ${w.startSecond}s–${w.endSecond}s` : 'no fault window';
}

/** Per fault band, whether each bucket has a second inside it. */
function bandBuckets(s: ScenarioResult, buckets: TimelineBucket[]): boolean[][] {
  return faultBands(s).map((band) => buckets.map((b) => b.from < band.endSecond && b.to >= band.startSecond));
}

/**
 * The plot area's width at mermaid's default chart width (700 px), less what the y-axis
 * and its title take: about 600 px; 560 leaves room for wide y labels ("1000").
 */
export const PLOT_WIDTH_PX = 560;
/**
 * A conservative estimate of an x-axis label's width at mermaid's 14 px label font: a
 * digit is 7–9 px in the fonts mermaid asks for, ⚡ up to 17 px in a colour emoji font.
 */
const DIGIT_PX = 9;
const BOLT_PX = 18;
/** The least space between two labels. */
const LABEL_GAP_PX = 10;
/** Label steps in seconds, so labelled seconds are round numbers. */
const LABEL_STEPS_S = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600];

function labelText(b: TimelineBucket): string {
  return `${b.from}${b.inFault ? '⚡' : ''}`;
}

/** Estimated width in px of a label as mermaid draws it. */
export function labelWidthPx(text: string): number {
  let px = 0;
  for (const ch of text) px += ch === '⚡' ? BOLT_PX : DIGIT_PX;
  return px;
}

/**
 * Every how many buckets an x-axis label goes, so that `buckets.length` labels spread
 * over PLOT_WIDTH_PX never touch: the smallest step (in seconds, a round number and a
 * multiple of the bucket size) that gives the widest label its width plus a gap.
 */
export function labelEvery(buckets: TimelineBucket[]): number {
  if (buckets.length <= 1) return 1;
  const size = buckets[0].to - buckets[0].from + 1;
  const slotPx = PLOT_WIDTH_PX / buckets.length;
  const widest = Math.max(...buckets.map((b) => labelWidthPx(labelText(b))));
  const needed = Math.ceil((widest + LABEL_GAP_PX) / slotPx);
  const step = LABEL_STEPS_S.find((s) => s % size === 0 && s / size >= needed);
  return step === undefined ? needed : step / size;
}

/** Zero-width characters that spell an unlabelled bucket's index: unique, invisible, not trimmed. */
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060'];

function invisibleLabel(i: number): string {
  // The index in base 4, at least 3 digits (64 labels): distinct indices, distinct strings.
  let out = '';
  for (let n = i; out.length < 3 || n > 0; n = Math.floor(n / 4)) out = INVISIBLE[n % 4] + out;
  return out;
}

/**
 * The x-axis categories: the bucket's first second (with ⚡ inside the fault window) on
 * every `every`th bucket and on the first fault bucket, whose neighbours closer than
 * `every` buckets stay unlabelled so labels keep their spacing; otherwise an invisible
 * unique string.
 */
export function xAxisLabels(buckets: TimelineBucket[], every = labelEvery(buckets)): string[] {
  const faultStart = buckets.findIndex((b) => b.inFault);
  return buckets.map((b, i) => {
    const regular = i % every === 0 && (faultStart < 0 || Math.abs(i - faultStart) >= every);
    return regular || i === faultStart ? labelText(b) : invisibleLabel(i);
  });
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, '');
}

function xychart(
  title: string,
  yLabel: string,
  buckets: TimelineBucket[],
  values: number[],
  cap = Infinity,
  moreLines: number[][] = [],
  perFault: boolean[][] = [],
): string {
  const max = Math.max(1, ...values, ...moreLines.flat());
  const top = Math.min(cap, max <= 10 ? Math.ceil(max) : Math.ceil((max * 1.1) / 10) * 10);
  // Several faults: a band each, stepped down in height so each shows behind the next.
  const bands = perFault.length
    ? perFault.map((inBand, i) => {
        const height = num(Math.round(top * (1 - (0.6 * i) / perFault.length) * 100) / 100);
        return inBand.map((on) => (on ? height : '0'));
      })
    : [buckets.map((b) => (b.inFault ? String(top) : '0'))];
  return [
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis "second (⚡ = fault)" [${xAxisLabels(buckets)
      .map((l) => `"${l}"`)
      .join(', ')}]`,
    `  y-axis "${yLabel}" 0 --> ${top}`,
    ...bands.map((band) => `  bar [${band.join(', ')}]`),
    `  line [${values.map(num).join(', ')}]`,
    ...moreLines.map((line) => `  line [${line.map(num).join(', ')}]`),
  ].join('\n');
}

/**
 * A paired run's p95 per second, the PR's and the base's in one mermaid chart (two lines:
 * the PR's first, the base's second), the fault window shaded; '' without a comparison that
 * carries the base's timeline. Both timelines count seconds from their own load start, and the
 * two loads started together.
 */
export function renderComparisonChart(s: ScenarioResult, maxPoints = MAX_CHART_POINTS): string {
  const baseTimeline = s.comparison?.baseTimeline;
  if (!baseTimeline || baseTimeline.length === 0 || s.timeline.length === 0) return '';
  const size = bucketSizeFor(Math.max(s.timeline.length, baseTimeline.length), maxPoints);
  const pr = bucketTimeline(s, size);
  const base = new Map(bucketTimeline({ ...s, timeline: baseTimeline }, size).map((b) => [b.from, b]));
  const per = size > 1 ? ` per ${size}s` : '';
  const round = (v: number | null | undefined): number => Math.round((v ?? 0) * 10) / 10;
  const chart = xychart(
    `p95 ms${per}: PR (line 1) vs base (line 2), ${faultTitle(s)}`,
    'p95 (ms)',
    pr,
    pr.map((b) => round(b.p95Ms)),
    Infinity,
    [pr.map((b) => round(base.get(b.from)?.p95Ms))],
  );
  return codeFence(chart, 'mermaid');
}

/**
 * Two mermaid `xychart-beta` blocks (p95 in ms, error rate in %) for a scenario's
 * timeline, fault window shaded; '' when the scenario has no timeline. Seconds with
 * no completed request have no p95 and are drawn at 0 (the error chart and the
 * table show what happened there).
 */
export function renderTimelineChart(s: ScenarioResult, maxPoints = MAX_CHART_POINTS): string {
  if (s.timeline.length === 0) return '';
  const buckets = bucketTimeline(s, bucketSizeFor(s.timeline.length, maxPoints));
  const per =
    buckets.length > 0 && buckets[0].to > buckets[0].from
      ? ` per ${buckets[0].to - buckets[0].from + 1}s`
      : '';
  const p95 = xychart(
    `p95 latency ms${per}, ${faultTitle(s)}`,
    'p95 (ms)',
    buckets,
    buckets.map((b) => Math.round((b.p95Ms ?? 0) * 10) / 10),
    Infinity,
    [],
    bandBuckets(s, buckets),
  );
  const err = xychart(
    `error rate %${per}, ${faultTitle(s)}`,
    'errors (%)',
    buckets,
    buckets.map((b) => Math.round(b.errorRate * 10000) / 100),
    100,
    [],
    bandBuckets(s, buckets),
  );
  return `${codeFence(p95, 'mermaid')}\n\n${codeFence(err, 'mermaid')}`;
}

/**
 * The timeline as a compact markdown table: per second for short timelines, per
 * 5 s (or more) for longer ones, at most `maxRows` rows. Fault rows carry a ⚡.
 */
export function renderTimelineTable(s: ScenarioResult, maxRows = 40): string {
  if (s.timeline.length === 0) return '';
  const buckets = bucketTimeline(s, bucketSizeFor(s.timeline.length, maxRows));
  const rows = buckets.map((b) => {
    const t = b.from === b.to ? `${b.from}` : `${b.from}–${b.to}`;
    const sent = Number.isFinite(b.scheduled) ? String(Math.round(b.scheduled)) : '—';
    return `| ${t}${b.inFault ? ' ⚡' : ''} | ${escapeInline(b.phase)} | ${sent} | ${fmtMs(b.p95Ms)} | ${fmtPct(b.errorRate)} |`;
  });
  return ['| t (s) | phase | sent | p95 | errors |', '|---|---|--:|--:|--:|', ...rows].join('\n');
}
