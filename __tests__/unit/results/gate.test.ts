// Each kind of outcome is gated by its own setting: a run with one failed and one errored
// scenario under `fail-on-violation: false` still fails on the error, in the check run, in the
// Action's step and in the CLI's exit code, and every kind present is said.
import * as core from '@actions/core';
import { gate } from '../../../src/action/publish';
import { checkConclusion } from '../../../src/report/check-run';
import { renderTerminalTable } from '../../../src/report/terminal';
import { EXIT, gateDecision, gateExitCode, type GateSettings } from '../../../src/results/gate';
import { parseRunConfig } from '../../../src/config/run-config';
import {
  buildRun,
  buildScenario,
  errorScenario,
  failingScenario,
  inconclusiveScenario,
} from '../../helpers/sample-results';

jest.mock('@actions/core', () => ({
  ...jest.requireActual('@actions/core'),
  setFailed: jest.fn(),
  warning: jest.fn(),
  info: jest.fn(),
}));

const all: GateSettings = { failOnViolation: true, failOnInconclusive: true, failOnError: true };
const noViolation = { ...all, failOnViolation: false };

describe('a violation let through does not hide an error', () => {
  const run = buildRun([failingScenario(), errorScenario()]);

  it('the run outcome names the violation, the gate sees both', () => {
    expect(run.outcome).toBe('fail');
    expect(gateDecision(run, noViolation)).toMatchObject({ failing: ['error'], allowed: ['violation'] });
    expect(gateDecision(run, all).failing).toEqual(['violation', 'error']);
  });

  it('the check run fails on the error', () => {
    expect(checkConclusion(run, noViolation)).toBe('failure');
    expect(checkConclusion(run, { ...noViolation, failOnError: false })).toBe('neutral');
  });

  it('the CLI exits 4 (the tool or the infrastructure failed), not 0', () => {
    expect(gateExitCode(run, noViolation)).toBe(4);
    expect(gateExitCode(run, all)).toBe(1);
    expect(gateExitCode(run, { ...noViolation, failOnError: false })).toBe(0);
  });

  it('the Action step fails on the error and warns about the violation it let through', () => {
    jest.mocked(core.setFailed).mockClear();
    jest.mocked(core.warning).mockClear();
    gate(run, noViolation);
    expect(jest.mocked(core.setFailed).mock.calls).toEqual([
      [expect.stringMatching(/^chaos gate failed: error: /)],
    ]);
    expect(jest.mocked(core.warning).mock.calls).toEqual([
      [expect.stringMatching(/threshold\(s\) violated in .* \(fail-on-violation is false\)$/)],
    ]);
  });

  it('the terminal headline counts each kind', () => {
    const last = renderTerminalTable(buildRun([failingScenario(), errorScenario(), inconclusiveScenario()]))
      .split('\n')
      .at(-1);
    expect(last).toMatch(/^FAIL: 3 scenarios, 1 failed, 1 errored, 1 inconclusive, /);
  });
});

describe('each kind by its own setting', () => {
  it('inconclusive and error are gated apart', () => {
    const run = buildRun([buildScenario(), inconclusiveScenario(), errorScenario()]);
    expect(run.outcome).toBe('error');
    expect(gateDecision(run, { ...all, failOnError: false })).toMatchObject({
      failing: ['inconclusive'],
      allowed: ['error'],
    });
    expect(gateDecision(run, { ...all, failOnInconclusive: false })).toMatchObject({
      failing: ['error'],
      allowed: ['inconclusive'],
    });
    expect(gateExitCode(run, { ...all, failOnError: false, failOnInconclusive: false })).toBe(0);
  });

  it('each kind has its own exit code, and an error is not taken for noise', () => {
    expect(gateExitCode(buildRun([buildScenario()]), all)).toBe(EXIT.passed);
    expect(gateExitCode(buildRun([buildScenario(), failingScenario()]), all)).toBe(EXIT.violated);
    expect(gateExitCode(buildRun([buildScenario(), inconclusiveScenario()]), all)).toBe(EXIT.inconclusive);
    expect(gateExitCode(buildRun([buildScenario(), errorScenario()]), all)).toBe(EXIT.failed);
    const both = buildRun([inconclusiveScenario(), errorScenario()]);
    expect(gateExitCode(both, all)).toBe(EXIT.failed);
    expect(gateExitCode(both, { ...all, failOnError: false })).toBe(EXIT.inconclusive);
    expect(new Set(Object.values(EXIT)).size).toBe(Object.values(EXIT).length);
  });

  it('a run in which no scenario ran is an error; one in which all were skipped judged nothing', () => {
    expect(gateDecision(buildRun([], { outcome: 'error' }), all).failing).toEqual(['error']);
    const skipped = buildRun([buildScenario({}, { outcome: 'skipped' })]);
    expect(skipped.outcome).toBe('inconclusive');
    expect(gateDecision(skipped, all).failing).toEqual(['inconclusive']);
  });

  it('the settings are read from the run config (file keys, action inputs, CLI flags), true unless set', () => {
    const parsed = parseRunConfig({
      'compose-files': 'a.yml',
      'fail-on-error': 'false',
      'fail-on-inconclusive': 'no',
    });
    expect(parsed).toMatchObject({ failOnViolation: true, failOnInconclusive: false, failOnError: false });
    expect(parseRunConfig({ 'compose-files': 'a.yml' })).toMatchObject({
      failOnInconclusive: true,
      failOnError: true,
    });
  });

  it('settings written before fail-on-error existed fail on errors', () => {
    expect(
      checkConclusion(buildRun([errorScenario()]), { failOnViolation: false, failOnInconclusive: false }),
    ).toBe('failure');
  });
});
