import {
  bucketSizeFor,
  bucketTimeline,
  renderTimelineChart,
  renderTimelineTable,
} from '../../../src/report/chart';
import { buildScenario } from '../../helpers/sample-results';

function mermaidBlocks(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]);
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
    // 37 seconds → 37 points, per second; fault seconds 12..21 labelled with ⚡.
    const labels = /x-axis "[^"]*" \[(.*)\]/.exec(p95[2])![1].split(', ');
    expect(labels).toHaveLength(37);
    expect(labels.filter((l) => l.includes('⚡'))).toEqual(
      Array.from({ length: 10 }, (_, i) => `"${12 + i}⚡"`),
    );
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

  it('renders nothing without a timeline', () => {
    const s = buildScenario({}, { timeline: [] });
    expect(renderTimelineChart(s)).toBe('');
    expect(renderTimelineTable(s)).toBe('');
  });
});
