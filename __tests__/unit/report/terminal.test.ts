import { renderTerminalTable } from '../../../src/report/terminal';
import { buildRun, buildScenario, failingScenario, inconclusiveScenario } from '../../helpers/sample-results';

describe('renderTerminalTable', () => {
  const run = buildRun([
    buildScenario({ name: 'otel-collector-failure' }),
    failingScenario(),
    inconclusiveScenario(),
  ]);
  const text = renderTerminalTable(run);
  const lines = text.split('\n');

  it('has a header and one row per scenario, columns aligned', () => {
    expect(lines[0]).toMatch(/^SCENARIO\s+VERDICT\s+P95 BASE→FAULT→AFTER\s+ERR\(FAULT\)\s+RECOVERY\s+WHY$/);
    const verdictColumn = lines[0].indexOf('VERDICT');
    expect(lines[1].slice(verdictColumn)).toMatch(/^PASS\s/);
    expect(lines[2].slice(verdictColumn)).toMatch(/^FAIL\s/);
    expect(lines[3].slice(verdictColumn)).toMatch(/^INCONCLUSIVE\s/);
  });

  it('shows p95 per phase and the violated thresholds with their actual values', () => {
    expect(lines[2]).toContain('40ms → 612ms → 42ms');
    expect(lines[2]).toContain('fault: error_rate < 1% (actual 3.2%)');
  });

  it('ends with the run verdict and the violation count', () => {
    expect(lines[lines.length - 1]).toMatch(
      /^FAIL: 3 scenarios, 1 failed, 1 inconclusive, \d+ thresholds violated \(suite default, /,
    );
  });
});
