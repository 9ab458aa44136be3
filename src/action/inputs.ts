// The Action's inputs, read once and turned into the engine's RunConfig. The suite choice
// (pull request → default, label / dispatch / schedule → full) is a pure function.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { DEFAULT_CONFIG_FILE, loadRunConfigFile, parseRunConfig, type RunConfig } from '../config/run-config';

export interface ActionInputs {
  config: RunConfig;
  token: string;
  comment: boolean;
  /** Create the check run `chaos` on the commit measured (needs checks: write). */
  checkRun: boolean;
  /** The run config's fail-on-inconclusive (input, or the config file). */
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

function dropEmpty(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== '' && !(Array.isArray(v) && v.length === 0)),
  );
}

/** Whether a run config file sets a key (a cheap look at its top-level keys). */
function fileSets(file: string, key: string): boolean {
  return new RegExp(`^${key}\\s*:`, 'm').test(readFileSync(file, 'utf8'));
}

function list(name: string): string[] {
  return core
    .getInput(name)
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** A true/false input; empty → `fallback`. */
function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name).trim().toLowerCase();
  if (value === '') return fallback;
  if (['true', 'yes', 'on', '1'].includes(value)) return true;
  if (['false', 'no', 'off', '0'].includes(value)) return false;
  throw new Error(`input ${name}: "${value}" is not true or false`);
}

/** The inputs `mode: report` uses (it starts no stack, so it reads no run config). */
export interface ReportInputs {
  /** Where the gate run's results artifact was downloaded. */
  resultsDir: string;
  token: string;
  comment: boolean;
  checkRun: boolean;
  failOnViolation: boolean;
  failOnInconclusive: boolean;
  failOnError: boolean;
}

export function readReportInputs(env: NodeJS.ProcessEnv = process.env): ReportInputs {
  const workdir = path.resolve(
    env.GITHUB_WORKSPACE ?? process.cwd(),
    core.getInput('working-directory') || '.',
  );
  const token = core.getInput('github-token');
  if (token) core.setSecret(token);
  return {
    resultsDir: path.resolve(workdir, core.getInput('results-dir') || 'chaos-results'),
    token,
    comment: booleanInput('comment', true),
    checkRun: booleanInput('check-run', true),
    failOnViolation: booleanInput('fail-on-violation', true),
    failOnInconclusive: booleanInput('fail-on-inconclusive', true),
    failOnError: booleanInput('fail-on-error', true),
  };
}

/**
 * The Action's mode: `run` measures and reports; `report` publishes a fork run's downloaded
 * results (report-mode.ts); `judge` judges scenarios that ran on Kubernetes (judge-mode.ts).
 */
export function readMode(): 'run' | 'report' | 'judge' {
  const mode = core.getInput('mode').trim() || 'run';
  if (mode === 'run' || mode === 'report' || mode === 'judge') return mode;
  throw new Error(`input mode: "${mode}" is not run, report or judge`);
}

/** The inputs `mode: judge` uses: a rendered Kubernetes run, its workflow nodes and the Prometheus that holds its load. */
export interface JudgeInputs extends ReportInputs {
  renderedDir: string;
  nodesFiles: string[];
  prometheusUrl: string;
  scenarios: string[];
}

export function readJudgeInputs(env: NodeJS.ProcessEnv = process.env): JudgeInputs {
  const report = readReportInputs(env);
  const workdir = path.resolve(
    env.GITHUB_WORKSPACE ?? process.cwd(),
    core.getInput('working-directory') || '.',
  );
  const required = (name: string, value: string): string => {
    if (!value.trim()) throw new Error(`input ${name} is required with mode: judge`);
    return value.trim();
  };
  const prometheusUrl = required('prometheus-url', core.getInput('prometheus-url'));
  if (!/^https?:\/\//.test(prometheusUrl))
    throw new Error(`input prometheus-url: "${prometheusUrl}" is not an http(s) URL`);
  required('k8s-nodes', core.getInput('k8s-nodes'));
  return {
    ...report,
    renderedDir: path.resolve(workdir, required('k8s-rendered', core.getInput('k8s-rendered'))),
    nodesFiles: list('k8s-nodes').map((file) => path.resolve(workdir, file)),
    prometheusUrl,
    scenarios: list('scenarios'),
  };
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
  const inputs = {
    'compose-files': list('compose-file').map(inWorkdir).join(','),
    'compose-env': list('compose-env'),
    'base-compose': list('base-compose-file').map(inWorkdir),
    suite: suiteChoice.suite,
    scenarios: list('scenarios'),
    'scenarios-dirs': list('scenarios-dir').map(inWorkdir),
    'service-map': core.getInput('service-map'),
    'target-url': core.getInput('target-url'),
    'results-dir': core.getInput('results-dir') ? inWorkdir(core.getInput('results-dir')) : '',
    'journal-path': path.join(runnerTemp, 'chaos-action', 'journal.json'),
    'fail-on-violation': core.getInput('fail-on-violation'),
    'fail-on-inconclusive': core.getInput('fail-on-inconclusive'),
    'fail-on-error': core.getInput('fail-on-error'),
    scale: core.getInput('scale'),
    'baseline-results': core.getInput('baseline-results') ? inWorkdir(core.getInput('baseline-results')) : '',
    request: core.getInput('request'),
    'request-json': core.getInput('request-json'),
    'request-body-file': core.getInput('request-body-file')
      ? inWorkdir(core.getInput('request-body-file'))
      : '',
    'expect-status': core.getInput('expect-status'),
    'health-path': core.getInput('health-path'),
    'ready-timeout': core.getInput('ready-timeout'),
  };
  // The same run config file as the CLI's: named by config-file, or chaos-action.yml when it
  // exists. Inputs that are set override it; its paths are relative to the file, and it and
  // they must stay inside the working directory (run-config.ts says what else a file may not do).
  const named = core.getInput('config-file');
  const configFile = named ? inWorkdir(named) : inWorkdir(DEFAULT_CONFIG_FILE);
  if (named && !existsSync(configFile)) throw new Error(`input config-file: ${configFile} does not exist`);
  const fromFile = existsSync(configFile);
  const config = fromFile
    ? loadRunConfigFile(configFile, inputs, 'input', { workdir })
    : parseRunConfig({ 'compose-files': inWorkdir('docker-compose.yml'), ...dropEmpty(inputs) }, 'input');
  // The Action's results go where the workflow uploads them from, unless the file or an input says otherwise.
  if (!core.getInput('results-dir') && !(fromFile && fileSets(configFile, 'results-dir')))
    config.resultsDir = inWorkdir('chaos-results');
  const bool = booleanInput;
  const token = core.getInput('github-token');
  // Masked in every log line from here on, whatever prints it.
  if (token) core.setSecret(token);
  return {
    config,
    token,
    comment: bool('comment', true),
    checkRun: bool('check-run', true),
    failOnInconclusive: config.failOnInconclusive,
    pushgatewayUrl: core.getInput('pushgateway-url') || null,
    suiteChoice,
  };
}
