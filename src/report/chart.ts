// Mermaid charts of a scenario's load timeline, and the same numbers as a compact
// table (a chart is never the only place a figure appears). Pure.
//
// GitHub renders mermaid `xychart-beta`, which has one y-axis and no annotations, so:
// - latency and error rate are two small charts (ms and % do not share an axis);
// - the fault window is a bar series drawn at the top of the y-axis during the
//   fault seconds (a shaded band behind the line), and the title names it
//   ("fault 20s–50s"); the x-axis labels of fault seconds carry a ⚡.
import type { ScenarioResult, TimelinePoint } from '../scenario/results';
import { codeFence } from './escape';
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

function faultTitle(s: ScenarioResult): string {
  const w = s.faultWindow;
  return w ? `fault ${w.startSecond}s–${w.endSecond}s` : 'no fault window';
}

function mermaidLabel(b: TimelineBucket): string {
  return `"${b.from}${b.inFault ? '⚡' : ''}"`;
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
): string {
  const max = Math.max(1, ...values);
  const top = Math.min(cap, max <= 10 ? Math.ceil(max) : Math.ceil((max * 1.1) / 10) * 10);
  const band = buckets.map((b) => (b.inFault ? top : 0));
  return [
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis "second (⚡ = fault)" [${buckets.map(mermaidLabel).join(', ')}]`,
    `  y-axis "${yLabel}" 0 --> ${top}`,
    `  bar [${band.join(', ')}]`,
    `  line [${values.map(num).join(', ')}]`,
  ].join('\n');
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
  );
  const err = xychart(
    `error rate %${per}, ${faultTitle(s)}`,
    'errors (%)',
    buckets,
    buckets.map((b) => Math.round(b.errorRate * 10000) / 100),
    100,
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
    return `| ${t}${b.inFault ? ' ⚡' : ''} | ${b.phase} | ${b.scheduled} | ${fmtMs(b.p95Ms)} | ${fmtPct(b.errorRate)} |`;
  });
  return ['| t (s) | phase | sent | p95 | errors |', '|---|---|--:|--:|--:|', ...rows].join('\n');
}
