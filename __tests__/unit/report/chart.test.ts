import {
  MAX_CHART_POINTS,
  PLOT_WIDTH_PX,
  bucketSizeFor,
  bucketTimeline,
  labelEvery,
  labelWidthPx,
  mermaidText,
  renderTimelineChart,
  renderTimelineTable,
  xAxisLabels,
} from '../../../src/report/chart';
import { scenarioMs } from '../../../src/util/clock';
import { buildFault, buildScenario } from '../../helpers/sample-results';

function mermaidBlocks(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]);
}

/** The x-axis categories of a mermaid xychart block, unquoted. */
function categories(block: string): string[] {
  const list = /x-axis "[^"]*" \[(.*)\]/.exec(block)![1];
  return [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
}

/** What a reader sees of a category: the zero-width characters draw nothing. */
function visible(label: string): string {
  return label.replace(/\u200b|\u200c|\u200d|\u2060/g, '');
}

/** The labels a reader sees, with their bucket index. */
function shown(labels: string[]): Array<{ i: number; text: string }> {
  return labels.map((l, i) => ({ i, text: visible(l) })).filter((l) => l.text !== '');
}

describe('mermaid timeline chart', () => {
  it('draws p95 (ms) and error rate (%) as two xychart-beta blocks with the fault window shaded and named', () => {
    const s = buildScenario({ phaseSeconds: { warmup: 2, baseline: 10, fault: 10, recovery: 10, after: 5 } });
    const md = renderTimelineChart(s);
    const blocks = mermaidBlocks(md);
    expect(blocks).toHaveLength(2);
    const [p95, err] = blocks.map((b) => b.split('\n'));
    expect(p95[0]).toBe('xychart-beta');
    expect(p95[1]).toBe('  title "p95 latency ms, fault 12s–22s"');
    expect(err[1]).toBe('  title "error rate %, fault 12s–22s"');
    // 37 seconds → 37 points, per second. Every 5th second is labelled, and the fault's
    // first second always (its neighbours 10 and 15 give way); labelled fault seconds carry ⚡.
    const labels = categories(p95[2]);
    expect(labels).toHaveLength(37);
    expect(new Set(labels).size).toBe(37);
    expect(shown(labels)).toEqual([
      { i: 0, text: '0' },
      { i: 5, text: '5' },
      { i: 12, text: '12⚡' },
      { i: 20, text: '20⚡' },
      { i: 25, text: '25' },
      { i: 30, text: '30' },
      { i: 35, text: '35' },
    ]);
    // The band series is at the axis top exactly during the fault.
    const top = Number(/0 --> (\d+)/.exec(p95[3])![1]);
    const band = /bar \[(.*)\]/.exec(p95[4])![1].split(', ').map(Number);
    expect(band.slice(12, 22).every((v) => v === top)).toBe(true);
    expect(band.filter((v) => v !== 0)).toHaveLength(10);
    // Line values are the per-second p95s, all under the axis top.
    const line = /line \[(.*)\]/.exec(p95[5])![1].split(', ').map(Number);
    expect(line).toHaveLength(37);
    expect(Math.max(...line)).toBeLessThanOrEqual(top);
    expect(line[15]).toBeCloseTo(s.timeline[15].p95Ms!, 1);
  });

  it('buckets long timelines to at most 60 points, keeping the worst p95 of each bucket', () => {
    const s = buildScenario({
      phaseSeconds: { warmup: 5, baseline: 60, fault: 120, recovery: 100, after: 15 },
    });
    expect(s.timeline).toHaveLength(300);
    expect(bucketSizeFor(300, 60)).toBe(5);
    const buckets = bucketTimeline(s, 5);
    expect(buckets).toHaveLength(60);
    const worst = Math.max(...s.timeline.slice(100, 105).map((p) => p.p95Ms!));
    expect(buckets[20].p95Ms).toBe(worst);
    const [p95] = mermaidBlocks(renderTimelineChart(s));
    expect(p95).toContain('per 5s');
    expect(/line \[(.*)\]/.exec(p95)![1].split(', ')).toHaveLength(60);
  });

  it('a second with no completed request is drawn at 0 and shown as — in the table', () => {
    const s = buildScenario({
      p95: { fault: null },
      errorRate: { fault: 1 },
      phaseSeconds: { warmup: 0, baseline: 5, fault: 5, recovery: 5, after: 0 },
    });
    const table = renderTimelineTable(s);
    expect(table).toContain('| 5 ⚡ | fault | 50 | — | 100% |');
    const [, err] = mermaidBlocks(renderTimelineChart(s));
    expect(err).toContain('y-axis "errors (%)" 0 --> 100');
    expect(err).toContain('bar [0, 0, 0, 0, 0, 100, 100, 100, 100, 100, 0,');
    expect(err).toMatch(/line \[0, 0, 0, 0, 0, 100, 100, /);
  });

  it('the numbers are in a compact table too: per second when short, per 5 s when long', () => {
    const short = buildScenario({
      phaseSeconds: { warmup: 0, baseline: 10, fault: 10, recovery: 10, after: 0 },
    });
    const t1 = renderTimelineTable(short).split('\n');
    expect(t1[0]).toBe('| t (s) | phase | sent | p95 | errors |');
    expect(t1).toHaveLength(2 + 30);
    const long = buildScenario();
    const t2 = renderTimelineTable(long).split('\n');
    expect(t2).toHaveLength(2 + 17); // 85 s in 5 s rows
    expect(t2[2 + 5]).toMatch(/^\| 25–29 ⚡ \| fault \| 250 \| /);
  });

  it('x-axis categories are unique and never blank, as mermaid needs (its band scale merges repeats, it trims labels)', () => {
    for (const seconds of [10, 37, 60, 61, 120, 299, 600, 3600]) {
      const s = buildScenario({
        phaseSeconds: {
          warmup: 0,
          baseline: seconds - Math.ceil(seconds / 2),
          fault: Math.ceil(seconds / 2),
          recovery: 0,
          after: 0,
        },
      });
      for (const block of mermaidBlocks(renderTimelineChart(s))) {
        const labels = categories(block);
        expect(labels).toHaveLength(
          Math.min(seconds, bucketTimeline(s, bucketSizeFor(seconds, MAX_CHART_POINTS)).length),
        );
        expect(new Set(labels).size).toBe(labels.length);
        for (const l of labels) {
          expect(l.trim()).not.toBe('');
          expect(l).not.toMatch(/["\n]/);
        }
      }
    }
  });

  // Timelines of 60 to 600 s (and beyond): the labels a reader sees must not touch at the
  // estimated label widths, stay round numbers, and be enough to read the axis.
  it.each([60, 75, 90, 120, 180, 240, 300, 450, 600, 1800])(
    'a %d s timeline has labels that do not overlap, on round seconds, ⚡ exactly on fault seconds',
    (seconds) => {
      const fault = Math.round(seconds * 0.3);
      const baseline = Math.round(seconds * 0.25);
      const s = buildScenario({
        phaseSeconds: { warmup: 0, baseline, fault, recovery: seconds - baseline - fault, after: 0 },
      });
      const buckets = bucketTimeline(s, bucketSizeFor(seconds, MAX_CHART_POINTS));
      const labels = xAxisLabels(buckets);
      const slot = PLOT_WIDTH_PX / buckets.length;
      const seen = shown(labels);
      expect(seen.length).toBeGreaterThanOrEqual(5);
      expect(seen.length).toBeLessThanOrEqual(16);
      for (let k = 1; k < seen.length; k++) {
        const [a, b] = [seen[k - 1], seen[k]];
        const gap = (b.i - a.i) * slot - (labelWidthPx(a.text) + labelWidthPx(b.text)) / 2;
        expect({ between: `${a.text}|${b.text}`, gap: gap >= 10 }).toEqual({
          between: `${a.text}|${b.text}`,
          gap: true,
        });
      }
      const every = labelEvery(buckets);
      const stepSeconds = every * (buckets[0].to - buckets[0].from + 1);
      const faultStart = buckets.findIndex((b) => b.inFault);
      for (const { i, text } of seen) {
        const second = Number(text.replace('⚡', ''));
        expect(second).toBe(buckets[i].from);
        if (i !== faultStart) expect(second % stepSeconds).toBe(0);
        // ⚡ exactly on the labelled buckets that overlap the fault window.
        const w = s.faultWindow!;
        const overlaps = buckets[i].from < w.endSecond && buckets[i].to >= w.startSecond;
        expect(text.endsWith('⚡')).toBe(overlaps);
      }
      // The fault's first bucket is always labelled, with its ⚡.
      expect(visible(labels[faultStart])).toBe(`${buckets[faultStart].from}⚡`);
    },
  );

  it('labels every second of a short timeline and every 5th of a 60 s one', () => {
    const short = buildScenario({
      phaseSeconds: { warmup: 0, baseline: 4, fault: 4, recovery: 4, after: 0 },
    });
    expect(shown(xAxisLabels(bucketTimeline(short, 1))).map((l) => l.text)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4⚡',
      '5⚡',
      '6⚡',
      '7⚡',
      '8',
      '9',
      '10',
      '11',
    ]);
    const minute = buildScenario({
      phaseSeconds: { warmup: 0, baseline: 20, fault: 20, recovery: 20, after: 0 },
    });
    expect(shown(xAxisLabels(bucketTimeline(minute, 1))).map((l) => l.text)).toEqual([
      '0',
      '5',
      '10',
      '15',
      '20⚡',
      '25⚡',
      '30⚡',
      '35⚡',
      '40',
      '45',
      '50',
      '55',
    ]);
  });

  it('a fault shorter than the label step still gets its ⚡ label, and the band is still drawn', () => {
    const s = buildScenario({
      phaseSeconds: { warmup: 0, baseline: 203, fault: 4, recovery: 393, after: 0 },
    });
    const [p95] = mermaidBlocks(renderTimelineChart(s));
    const labels = categories(p95);
    expect(labels).toHaveLength(60); // 600 s per 10 s
    const seen = shown(labels).map((l) => l.text);
    expect(seen.filter((t) => t.includes('⚡'))).toEqual(['200⚡']);
    expect(seen).not.toContain('180'); // within one step of the fault label: left out
    expect(seen).toContain('120');
    const band = /bar \[(.*)\]/.exec(p95)![1].split(', ').map(Number);
    expect(band.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([20]);
  });

  it('a timeline without a fault window has no ⚡ and no band', () => {
    const s = buildScenario({ phaseSeconds: { warmup: 0, baseline: 90, fault: 0, recovery: 0, after: 0 } });
    expect(s.faultWindow).toBeNull();
    const [p95] = mermaidBlocks(renderTimelineChart(s));
    expect(p95).toContain('no fault window');
    const labels = categories(p95);
    expect(labels.some((l) => l.includes('⚡'))).toBe(false);
    // 90 s per 5 s: 18 buckets, room for every label.
    expect(shown(labels).map((l) => l.text)).toEqual(Array.from({ length: 18 }, (_, k) => `${k * 5}`));
    expect(
      /bar \[(.*)\]/
        .exec(p95)![1]
        .split(', ')
        .every((v) => v === '0'),
    ).toBe(true);
  });

  it('renders nothing without a timeline', () => {
    const s = buildScenario({}, { timeline: [] });
    expect(renderTimelineChart(s)).toBe('');
    expect(renderTimelineTable(s)).toBe('');
  });
});

describe('fault names in a chart title (issue 27, finding 8)', () => {
  it('cannot end the title string or add mermaid of their own: a kind or target from the results is reduced to plain words', () => {
    const hostile = 'cpu" ]\n  bar [1]\n%%{init: {"theme":"dark"}}%% @octocat <b>';
    const s = buildScenario(
      { phaseSeconds: { warmup: 2, baseline: 4, fault: 6, recovery: 4, after: 2 } },
      {
        faults: [
          buildFault({ kind: hostile, targets: [`${hostile}/c1`], injectedAtMs: scenarioMs(6_000) }),
          buildFault({ kind: 'latency', targets: ['redis/r1'], injectedAtMs: scenarioMs(8_000) }),
        ],
      },
    );
    const [p95] = mermaidBlocks(renderTimelineChart(s));
    const title = p95.split('\n')[1];
    // One quoted string, on its own line, with nothing of the hostile text's markup left.
    expect(title).toMatch(/^ {2}title "[^"\n]*"$/);
    expect(title).not.toMatch(/[<>[\]{}%"]{2}|@octocat|<b>/);
    expect(p95.split('\n').filter((line) => /^\s*bar /.test(line))).toHaveLength(2);
    expect(mermaidText('redis-failure 1.5s')).toBe('redis-failure 1.5s');
  });
});
