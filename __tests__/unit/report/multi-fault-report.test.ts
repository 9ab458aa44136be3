// A scenario with several faults in the report: each fault has its own band in the mermaid
// charts (stepped heights, named in the title) and its own evidence block; one fault renders
// as before (one band, one "Fault:" block); MTTR is on the scenario's line.
import { renderTimelineChart, faultBands } from '../../../src/report/chart';
import { renderScenarioDetails } from '../../../src/report/markdown';
import { scenarioMs } from '../../../src/util/clock';
import { buildFault, buildScenario } from '../../helpers/sample-results';

const scenario = buildScenario({ name: 'game-day' });
// buildScenario's fault phase is 25 s–55 s.
const cache = buildFault({ targets: ['redis/proj-redis-1'], evidence: ['redis-1 state=exited'] });
const metrics = buildFault({
  targets: ['prometheus/proj-prometheus-1'],
  injectedAtMs: scenarioMs(25_400),
  revertedAtMs: scenarioMs(40_200),
  evidence: ['prometheus-1 state=exited'],
});
const twoFaults = { ...scenario, fault: cache, faults: [cache, metrics], mttrMs: 33_000 };

/** The bar series of the first chart, each as its list of values. */
function bars(chart: string): number[][] {
  const first = chart.split('```')[1];
  return [...first.matchAll(/^ {2}bar \[(.*)\]$/gm)].map((m) => m[1].split(', ').map(Number));
}

describe('a scenario with several faults in the report', () => {
  it('gives each fault its own band, from its injection to its revert', () => {
    expect(faultBands(twoFaults)).toEqual([
      { label: 'stop redis', startSecond: 25, endSecond: 55 },
      { label: 'stop prometheus', startSecond: 25, endSecond: 41 },
    ]);
    const chart = renderTimelineChart(twoFaults);
    const [first, second] = bars(chart);
    expect(bars(chart)).toHaveLength(2);
    // The timeline is drawn in 5 s buckets: bucket i starts at second 5i.
    const seconds = (band: number[]) => band.map((v, i) => (v > 0 ? i * 5 : -1)).filter((i) => i >= 0);
    expect([seconds(first)[0], seconds(first).at(-1)]).toEqual([25, 50]);
    expect([seconds(second)[0], seconds(second).at(-1)]).toEqual([25, 40]);
    // The second band is lower, so both show where they overlap.
    expect(Math.max(...second)).toBeLessThan(Math.max(...first));
    expect(chart).toContain('faults 1: stop redis 25s–55s, 2: stop prometheus 25s–41s');
  });

  it('keeps one band and the fault window title for a single fault', () => {
    const chart = renderTimelineChart({ ...scenario, fault: cache, faults: [cache] });
    expect(bars(chart)).toHaveLength(1);
    expect(chart).toContain('fault 25s–55s');
  });

  it('gives each fault its own evidence block, and shows MTTR', () => {
    const md = renderScenarioDetails(twoFaults);
    expect(md).toContain('**Fault 1 of 2:** <code>stop</code> on <code>redis/proj-redis-1</code>');
    expect(md).toContain('**Fault 2 of 2:** <code>stop</code> on <code>prometheus/proj-prometheus-1</code>');
    expect(md).toContain('- <code>prometheus-1 state=exited</code>');
    expect(md).toMatch(/· MTTR 33(\.0)?s/);
    const one = renderScenarioDetails({ ...scenario, fault: cache, faults: [cache] });
    expect(one).toContain('**Fault:** <code>stop</code>');
    expect(one).not.toContain('MTTR');
  });
});
