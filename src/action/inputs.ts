// The Action's inputs, read once: the run settings (settings.ts) by their one name, over the
// run config file when there is one, into the engine's RunConfig; and the publishing and mode
// inputs. The suite choice (pull request → default, label / dispatch / schedule → full) is a
// pure function.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { formatIssue, type ConfigIssue } from '../config/errors';
import {
  DEFAULT_CONFIG_FILE,
  DEFAULT_RESULTS_DIR,
  loadRunConfigFile,
  parseRunConfig,
  type RunConfig,
} from '../config/run-config';
import { inputSettings, parseSetting, type Setting } from '../config/settings';

export interface ActionInputs {
  config: RunConfig;
  token: string;
  comment: boolean;
  /** Create the check run `chaos` on the commit measured (needs checks: write). */
  checkRun: boolean;
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

/** The suite the input, the event or a label asks for; null when `auto` has nothing to go on. */
export function suiteAsked(context: SuiteContext): SuiteChoice | null {
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
  return null;
}

/** `auto`: full when asked (dispatch input, PR label) or on schedule; default otherwise. */
export function chooseSuite(context: SuiteContext): SuiteChoice {
  return suiteAsked(context) ?? { suite: 'default', why: `${context.eventName || 'this'} event` };
}

/** An input's value through its setting's parser; empty → `fallback`. */
function parsedInput<T>(name: string, fallback: T): T {
  const value = core.getInput(name).trim();
  if (value === '') return fallback;
  try {
    return parseSetting(name, value) as T;
  } catch (error) {
    throw new Error(`input ${name}: ${(error as Error).message}`);
  }
}

function list(name: string): string[] {
  return core
    .getInput(name)
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

function workdirOf(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), core.getInput('working-directory') || '.');
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
  const workdir = workdirOf(env);
  const token = core.getInput('github-token');
  if (token) core.setSecret(token);
  return {
    resultsDir: path.resolve(workdir, core.getInput('results-dir') || DEFAULT_RESULTS_DIR),
    token,
    comment: parsedInput('comment', true),
    checkRun: parsedInput('check-run', true),
    failOnViolation: parsedInput('fail-on-violation', true),
    failOnInconclusive: parsedInput('fail-on-inconclusive', true),
    failOnError: parsedInput('fail-on-error', true),
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
  const workdir = workdirOf(env);
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

/** A run setting's input as the run config takes it: paths resolved against the working directory. */
function runInput(s: Setting, inWorkdir: (p: string) => string): unknown {
  const raw = core.getInput(s.name);
  if (!raw.trim()) return undefined;
  if (!s.paths) return raw;
  return s.kind === 'list' ? list(s.name).map(inWorkdir) : inWorkdir(raw.trim());
}

/** A notice about the configuration (an old key), on the log and as an annotation at its line. */
function warnNotice(notice: ConfigIssue): void {
  core.warning(
    formatIssue(notice),
    notice.file && notice.line ? { file: notice.file, startLine: notice.line } : {},
  );
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const workdir = workdirOf(env);
  const inWorkdir = (p: string): string => path.resolve(workdir, p);
  const asked = suiteAsked({
    suiteInput: core.getInput('suite'),
    eventName: github.context.eventName,
    payload: github.context.payload as SuiteContext['payload'],
    fullSuiteLabel: core.getInput('full-suite-label'),
  });
  const runnerTemp = env.RUNNER_TEMP ?? path.join(workdir, '.chaos-action');
  const inputs: Record<string, unknown> = {};
  for (const s of inputSettings().filter((setting) => setting.scope === 'run')) {
    const value = runInput(s, inWorkdir);
    if (value !== undefined) inputs[s.name] = value;
  }
  // `auto` with nothing to go on leaves the suite to the config file, else the default suite.
  delete inputs.suite;
  if (asked) inputs.suite = asked.suite;
  // Where the post step finds what to revert: under RUNNER_TEMP, never the repository's to choose.
  inputs['journal-path'] = path.join(runnerTemp, 'chaos-action', 'journal.json');
  // The same run config file as the CLI's: named by config-file, or chaos-action.yml when it
  // exists. Inputs that are set override it; its paths are relative to the file, and it and
  // they must stay inside the working directory (run-config.ts says what else a file may not do).
  const named = core.getInput('config-file');
  const configFile = named ? inWorkdir(named) : inWorkdir(DEFAULT_CONFIG_FILE);
  if (named && !existsSync(configFile)) throw new Error(`input config-file: ${configFile} does not exist`);
  const notices: ConfigIssue[] = [];
  const config = existsSync(configFile)
    ? loadRunConfigFile(configFile, inputs, 'input', { workdir, notices })
    : parseRunConfig(inputs, 'input', { workdir, notices });
  for (const notice of notices) warnNotice(notice);
  // The Action's results go where the workflow uploads them from: the working directory's.
  if (config.resultsDir === DEFAULT_RESULTS_DIR) config.resultsDir = inWorkdir(DEFAULT_RESULTS_DIR);
  const suiteChoice = asked ?? {
    suite: config.suite,
    why:
      config.suite === 'default'
        ? `${github.context.eventName || 'this'} event`
        : `suite: ${config.suite} in the run config file`,
  };
  const token = core.getInput('github-token');
  // Masked in every log line from here on, whatever prints it.
  if (token) core.setSecret(token);
  return {
    config,
    token,
    comment: parsedInput('comment', true),
    checkRun: parsedInput('check-run', true),
    suiteChoice,
  };
}
