// `mode: report`: publish what a fork's run measured, with the base repository's token.
//
// A pull request from a fork runs the gate with a read-only token: no comment, no check run.
// That run (mode: run) saves results.json, the report and pull-request.json (the PR's number,
// head commit and repository, taken from the event payload, never from the PR's code) in the
// results directory, which the workflow uploads as an artifact. A second workflow, triggered
// by `workflow_run` when the first completes, downloads it and runs the Action in this mode:
// no Docker, no scenario, nothing of the fork executed; the results are read as data, checked
// (artifact.ts), rendered again by this code and posted as the sticky comment and the check
// run `chaos report`.
//
// What is trusted: the repository this workflow runs in (GITHUB_REPOSITORY) and what GitHub's
// `workflow_run` event says about the gate's run: the commit it measured (head_sha), its page
// and its conclusion. Any other event is refused: there, the commit would come from the
// artifact. The artifact is the fork's: its PR number is used only once GitHub confirms that
// PR's head is that commit; its verdict is recomputed from its scenarios, and the check's
// conclusion is never better than the gate run's own. The check run is started before the
// artifact is read and concluded on every path, failure when the artifact is refused.
import path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { REPORT_CHECK_RUN_NAME, type CheckConclusion, type CheckRunTarget } from '../report/check-run';
import { renderReport, SUMMARY_MAX_BYTES } from '../report/markdown';
import { writeJobSummary } from '../report/summary';
import { locateSource, type SourceContext } from '../report/source-paths';
import {
  ArtifactError,
  MAX_PULL_REQUEST_BYTES,
  MAX_RESULTS_BYTES,
  parseArtifactJson,
  parseResults,
  readArtifactFile,
} from './artifact';
import type { ReportInputs } from './inputs';
import { abandonCheck, beginCheck, finishCheck, postComment } from './publish';

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
  const data = parseArtifactJson(text, file) as Record<string, unknown>;
  const bad = (field: string, want: string) => new ArtifactError(`${file}: ${field}: expected ${want}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('(top)', 'an object');
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
    if (typeof v !== 'string' || !path.isAbsolute(v) || v.length > 4096)
      throw bad(field, 'an absolute path or null');
    return v;
  };
  return {
    schemaVersion: 1,
    number: data.number as number,
    headSha: data.headSha.toLowerCase(),
    repository: data.repository,
    headRepository:
      typeof data.headRepository === 'string' && REPOSITORY.test(data.headRepository)
        ? data.headRepository
        : null,
    fork: data.fork === true,
    workflow: shortText(data.workflow, 'workflow'),
    job: shortText(data.job, 'job'),
    workspace: optionalPath(data.workspace, 'workspace'),
    actionRoot: optionalPath(data.actionRoot, 'actionRoot'),
  };
}

/** What GitHub's workflow_run event says about the gate's run: the only source of the commit. */
export interface GateRun {
  headSha: string;
  /** The run's page, for the report's links; null when the event has none. */
  htmlUrl: string | null;
  /** The run's own conclusion (success, failure, cancelled, ...); null when the event has none. */
  conclusion: string | null;
}

/** The event, as @actions/github's context gives it. */
export interface EventContext {
  eventName: string;
  payload: Record<string, unknown>;
}

/** The gate run from the event; report mode runs on `workflow_run` only. Throws otherwise. */
export function gateRunFromEvent(context: EventContext): GateRun {
  if (context.eventName !== 'workflow_run')
    throw new Error(
      `mode report runs on the workflow_run event (the gate run's completion), not on ${JSON.stringify(context.eventName)}: elsewhere the commit could only come from the artifact`,
    );
  const run = context.payload.workflow_run as
    { head_sha?: unknown; html_url?: unknown; conclusion?: unknown } | undefined;
  const sha = run?.head_sha;
  if (typeof sha !== 'string' || !SHA.test(sha))
    throw new Error('mode report: the workflow_run event names no head commit (workflow_run.head_sha)');
  return {
    headSha: sha.toLowerCase(),
    htmlUrl: typeof run?.html_url === 'string' && /^https?:\/\/\S+$/.test(run.html_url) ? run.html_url : null,
    conclusion: typeof run?.conclusion === 'string' ? run.conclusion : null,
  };
}

