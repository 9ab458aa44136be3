// The Action's inputs, read once and turned into the engine's RunConfig. The suite choice
// (pull request → default, label / dispatch / schedule → full) is a pure function.
import path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { parseRunConfig, type RunConfig } from '../config/run-config';

export interface ActionInputs {
  config: RunConfig;
  token: string;
  comment: boolean;
  failOnInconclusive: boolean;
  pushgatewayUrl: string | null;
  /** The suite and why it was chosen, for the log and the report. */
  suiteChoice: SuiteChoice;
}

export interface SuiteChoice {
  suite: string;
  why: string;
}

export interface SuiteContext {
  suiteInput: string;
  eventName: string;
  payload: { pull_request?: { labels?: { name?: string }[] }; inputs?: Record<string, unknown> };
  fullSuiteLabel: string;
}

/** `auto`: full when asked (dispatch input, PR label) or on schedule; default otherwise. */
export function chooseSuite(context: SuiteContext): SuiteChoice {
  const asked = context.suiteInput.trim() || 'auto';
  if (asked !== 'auto') return { suite: asked, why: `suite input "${asked}"` };
  const dispatched = context.payload.inputs?.suite;
  if (context.eventName === 'workflow_dispatch' && typeof dispatched === 'string' && dispatched.trim()) {
    return { suite: dispatched.trim(), why: `workflow_dispatch input suite=${dispatched.trim()}` };
  }
  if (context.eventName === 'schedule') return { suite: 'full', why: 'scheduled run' };
  const labels = context.payload.pull_request?.labels ?? [];
  if (context.fullSuiteLabel && labels.some((label) => label.name === context.fullSuiteLabel)) {
    return { suite: 'full', why: `pull request labelled ${context.fullSuiteLabel}` };
  }
  return { suite: 'default', why: `${context.eventName || 'this'} event` };
}

function list(name: string): string[] {
  return core
    .getInput(name)
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const workdir = path.resolve(
    env.GITHUB_WORKSPACE ?? process.cwd(),
    core.getInput('working-directory') || '.',
  );
  const inWorkdir = (p: string): string => path.resolve(workdir, p);
  const suiteChoice = chooseSuite({
    suiteInput: core.getInput('suite'),
    eventName: github.context.eventName,
    payload: github.context.payload as SuiteContext['payload'],
    fullSuiteLabel: core.getInput('full-suite-label'),
  });
  const runnerTemp = env.RUNNER_TEMP ?? path.join(workdir, '.chaos-action');
  const config = parseRunConfig(
    {
      'compose-files': list('compose-file').map(inWorkdir),
      suite: suiteChoice.suite,
      scenarios: list('scenarios'),
      'scenarios-dirs': list('scenarios-dir').map(inWorkdir),
      'service-map': core.getInput('service-map'),
      'target-url': core.getInput('target-url'),
      'results-dir': inWorkdir(core.getInput('results-dir') || 'chaos-results'),
      'journal-path': path.join(runnerTemp, 'chaos-action', 'journal.json'),
      'fail-on-violation': core.getInput('fail-on-violation'),
      scale: core.getInput('scale'),
      'baseline-results': core.getInput('baseline-results')
        ? inWorkdir(core.getInput('baseline-results'))
        : '',
    },
    'input',
  );
  const bool = (name: string, fallback: boolean): boolean => {
    const value = core.getInput(name).trim().toLowerCase();
    if (value === '') return fallback;
    if (['true', 'yes', 'on', '1'].includes(value)) return true;
    if (['false', 'no', 'off', '0'].includes(value)) return false;
    throw new Error(`input ${name}: "${value}" is not true or false`);
  };
  return {
    config,
    token: core.getInput('github-token'),
    comment: bool('comment', true),
    failOnInconclusive: bool('fail-on-inconclusive', true),
    pushgatewayUrl: core.getInput('pushgateway-url') || null,
    suiteChoice,
  };
}
