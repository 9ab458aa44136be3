// JUnit XML of a run, for test reporters (dorny/test-reporter, mikepenz/action-junit-report,
// GitLab, Jenkins). Pure. One <testsuite> per scenario, one <testcase> per threshold:
//   passed true  → an empty testcase
//   passed false → <failure message="fault p95 612ms > 500ms" type="threshold">
//   passed false, severity warning → a passing testcase whose system-out starts with a warning sign
//   passed null  → <error> when the scenario's outcome is 'error', else <skipped> (inconclusive)
// A scenario that ended in 'error' or 'inconclusive' without a threshold saying so gets one
// extra testcase named "(scenario)" carrying the reason, so no outcome is lost.
import { writeFile } from 'node:fs/promises';
import type { RunResult, ScenarioResult, ThresholdResult } from '../results';
import { escapeXml } from './escape';
import { describeViolation } from './format';
import { requestLines } from './requests';

interface Case {
  xml: string;
  failure: boolean;
  error: boolean;
  skipped: boolean;
}

function attrs(a: Record<string, string | number | null | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

function seconds(ms: number | null | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

function thresholdCase(s: ScenarioResult, t: ThresholdResult): Case {
  const head = `    <testcase${attrs({ name: t.source, classname: s.name, file: t.file, line: t.line, time: '0.000' })}`;
  const body = [
    `actual: ${t.actual}`,
    `limit: ${t.limit}`,
    t.phase ? `phase: ${t.phase}` : null,
    t.detail ?? null,
  ]
    .filter(Boolean)
    .join('\n');
  if (t.passed === true) return { xml: `${head}/>`, failure: false, error: false, skipped: false };
  if (t.passed === false && t.severity === 'warning') {
    // A warning fails nothing: a non-failing testcase that carries the message for whoever reads it.
    const message = `⚠ warning: ${describeViolation(t)}\n${body}`;
    return {
      xml: `${head}>\n      <system-out>${escapeXml(message)}</system-out>\n    </testcase>`,
      failure: false,
      error: false,
      skipped: false,
    };
  }
  if (t.passed === false) {
    return {
      xml: `${head}>\n      <failure${attrs({ message: describeViolation(t), type: 'threshold' })}>${escapeXml(body)}</failure>\n    </testcase>`,
      failure: true,
      error: false,
      skipped: false,
    };
  }
  if (s.outcome === 'error') {
    return {
      xml: `${head}>\n      <error${attrs({ message: `not evaluated: ${s.reason || t.actual}`, type: 'error' })}>${escapeXml(body)}</error>\n    </testcase>`,
      failure: false,
      error: true,
      skipped: false,
    };
  }
  return {
    xml: `${head}>\n      <skipped${attrs({ message: `not evaluated (inconclusive): ${t.detail ?? (s.reason || t.actual)}` })}/>\n    </testcase>`,
    failure: false,
    error: false,
    skipped: true,
  };
}

function scenarioCase(s: ScenarioResult, cases: Case[]): Case | null {
  const head = `    <testcase${attrs({ name: '(scenario)', classname: s.name, file: s.file, time: seconds(s.durationMs) })}`;
  if (s.outcome === 'error' && !cases.some((c) => c.error)) {
    return {
      xml: `${head}>\n      <error${attrs({ message: s.reason || 'scenario error', type: 'error' })}/>\n    </testcase>`,
      failure: false,
      error: true,
      skipped: false,
    };
  }
  if (s.outcome === 'skipped') {
    return {
      xml: `${head}>\n      <skipped${attrs({ message: `skipped: ${s.reason || 'no reason given'}` })}/>\n    </testcase>`,
      failure: false,
      error: false,
      skipped: true,
    };
  }
  if (s.outcome === 'inconclusive' && !cases.some((c) => c.skipped)) {
    return {
      xml: `${head}>\n      <skipped${attrs({ message: `inconclusive: ${s.reason || 'no reason given'}` })}/>\n    </testcase>`,
      failure: false,
      error: false,
      skipped: true,
    };
  }
  return null;
}

function systemOut(s: ScenarioResult): string {
  const lines: string[] = [`outcome: ${s.outcome}`, `hypothesis: ${s.hypothesis}`];
  if (s.reason) lines.push(`reason: ${s.reason}`);
  // Every fault of a multi-fault scenario, in the order injected (results before `faults`
  // existed have only `fault`).
  const faults = s.faults && s.faults.length > 0 ? s.faults : s.fault ? [s.fault] : [];
  for (const fault of faults)
    lines.push(`fault: ${fault.kind} on ${fault.targets.join(', ')}`, ...fault.evidence.map((e) => `  ${e}`));
  if (s.recoveryTimeMs !== null) lines.push(`recovery: ${s.recoveryTimeMs}ms`);
  if (s.generatorLimited) lines.push('generator-limited: latency figures are not the system under test');
  for (const line of requestLines(s)) lines.push(`request ${line}`);
  for (const n of s.notes) lines.push(`note: ${n}`);
  for (const m of s.logMatches) lines.push(`log ${m.service}: ${m.line}`);
  return escapeXml(lines.join('\n'));
}

/** The run as a JUnit XML document (UTF-8). */
export function renderJUnit(result: RunResult): string {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const suites = result.scenarios.map((s) => {
    const cases = s.thresholds.map((t) => thresholdCase(s, t));
    const extra = scenarioCase(s, cases);
    if (extra) cases.push(extra);
    const c = {
      tests: cases.length,
      failures: cases.filter((x) => x.failure).length,
      errors: cases.filter((x) => x.error).length,
      skipped: cases.filter((x) => x.skipped).length,
    };
    tests += c.tests;
    failures += c.failures;
    errors += c.errors;
    skipped += c.skipped;
    return [
      `  <testsuite${attrs({ name: s.name, ...c, time: seconds(s.durationMs), timestamp: s.startedAt, file: s.file })}>`,
      `    <properties>`,
      `      <property${attrs({ name: 'outcome', value: s.outcome })}/>`,
      `      <property${attrs({ name: 'title', value: s.title })}/>`,
      `      <property${attrs({ name: 'hypothesis', value: s.hypothesis })}/>`,
      `    </properties>`,
      ...cases.map((x) => x.xml),
      `    <system-out>${systemOut(s)}</system-out>`,
      `  </testsuite>`,
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: `chaos-action ${result.suite}`, tests, failures, errors, skipped, time: seconds(result.durationMs), timestamp: result.startedAt })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes the JUnit XML of a run to `path`. */
export async function writeJUnit(result: RunResult, path: string): Promise<void> {
  await writeFile(path, renderJUnit(result), 'utf8');
}
