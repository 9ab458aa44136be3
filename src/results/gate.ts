// What fails the gate: each kind of outcome by its own setting. A run can hold a violation, an
// error and an inconclusive scenario at once; its one-word outcome (combineOutcomes) names the
// first, but the gate looks at each, so a setting that lets violations through never hides an
// error, and one that lets inconclusive scenarios through never hides a violation. Pure.
import type { Outcome, RunResult } from './index';

/** Fail the check (and the CLI's exit code) on each kind of outcome; true unless set. */
export interface GateSettings {
  failOnViolation: boolean;
  failOnInconclusive: boolean;
  /** An infrastructure error (a fault that did not act or could not be reverted, a stack that did not come up). */
  failOnError?: boolean;
}

export type GateKind = 'violation' | 'error' | 'inconclusive';

export interface GateDecision {
  /** The kinds present in the run that fail the gate under the settings, worst first. */
  failing: GateKind[];
  /** The kinds present that the settings let through (reported, not failing). */
  allowed: GateKind[];
  /** Scenarios per outcome. */
  counts: Record<Outcome, number>;
}

const SETTING: Record<GateKind, keyof GateSettings> = {
  violation: 'failOnViolation',
  error: 'failOnError',
  inconclusive: 'failOnInconclusive',
};

/** The setting's name as users write it (action input, CLI flag, config key). */
export const GATE_SETTING_NAME: Record<GateKind, string> = {
  violation: 'fail-on-violation',
  error: 'fail-on-error',
  inconclusive: 'fail-on-inconclusive',
};

export function outcomeCounts(result: Pick<RunResult, 'scenarios'>): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { pass: 0, fail: 0, inconclusive: 0, error: 0, skipped: 0 };
  for (const s of result.scenarios) counts[s.outcome] += 1;
  return counts;
}

export function gateDecision(
  result: Pick<RunResult, 'scenarios' | 'outcome'>,
  settings: GateSettings,
): GateDecision {
  const counts = outcomeCounts(result);
  const present: GateKind[] = [];
  if (counts.fail > 0 || (result.scenarios.length === 0 && result.outcome === 'fail'))
    present.push('violation');
  // A run in which no scenario ran at all is an error of its own.
  if (counts.error > 0 || (result.scenarios.length === 0 && result.outcome === 'error'))
    present.push('error');
  // A run in which every scenario was skipped judged nothing.
  if (counts.inconclusive > 0 || result.outcome === 'inconclusive') present.push('inconclusive');
  const fails = (kind: GateKind): boolean => settings[SETTING[kind]] !== false;
  return { failing: present.filter(fails), allowed: present.filter((k) => !fails(k)), counts };
}

/**
 * Every command's exit codes, one table (README's "Exit codes" is checked against it). A run
 * that holds several failing kinds exits with the first of violation, error, inconclusive.
 */
export const EXIT = {
  passed: 0,
  violated: 1,
  configuration: 2,
  inconclusive: 3,
  failed: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each exit code means, as README's table says it. */
export const EXIT_MEANING: Record<ExitCode, string> = {
  0: 'passed: every scenario held its thresholds (or what failed is let through by its fail-on-* setting)',
  1: 'a threshold was violated',
  2: 'configuration or usage error: nothing was started (the message names file, line and field)',
  3: 'inconclusive: a scenario could not be judged (the stack was not healthy before its fault, a measurement was missing)',
  4: 'the tool or the infrastructure failed: a fault that did not act or could not be reverted, a stack that did not come up, a target that could not be reached',
};

const EXIT_FOR_KIND: Record<GateKind, ExitCode> = {
  violation: EXIT.violated,
  error: EXIT.failed,
  inconclusive: EXIT.inconclusive,
};

/**
 * The exit code of a run under the gate's settings: the first kind that fails the gate, worst
 * first (a violation let through never hides an error: that run exits 4), else 0.
 */
export function gateExitCode(
  result: Pick<RunResult, 'scenarios' | 'outcome'>,
  settings: GateSettings,
): ExitCode {
  const [worst] = gateDecision(result, settings).failing;
  return worst === undefined ? EXIT.passed : EXIT_FOR_KIND[worst];
}
