// Warning thresholds: written three ways, reported everywhere with ⚠, never failing anything.
import { parseScenarioText } from '../../../src/config/load-scenarios';
import { ConfigError } from '../../../src/config/errors';
import { renderJUnit } from '../../../src/report/junit';
import { renderReport, renderVerdictLine } from '../../../src/report/markdown';
import { renderTerminalTable } from '../../../src/report/terminal';
import { decideOutcome } from '../../../src/scenario/verdict';
import { buildRun, buildScenario, buildThreshold } from '../../helpers/sample-results';

const scenario = (thresholds: string, extra = '') => `
name: demo
title: Demo
hypothesis: It holds.
target: { role: cache }
fault: { type: stop, duration: 10s }
load:
  request: { method: GET, path: /healthz }
  rate: 10/s
${extra}
thresholds:
${thresholds}`;

describe('severity in scenario files', () => {
  it('reads the long form, the (warning) suffix and the default', () => {
    const s = parseScenarioText(
      scenario(
        [
          "  - { threshold: 'fault: p95 < 300ms', severity: warning }",
          "  - { threshold: 'fault: error_rate < 5%', severity: error }",
          '  - fault: p99 < 900ms (warning)',
          '  - recovery_time < 10s',
        ].join('\n'),
      ),
      'demo.yml',
    );
    expect(s.thresholds.map((t) => [t.source, t.gateSeverity ?? 'error', t.line])).toEqual([
      ['fault: p95 < 300ms', 'warning', 12],
      ['fault: error_rate < 5%', 'error', 13],
      ['fault: p99 < 900ms', 'warning', 14],
      ['recovery_time < 10s', 'error', 15],
    ]);
  });

  it('makes every threshold a warning with a scenario-level severity: warning, unless one says error', () => {
    const s = parseScenarioText(
      scenario(
        ['  - fault: p95 < 300ms', "  - { threshold: 'recovery_time < 10s', severity: error }"].join('\n'),
        'severity: warning',
      ),
      'demo.yml',
    );
    expect(s.thresholds.map((t) => t.gateSeverity ?? 'error')).toEqual(['warning', 'error']);
  });

  it('refuses an unknown severity with the file, line and field', () => {
    let error: unknown;
    try {
      parseScenarioText(scenario("  - { threshold: 'fault: p95 < 300ms', severity: warn }"), 'demo.yml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const [issue] = (error as ConfigError).issues;
    expect(issue.file).toBe('demo.yml');
    expect(issue.line).toBe(12);
    expect(issue.field).toMatch(/^thresholds\[0\]/);
  });

  it('refuses an unknown scenario-level severity', () => {
    expect(() => parseScenarioText(scenario('  - fault: p95 < 300ms', 'severity: soft'), 'demo.yml')).toThrow(
      /^demo\.yml:10: severity: "soft" is not one of "error", "warning"/,
    );
  });
});

describe('the outcome with warnings', () => {
  const ok = { steadyStateBeforeOk: true, faultEffective: true };
  const held = buildThreshold();
  const warned = buildThreshold({ passed: false, actual: '612ms', value: 612, severity: 'warning' });

  it('passes a scenario whose only violations are warnings', () => {
    expect(decideOutcome([held, warned], ok)).toEqual({ outcome: 'pass', reason: '' });
    expect(decideOutcome([warned], ok)).toEqual({ outcome: 'pass', reason: '' });
  });

  it('still fails on a violated error next to a warning', () => {
    expect(decideOutcome([warned, { ...warned, severity: undefined }], ok).outcome).toBe('fail');
  });

  it('is not made inconclusive by a warning that could not be evaluated', () => {
    const unknownWarning = buildThreshold({ passed: null, severity: 'warning', actual: 'n/a' });
    expect(decideOutcome([held, unknownWarning], ok).outcome).toBe('pass');
    // …but nothing judged at all is still no pass.
    expect(decideOutcome([unknownWarning], ok).outcome).toBe('inconclusive');
  });
});

describe('warnings in the reports', () => {
  const warned = buildThreshold({
    source: 'fault: p95 < 300ms',
    passed: false,
    actual: '612ms',
    limit: '< 300ms',
    value: 612,
    severity: 'warning',
  });
  const run = buildRun([buildScenario({}, { outcome: 'pass', thresholds: [buildThreshold(), warned] })], {
    violations: 0,
    warnings: 1,
  });

  it('says "passed with 1 warning" in the headline and ⚠ in the tables', () => {
    expect(renderVerdictLine(run)).toMatch(/^✅ chaos gate passed with 1 warning ⚠: 1 of 1 scenario held/);
    const md = renderReport(run);
    expect(md).toContain('| ⚠ fault p95 612ms &gt; 300ms \\(warning\\) |');
    expect(md).toContain('| ⚠ | <code>fault: p95 &lt; 300ms</code> <sub>warning</sub> | fault | 612ms |');
    expect(md).toContain('1 threshold held, 1 warning ⚠');
  });

  it('counts warnings from the thresholds when results.json predates the field', () => {
    expect(renderVerdictLine({ ...run, warnings: undefined })).toContain('passed with 1 warning');
    expect(renderVerdictLine(buildRun())).toMatch(/^✅ chaos gate passed: /);
    const failing = buildRun(
      [buildScenario({}, { outcome: 'fail', thresholds: [buildThreshold({ passed: false }), warned] })],
      { violations: 1, warnings: 1 },
    );
    expect(renderVerdictLine(failing)).toMatch(/^❌ chaos gate failed: .*\(1 threshold\); 1 warning ⚠$/);
  });

  it('shows ⚠ in the terminal table and counts it in the last line', () => {
    const table = renderTerminalTable(run);
    expect(table).toContain('⚠ fault: p95 < 300ms (actual 612ms)');
    expect(table).toMatch(/^PASS: 1 scenarios, 0 failed, 0 thresholds violated, 1 warnings ⚠ /m);
  });

  it('writes a non-failing JUnit test case with the message in its system-out', () => {
    const xml = renderJUnit(run);
    expect(xml).toMatch(/<testsuites [^>]*failures="0"/);
    expect(xml).toContain(
      '<testcase name="fault: p95 &lt; 300ms" classname="redis-failure" file="scenarios/redis-failure.yml" line="14" time="0.000">\n      <system-out>⚠ warning: fault p95 612ms &gt; 300ms',
    );
    expect(xml).not.toContain('<failure');
  });
});
