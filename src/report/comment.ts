// The sticky PR comment (after marocchino/sticky-pull-request-comment): one comment per
// workflow and job, found again by a hidden marker and updated in place on every run.
//
// - The marker: `<!-- chaos-action:sticky workflow=<GITHUB_WORKFLOW> job=<GITHUB_JOB> -->`
//   (values URI-encoded, so no name can close the HTML comment).
// - The search: every comment of the PR (paginated, 100 a page), the first one that carries
//   the marker AND was written by the token's author. Never someone else's comment, even
//   one that copied the marker.
// - The author: `GET /user` answers for a personal access token. The GITHUB_TOKEN (an app
//   installation token) gets 403 there; then the author is taken to be `github-actions[bot]`,
//   and only its marker comments are matched: not a human's, not another app's bot (any app
//   installed on the repository, or a workflow with another token, could have copied the
//   marker). A GitHub App token (actions/create-github-app-token) posts as its own
//   `<app>[bot]`: pass that login as `authorLogin`, which also skips the lookup.
// - The PR: the event's PR number, else (push events) the open PR whose head is the
//   commit (`GET /repos/{o}/{r}/commits/{sha}/pulls`); none → status 'skipped-no-pr'.
// - Fork PRs get a read-only token: a 403 on any call is status 'forbidden' with a warning,
//   and the report goes to the job summary instead (if not written already). Never thrown.
//   Other failures (network, 5xx, 401 bad credentials) are thrown: the caller decides.
import * as core from '@actions/core';
import * as github from '@actions/github';
import { trimMarkdown, COMMENT_MAX_BYTES } from './markdown';
import { utf8Bytes } from './escape';
import { jobSummaryWritten, writeJobSummary } from './summary';

export type CommentStatus = 'created' | 'updated' | 'skipped-no-pr' | 'forbidden';

export interface StickyCommentOptions {
  /** GITHUB_TOKEN or a PAT with `pull_requests: write` / `issues: write`. */
  token: string;
  owner: string;
  repo: string;
  /** The report (markdown, without the marker); cut to fit the comment limit if needed. */
  body: string;
  /** The PR number when the event carries one (pull_request, pull_request_target, issue_comment on a PR). */
  issueNumber?: number | null;
  /** The commit measured: used to find the PR when `issueNumber` is not given (push events). */
  sha?: string | null;
  /** Default process.env.GITHUB_WORKFLOW. */
  workflow?: string;
  /** Default process.env.GITHUB_JOB. */
  job?: string;
  /** REST API root; default process.env.GITHUB_API_URL, else https://api.github.com. */
  baseUrl?: string;
  /** The login that writes the comment, when known: skips `GET /user`. */
  authorLogin?: string;
  /** On 'forbidden', write the body to the job summary unless one was written already. Default true. */
  fallbackToSummary?: boolean;
}

export interface StickyCommentResult {
  status: CommentStatus;
  issueNumber: number | null;
  commentId: number | null;
  /** html_url of the comment written. */
  url: string | null;
}

export interface CommentLike {
  id: number;
  body?: string | null;
  user: { login: string; type?: string } | null;
}

/** The author whose comment may be updated: a known login, or "the Actions bot" when the token cannot say. */
export type CommentAuthor = { kind: 'login'; login: string } | { kind: 'bot' };

const ACTIONS_BOT = 'github-actions[bot]';

function markerValue(v: string): string {
  // By code point, so a cut never leaves a lone surrogate (encodeURIComponent would throw).
  return encodeURIComponent(Array.from(v).slice(0, 100).join(''));
}

/** The hidden marker of one workflow + job's sticky comment. */
export function stickyMarker(
  workflow = process.env.GITHUB_WORKFLOW ?? 'local',
  job = process.env.GITHUB_JOB ?? 'local',
): string {
  return `<!-- chaos-action:sticky workflow=${markerValue(workflow)} job=${markerValue(job)} -->`;
}

/** The comment to update among `comments`, or undefined. Pure. */
export function findStickyComment<C extends CommentLike>(
  comments: C[],
  marker: string,
  author: CommentAuthor,
): C | undefined {
  const marked = comments.filter((c) => typeof c.body === 'string' && c.body.includes(marker) && c.user);
  const login = author.kind === 'login' ? author.login : ACTIONS_BOT;
  return marked.find((c) => c.user?.login === login);
}

