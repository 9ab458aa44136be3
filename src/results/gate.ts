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
