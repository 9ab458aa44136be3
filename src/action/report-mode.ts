// `mode: report`: publish what a fork's run measured, with the base repository's token.
//
// A pull request from a fork runs the gate with a read-only token: no comment, no check run.
// That run (mode: run) saves results.json, the report and pull-request.json (the PR's number,
// head commit and repository, taken from the event payload, never from the PR's code) in the
// results directory, which the workflow uploads as an artifact. A second workflow, triggered
// by `workflow_run` when the first completes, downloads it and runs the Action in this mode:
// no Docker, no scenario, nothing of the fork executed; the results are read as data, checked,
// rendered again by this code and posted as the sticky comment and the check run `chaos`.
//
// What is trusted: the repository this workflow runs in (GITHUB_REPOSITORY) and the commit the
// triggering run measured (the workflow_run event's head_sha, set by GitHub). The artifact is
// the fork's: its PR number is used only once GitHub confirms that PR's head is that commit.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import type { Outcome, RunResult } from '../results';
import { isViolatedWarning, isViolation } from '../results';
import { renderReport, SUMMARY_MAX_BYTES } from '../report/markdown';
import { writeJobSummary } from '../report/summary';
import { locateSource, type SourceContext } from '../report/source-paths';
import type { ReportInputs } from './inputs';
import { beginCheck, finishCheck, postComment } from './publish';

export const PULL_REQUEST_FILE = 'pull-request.json';

/** What a report-mode run needs to know about the pull request a run measured. */
export interface PullRequestMetadata {
  schemaVersion: 1;
  /** The pull request's number in `repository`. */
  number: number;
  /** The commit measured: the PR's head, not the merge commit. */
  headSha: string;
  /** OWNER/REPO of the base repository (where the comment and check run go). */
  repository: string;
  /** OWNER/REPO the head branch lives in; differs from `repository` for a fork. */
  headRepository: string | null;
  fork: boolean;
  /** The gate's workflow and job: the sticky comment's marker, so report mode updates the same comment. */
  workflow: string;
  job: string;
  /** Where the measuring run had the user's checkout and the action's, to show scenario paths relative. */
  workspace: string | null;
  actionRoot: string | null;
}

interface PullRequestPayload {
  number?: number;
  head?: { sha?: string; repo?: { full_name?: string; fork?: boolean } | null };
  base?: { repo?: { full_name?: string } };
}

/** The metadata of the event's pull request, or null when the event has none. Pure. */
export function pullRequestMetadata(
  payload: { pull_request?: PullRequestPayload },
  env: NodeJS.ProcessEnv,
  actionRoot: string | null,
): PullRequestMetadata | null {
  const pr = payload.pull_request;
  const repository = pr?.base?.repo?.full_name ?? env.GITHUB_REPOSITORY ?? null;
  if (!pr || typeof pr.number !== 'number' || !pr.head?.sha || !repository) return null;
  const headRepository = pr.head.repo?.full_name ?? null;
  return {
    schemaVersion: 1,
    number: pr.number,
    headSha: pr.head.sha,
    repository,
    headRepository,
    fork: pr.head.repo?.fork === true || (headRepository !== null && headRepository !== repository),
    workflow: env.GITHUB_WORKFLOW ?? 'local',
    job: env.GITHUB_JOB ?? 'local',
    workspace: env.GITHUB_WORKSPACE ? path.resolve(env.GITHUB_WORKSPACE) : null,
    actionRoot,
  };
}

const SHA = /^[0-9a-f]{40}$/i;
const REPOSITORY = /^[\w.-]+\/[\w.-]+$/;

/** Reads pull-request.json as untrusted data: every field checked. Throws with the file and field. */
export function parsePullRequestMetadata(text: string, file: string): PullRequestMetadata {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  const bad = (field: string, want: string) => new Error(`${file}: ${field}: expected ${want}`);
  if (typeof data !== 'object' || data === null) throw bad('(top)', 'an object');
  if (data.schemaVersion !== 1) throw bad('schemaVersion', '1');
  if (!Number.isInteger(data.number) || (data.number as number) < 1) throw bad('number', 'a PR number');
  if (typeof data.headSha !== 'string' || !SHA.test(data.headSha)) throw bad('headSha', 'a 40-digit commit');
  if (typeof data.repository !== 'string' || !REPOSITORY.test(data.repository))
    throw bad('repository', 'OWNER/REPO');
  const shortText = (v: unknown, field: string): string => {
    if (typeof v !== 'string' || v.length === 0 || v.length > 200) throw bad(field, 'a name');
    return v;
  };
  const optionalPath = (v: unknown, field: string): string | null => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string' || !path.isAbsolute(v)) throw bad(field, 'an absolute path or null');
    return v;
  };
  return {
    schemaVersion: 1,
    number: data.number as number,
    headSha: data.headSha.toLowerCase(),
    repository: data.repository,
    headRepository: typeof data.headRepository === 'string' ? data.headRepository : null,
    fork: data.fork === true,
    workflow: shortText(data.workflow, 'workflow'),
    job: shortText(data.job, 'job'),
    workspace: optionalPath(data.workspace, 'workspace'),
    actionRoot: optionalPath(data.actionRoot, 'actionRoot'),
  };
}

const OUTCOMES: readonly Outcome[] = ['pass', 'fail', 'inconclusive', 'error', 'skipped'];