/**
 * The best conclusion the report's check may have: the gate run's own. A gate run that did not
 * succeed (failed, cancelled, timed out, or said nothing) caps it at failure.
 */
export function conclusionCap(gateConclusion: string | null): CheckConclusion {
  if (gateConclusion === 'success') return 'success';
  if (gateConclusion === 'neutral' || gateConclusion === 'skipped') return 'neutral';
  return 'failure';
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
  context: EventContext = github.context,
): Promise<void> {
  const { resultsDir, token } = inputs;
  const gateRun = gateRunFromEvent(context);
  // The repository written to is this workflow's, never the artifact's.
  const repository = env.GITHUB_REPOSITORY ?? '';
  if (!REPOSITORY.test(repository)) throw new Error(`mode report: GITHUB_REPOSITORY is not OWNER/REPO`);
  const [owner, repo] = repository.split('/', 2);
  const checkTarget: CheckRunTarget = {
    token,
    owner,
    repo,
    headSha: gateRun.headSha,
    name: REPORT_CHECK_RUN_NAME,
  };
  const checkId = inputs.checkRun ? await beginCheck(checkTarget, gateRun.htmlUrl) : null;
  let concluded = false;
  try {
    const resultsFile = path.join(resultsDir, 'results.json');
    const metadataFile = path.join(resultsDir, PULL_REQUEST_FILE);
    const result = parseResults(readArtifactFile(resultsFile, MAX_RESULTS_BYTES), resultsFile);
    const pr = parsePullRequestMetadata(readArtifactFile(metadataFile, MAX_PULL_REQUEST_BYTES), metadataFile);
    if (pr.repository.toLowerCase() !== repository.toLowerCase())
      throw new ArtifactError(
        `${metadataFile}: repository: the results are for ${pr.repository}, this workflow runs in ${repository}`,
      );
    if (pr.headSha !== gateRun.headSha)
      throw new ArtifactError(
        `${metadataFile}: headSha: the results measured ${pr.headSha.slice(0, 7)}, the gate run was for ${gateRun.headSha.slice(0, 7)}`,
      );
    const current = await pullRequestHead(token, owner, repo, pr.number);
    // Links the report shows come from GitHub's event, not from the artifact.
    result.commit = gateRun.headSha;
    result.runUrl = gateRun.htmlUrl;
    const sameHead = current.toLowerCase() === gateRun.headSha;

    core.setOutput('result', result.outcome);
    core.setOutput('violations', String(result.violations));
    core.setOutput('warnings', String(result.warnings ?? 0));
    core.setOutput('results-json', resultsFile);

    const sources: SourceContext = {
      workspace: pr.workspace,
      actionRoot: pr.actionRoot,
      serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
      repository,
      sha: gateRun.headSha,
    };
    const locate = (file: string, line: number | null) => locateSource(sources, file, line);
    await writeJobSummary(renderReport(result, { maxBytes: SUMMARY_MAX_BYTES, locate }));

    const gate = {
      failOnViolation: inputs.failOnViolation,
      failOnInconclusive: inputs.failOnInconclusive,
      failOnError: inputs.failOnError,
    };
    if (checkId !== null) {
      await finishCheck(checkTarget, checkId, result, gate, sources, conclusionCap(gateRun.conclusion));
      concluded = true;
    }
    if (!inputs.comment) return;
    if (!sameHead) {
      core.info(
        `sticky comment: #${pr.number} has moved on to ${current.slice(0, 7)} since ${gateRun.headSha.slice(0, 7)} was measured; the newer run will comment`,
      );
      return;
    }
    await postComment(
      {
        token,
        owner,
        repo,
        issueNumber: pr.number,
        sha: gateRun.headSha,
        workflow: pr.workflow,
        job: pr.job,
      },
      result,
      null,
      sources,
    );
  } catch (error) {
    if (checkId !== null && !concluded)
      await abandonCheck(
        checkTarget,
        checkId,
        `The gate run's results were not published: ${error instanceof Error ? error.message : String(error)}`,
      );
    throw error;
  }
}