/** `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`, or null outside Actions. */
export function runUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return null;
  return `${server.replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}

/** What a workflow event says about where to comment; structurally typed on @actions/github's Context. */
export interface CommentTarget {
  owner: string;
  repo: string;
  /** The PR number when the event carries one. */
  issueNumber: number | null;
  /** The commit measured: the PR head for pull_request events (not the merge commit), else GITHUB_SHA. */
  sha: string | null;
}

interface ContextLike {
  eventName: string;
  sha: string;
  payload: {
    pull_request?: { number: number; head?: { sha?: string } };
    issue?: { number: number; pull_request?: unknown };
    repository?: { name: string; owner: { login: string } };
  };
}

/** The comment target from an @actions/github context (default: `github.context`) and GITHUB_REPOSITORY. */
export function commentTargetFromContext(
  ctx: ContextLike = github.context,
  env: NodeJS.ProcessEnv = process.env,
): CommentTarget | null {
  let owner: string | undefined;
  let repo: string | undefined;
  if (env.GITHUB_REPOSITORY && env.GITHUB_REPOSITORY.includes('/')) {
    [owner, repo] = env.GITHUB_REPOSITORY.split('/', 2);
  } else if (ctx.payload.repository) {
    owner = ctx.payload.repository.owner.login;
    repo = ctx.payload.repository.name;
  }
  if (!owner || !repo) return null;
  const pr = ctx.payload.pull_request;
  const issue = ctx.payload.issue;
  return {
    owner,
    repo,
    issueNumber: pr?.number ?? (issue?.pull_request ? issue.number : null),
    sha: pr?.head?.sha ?? (ctx.sha || null),
  };
}

function statusOf(err: unknown): number | null {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' ? s : null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type Octokit = ReturnType<typeof github.getOctokit>;

async function resolveAuthor(octokit: Octokit, explicit: string | undefined): Promise<CommentAuthor> {
  if (explicit) return { kind: 'login', login: explicit };
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    core.debug(`sticky comment: the token belongs to ${data.login}`);
    return { kind: 'login', login: data.login };
  } catch (err) {
    if (statusOf(err) === 403 || statusOf(err) === 404) {
      core.debug(
        `sticky comment: GET /user answered ${statusOf(err)} (an installation token such as GITHUB_TOKEN); matching comments by ${ACTIONS_BOT} only`,
      );
      return { kind: 'bot' };
    }
    throw err;
  }
}

async function findPullRequest(
  octokit: Octokit,
  owner: string,
  repo: string,
  sha: string,
): Promise<number | null> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner,
    repo,
    commit_sha: sha,
  });
  const open = data.filter((p) => p.state === 'open');
  const pr = open.find((p) => p.head?.sha === sha) ?? open[0];
  return pr ? pr.number : null;
}

/** The comment's whole body: the marker, then the report (cut to fit the comment limit if needed). */
export function stickyCommentBody(marker: string, body: string): string {
  const budget = COMMENT_MAX_BYTES - utf8Bytes(marker) - 1;
  const fitted =
    utf8Bytes(body) <= budget
      ? body
      : trimMarkdown(
          body,
          budget,
          "> [!NOTE]\n> The report was cut to fit GitHub's comment limit; the full report is in the job summary and results.json.",
        );
  return `${marker}\n${fitted}`;
}

/**
 * Creates or updates the sticky comment. Resolves to a status; throws only for
 * failures other than "no PR" and "forbidden" (network, 5xx, bad credentials).
 */
export async function upsertStickyComment(options: StickyCommentOptions): Promise<StickyCommentResult> {
  const { owner, repo } = options;
  const baseUrl = options.baseUrl ?? (process.env.GITHUB_API_URL || 'https://api.github.com');
  const octokit = github.getOctokit(options.token, { baseUrl });
  const marker = stickyMarker(options.workflow, options.job);
  const body = stickyCommentBody(marker, options.body);
  let issueNumber: number | null = options.issueNumber ?? null;

  const forbidden = async (err: unknown): Promise<StickyCommentResult> => {
    core.warning(
      `Could not write the chaos report as a PR comment (HTTP 403: ${messageOf(err)}). ` +
        `The token is read-only here (a pull request from a fork?); the report is in the job summary.`,
    );
    if (options.fallbackToSummary !== false && !jobSummaryWritten()) await writeJobSummary(options.body);
    return { status: 'forbidden', issueNumber, commentId: null, url: null };
  };

  try {
    if (issueNumber === null) {
      if (!options.sha) {
        core.info(
          'No pull request to comment on (no PR number and no commit); the report is in the job summary.',
        );
        return { status: 'skipped-no-pr', issueNumber: null, commentId: null, url: null };
      }
      issueNumber = await findPullRequest(octokit, owner, repo, options.sha);
      if (issueNumber === null) {
        core.info(`No open pull request contains commit ${options.sha.slice(0, 7)}; not commenting.`);
        return { status: 'skipped-no-pr', issueNumber: null, commentId: null, url: null };
      }
    }

    const author = await resolveAuthor(octokit, options.authorLogin);
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: issueNumber,
      per_page: 100,
    });
    const existing = findStickyComment(comments, marker, author);
    if (existing) {
      const { data } = await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: existing.id,
        body,
      });
      core.info(`Updated the chaos report comment on #${issueNumber}: ${data.html_url}`);
      return { status: 'updated', issueNumber, commentId: data.id, url: data.html_url };
    }
    const { data } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: issueNumber,
      body,
    });
    core.info(`Created the chaos report comment on #${issueNumber}: ${data.html_url}`);
    return { status: 'created', issueNumber, commentId: data.id, url: data.html_url };
  } catch (err) {
    if (statusOf(err) === 403) return forbidden(err);
    throw err;
  }
}