/** Reads results.json as untrusted data: the shape the renderers rely on is checked. */
export function parseResults(text: string, file: string): RunResult {
  let data: RunResult;
  try {
    data = JSON.parse(text) as RunResult;
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  const bad = (field: string, want: string) => new Error(`${file}: ${field}: expected ${want}`);
  if (typeof data !== 'object' || data === null || data.schemaVersion !== 1) throw bad('schemaVersion', '1');
  if (!OUTCOMES.includes(data.outcome) || (data.outcome as Outcome) === 'skipped')
    throw bad('outcome', 'a run outcome');
  if (!Array.isArray(data.scenarios)) throw bad('scenarios', 'a list');
  data.scenarios.forEach((s, i) => {
    if (typeof s?.name !== 'string') throw bad(`scenarios[${i}].name`, 'a string');
    if (!OUTCOMES.includes(s.outcome)) throw bad(`scenarios[${i}].outcome`, 'an outcome');
    for (const key of ['thresholds', 'phases', 'timeline', 'notes', 'logMatches'] as const) {
      if (!Array.isArray(s[key])) throw bad(`scenarios[${i}].${key}`, 'a list');
    }
    s.thresholds.forEach((t, j) => {
      if (typeof t?.source !== 'string' || typeof t.file !== 'string' || !Number.isInteger(t.line))
        throw bad(`scenarios[${i}].thresholds[${j}]`, 'source, file and line');
      if (t.passed !== true && t.passed !== false && t.passed !== null)
        throw bad(`scenarios[${i}].thresholds[${j}].passed`, 'true, false or null');
    });
  });
  // The counts are recomputed, not believed.
  data.violations = data.scenarios.reduce((n, s) => n + s.thresholds.filter(isViolation).length, 0);
  data.warnings = data.scenarios.reduce((n, s) => n + s.thresholds.filter(isViolatedWarning).length, 0);
  return data;
}

/** GitHub's word on the pull request's head commit (the trusted side of the check). */
async function pullRequestHead(token: string, owner: string, repo: string, number: number): Promise<string> {
  const octokit = github.getOctokit(token, {
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
  });
  const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
  return data.head.sha;
}

/** The report mode's main: read, check, publish. Throws on bad input (the caller fails the step). */
export async function runReportMode(
  inputs: ReportInputs,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const { resultsDir, token } = inputs;
  const resultsFile = path.join(resultsDir, 'results.json');
  const metadataFile = path.join(resultsDir, PULL_REQUEST_FILE);
  const readText = (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(
        `mode report: cannot read ${file} (${(error as Error).message}); download the gate run's results artifact into results-dir`,
      );
    }
  };
  const result = parseResults(readText(resultsFile), resultsFile);
  const pr = parsePullRequestMetadata(readText(metadataFile), metadataFile);

  // The repository written to is this workflow's, never the artifact's; they must agree.
  const repository = env.GITHUB_REPOSITORY ?? '';
  if (pr.repository.toLowerCase() !== repository.toLowerCase()) {
    throw new Error(`mode report: the results are for ${pr.repository}, this workflow runs in ${repository}`);
  }
  const [owner, repo] = repository.split('/', 2);
  // The commit measured, from GitHub's event when there is one (workflow_run), else the artifact's.
  const workflowRun = (github.context.payload as { workflow_run?: { head_sha?: string; html_url?: string } })
    .workflow_run;
  const headSha = workflowRun?.head_sha ?? pr.headSha;
  if (headSha.toLowerCase() !== pr.headSha) {
    throw new Error(
      `mode report: the results measured ${pr.headSha.slice(0, 7)}, the triggering run was for ${headSha.slice(0, 7)}`,
    );
  }
  const current = await pullRequestHead(token, owner, repo, pr.number);
  // Links the report shows come from GitHub's event, not from the artifact.
  result.commit = pr.headSha;
  result.runUrl = workflowRun?.html_url ?? null;
  const sameHead = current.toLowerCase() === pr.headSha;

  core.setOutput('result', result.outcome);
  core.setOutput('violations', String(result.violations));
  core.setOutput('warnings', String(result.warnings ?? 0));
  core.setOutput('results-json', resultsFile);

  const sources: SourceContext = {
    workspace: pr.workspace,
    actionRoot: pr.actionRoot,
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    repository,
    sha: pr.headSha,
  };
  const locate = (file: string, line: number | null) => locateSource(sources, file, line);
  await writeJobSummary(renderReport(result, { maxBytes: SUMMARY_MAX_BYTES, locate }));

  const gate = {
    failOnViolation: inputs.failOnViolation,
    failOnInconclusive: inputs.failOnInconclusive,
    failOnError: inputs.failOnError,
  };
  if (inputs.checkRun) {
    const target = { token, owner, repo, headSha: pr.headSha };
    const id = await beginCheck(target, result.runUrl);
    if (id !== null) await finishCheck(target, id, result, gate, sources);
  }
  if (!inputs.comment) return;
  if (!sameHead) {
    core.info(
      `sticky comment: #${pr.number} has moved on to ${current.slice(0, 7)} since ${pr.headSha.slice(0, 7)} was measured; the newer run will comment`,
    );
    return;
  }
  await postComment(
    { token, owner, repo, issueNumber: pr.number, sha: pr.headSha, workflow: pr.workflow, job: pr.job },
    result,
    null,
    sources,
  );
}
