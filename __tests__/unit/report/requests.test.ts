// A scenario that sent a mix: each request's figures in every output beside the total.
import type { PhaseStats, ScenarioResult } from '../../../src/results';
import { renderJUnit } from '../../../src/report/junit';
import { renderScenarioDetails } from '../../../src/report/markdown';
import { requestFigures } from '../../../src/report/requests';
import { renderTerminalTable } from '../../../src/report/terminal';
import { buildPhase, buildRun, buildScenario } from '../../helpers/sample-results';

/** The sample scenario, its phases split between a catalogue that holds and a checkout that fails in the fault. */
function mixScenario(): ScenarioResult {
  const scenario = buildScenario();
  const split = (p: PhaseStats): PhaseStats => {
    const failing = p.phase === 'fault';
    const catalogue = buildPhase(p.phase, p.startMs, p.endMs, { rate: 40, p95Ms: 20 });
    const checkout = buildPhase(p.phase, p.startMs, p.endMs, {
      rate: 10,
      p95Ms: failing ? 900 : 60,
      errorRate: failing ? 0.5 : 0,
    });
    return {
      ...p,
      requests: [
        { ...catalogue, name: 'catalogue' },
        { ...checkout, name: 'checkout' },
      ],
    };
  };
  return {
    ...scenario,
    phases: scenario.phases.map(split),
    requests: [
      { name: 'catalogue', method: 'GET', path: '/items/{{sku}}', weight: 4, reaches: ['cache'] },
      { name: 'checkout', method: 'POST', path: '/checkout', weight: 1, reaches: null },
    ],
  };
}

describe('per-request figures', () => {
  it('lists the mix in its order, each over the phases after the warm-up', () => {
    const figures = requestFigures(mixScenario());
    expect(figures.map((r) => r.name)).toEqual(['catalogue', 'checkout']);
    expect(figures[1].phases.map((p) => p.phase)).toEqual(['baseline', 'fault', 'recovery', 'after']);
    expect(requestFigures(buildScenario())).toEqual([]);
  });

  it('the terminal shows one row per request only when asked', () => {
    const run = buildRun([mixScenario()]);
    expect(renderTerminalTable(run)).not.toContain('· checkout');
    const table = renderTerminalTable(run, { perRequest: true });
    const checkout = table.split('\n').find((line) => line.includes('· checkout')) ?? '';
    expect(checkout).toMatch(/60ms → 900ms → 60ms\s+50(\.0)?%/);
  });

  it('the comment collapses a per-request table under the scenario', () => {
    const md = renderScenarioDetails(mixScenario());
    expect(md).toContain('<details><summary>Per request (2)</summary>');
    expect(md).toMatch(/\| checkout \| — \| ⚡ fault \| 300 \| [^|]+ \| 900ms \|/);
    expect(md).toMatch(/\| catalogue \| cache \| baseline \|/);
  });

  it("JUnit carries each request and phase in the scenario's system-out", () => {
    const xml = renderJUnit(buildRun([mixScenario()]));
    expect(xml).toMatch(
      /request checkout fault: 300 sent, 150 errors \(50(\.0)?%\), p50 \S+ p95 900ms p99 \S+/,
    );
  });
});
