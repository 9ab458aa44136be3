// The check run on the commit measured: the verdict where reviewers look. The gate's own run
// writes `chaos`; a report-mode run, publishing what a fork's run measured, writes
// `chaos report` (never `chaos`: a results file must not be able to stand in for the gate).
//
// - Started `in_progress` when the run starts, completed with a conclusion when it ends:
//   success; neutral when only warnings were violated, or every kind of outcome the run holds
//   (violation, error, inconclusive) was one the gate was set not to fail on; failure otherwise.
//   A conclusion can be capped (report mode: never better than the gate run's own).
// - The report is the check's summary, the list of every threshold its text; both fitted under
//   GitHub's 65,535-character limits the way the comment is (detail dropped first, then cut).
// - One annotation per violated threshold (level failure) or violated warning (level warning),
//   on the scenario file line, at most MAX_ANNOTATIONS (50, what GitHub takes in one request):
//   the rest are in the check's text. So completing a check costs one request, however many
//   thresholds a results file says were violated.
// - Every text from the results goes through the report's escaping (escape.ts): markdown
//   escaped in the summary and text, plain and neutralized in the title and annotations.
// - A token without `checks: write` gets 403: one note in the log, status 'forbidden', and the
//   run goes on (the comment, the summary and the gate do not depend on the check). Other
//   failures are thrown: the caller decides.
//
// Pure parts (conclusion, annotations, output) are exported for tests; the GitHub calls are
// the two functions at the end.
import * as core from '@actions/core';
import * as github from '@actions/github';
import { isViolatedWarning, isViolation, type RunResult } from '../results';
import { gateDecision, type GateSettings } from '../results/gate';
import { escapeInline, inlineCode, plainText } from './escape';
import { describeViolation, thresholdResultMark } from './format';
import { renderReport, renderVerdictLine, trimMarkdown, type SourceLocator } from './markdown';

/** The gate's check run. */
export const CHECK_RUN_NAME = 'chaos';
/** The check run of a report-mode run (a fork's results, published by the base repository). */
export const REPORT_CHECK_RUN_NAME = 'chaos report';
/** The most annotations a check run gets: what GitHub takes in one request. */
export const MAX_ANNOTATIONS = 50;
/** GitHub's limit for a check run's output.summary and output.text (characters; bytes are stricter). */
export const CHECK_OUTPUT_MAX = 65_535;

export type CheckConclusion = 'success' | 'neutral' | 'failure';

export type { GateSettings };

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text: string;
}

const RANK: Record<CheckConclusion, number> = { failure: 0, neutral: 1, success: 2 };

/** The worse of two conclusions. */
export function worseConclusion(a: CheckConclusion, b: CheckConclusion): CheckConclusion {
  return RANK[a] <= RANK[b] ? a : b;
}

/** The conclusion the gate's verdict maps to: each kind of outcome by its own setting (results/gate.ts). */
export function checkConclusion(result: RunResult, gate: GateSettings): CheckConclusion {
  const decision = gateDecision(result, gate);
  if (decision.failing.length > 0) return 'failure';
  if (decision.allowed.length > 0) return 'neutral';
  return result.scenarios.some((s) => s.thresholds.some(isViolatedWarning)) ? 'neutral' : 'success';
}

/**
 * One annotation per violated threshold or warning, at most MAX_ANNOTATIONS, placed by
 * `repoPath` (a path of the repository; a built-in scenario, which is not one, is placed by its
 * display path and shows in the check's list of annotations rather than on a diff).
 */
export function checkAnnotations(
  result: RunResult,
  place: (file: string) => { text: string; repoPath: string | null },
): CheckAnnotation[] {
  const out: CheckAnnotation[] = [];
  for (const s of result.scenarios) {
    for (const t of s.thresholds) {
      const warning = isViolatedWarning(t);
      if (!warning && !isViolation(t)) continue;
      if (out.length === MAX_ANNOTATIONS) return out;
      const where = place(t.file);
      const line = Number.isInteger(t.line) && t.line > 0 ? t.line : 1;
      out.push({
        path: plainText(where.repoPath ?? where.text, 1_000),
        start_line: line,
        end_line: line,
        annotation_level: warning ? 'warning' : 'failure',
        title: plainText(
          `chaos: ${s.name} ${warning ? 'broke a warning threshold' : 'violated its SLO'}`,
          255,
        ),
        message: plainText(
          `${t.source}: ${describeViolation(t)} (actual ${t.actual}, limit ${t.limit})`,
          4_000,
        ),
      });
    }
  }
  return out;
}

/** How many annotations MAX_ANNOTATIONS left out of a run's (0 when none). */
export function annotationsLeftOut(result: RunResult): number {
  const all = result.scenarios.reduce(
    (n, s) => n + s.thresholds.filter((t) => isViolation(t) || isViolatedWarning(t)).length,
    0,
  );
  return Math.max(0, all - MAX_ANNOTATIONS);
}

/** Every threshold of every scenario, one line each: the check's text. */
export function renderThresholdList(result: RunResult, locate: SourceLocator): string {
  const blocks = result.scenarios.map((s) => {
    const lines = s.thresholds.map((t) => {
      const where = locate(t.file, t.line).text;
      const tag = t.severity === 'warning' ? ' (warning)' : '';
      return `- ${thresholdResultMark(t)} ${inlineCode(t.source)}${tag}: actual ${escapeInline(t.actual)}, limit ${escapeInline(t.limit)} — ${escapeInline(where)}`;
    });
    const head = `#### ${escapeInline(s.name)}: ${escapeInline(s.outcome)}${s.reason ? ` (${escapeInline(s.reason)})` : ''}`;
    return [head, ...(lines.length ? lines : ['_No thresholds._'])].join('\n');
  });
  return blocks.join('\n\n') || '_No scenarios ran._';
}

/** Title, summary (the report) and text (every threshold), each within GitHub's limits. */
export function checkOutput(result: RunResult, locate: SourceLocator): CheckOutput {
  const summary = renderReport(result, {
    maxBytes: CHECK_OUTPUT_MAX,
    locate,
    fullReportHint: "the check's text, the job summary and results.json",
  });
  const leftOut = annotationsLeftOut(result);
  const list = renderThresholdList(result, locate);
  const text = trimMarkdown(
    leftOut > 0
      ? `> [!NOTE]\n> ${leftOut} more violated threshold(s) than the ${MAX_ANNOTATIONS} annotations a check run gets: they are in this list.\n\n${list}`
      : list,
    CHECK_OUTPUT_MAX,
    '> [!NOTE]\n> The list was cut to fit the check run limit; results.json has every threshold.',
  );
  return { title: plainText(renderVerdictLine(result), 255), summary, text };
}

// ---------------------------------------------------------------------------------
// GitHub

export interface CheckRunTarget {
  token: string;
  owner: string;
  repo: string;
  /** The commit the check belongs to: the PR's head, not the merge commit. */
  headSha: string;
  /** REST API root; default process.env.GITHUB_API_URL, else https://api.github.com. */
  baseUrl?: string;
  /** The check run's name; default CHECK_RUN_NAME (`chaos`). */
  name?: string;
}

export type CheckRunStart = { status: 'started'; id: number; url: string | null } | { status: 'forbidden' };

function statusOf(err: unknown): number | null {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' ? s : null;
}

function octokitFor(target: CheckRunTarget) {
  return github.getOctokit(target.token, {
    baseUrl: target.baseUrl ?? (process.env.GITHUB_API_URL || 'https://api.github.com'),
  });
}

function forbiddenNote(err: unknown): void {
  core.info(
    `check run: not written (HTTP 403: ${err instanceof Error ? err.message : String(err)}); ` +
      'the token has no checks: write (a pull request from a fork?). The comment, the job summary and the gate go on without it.',
  );
}

/** Creates the check run (`chaos` unless the target names another), in progress. */
export async function startCheckRun(
  target: CheckRunTarget,
  detailsUrl: string | null,
): Promise<CheckRunStart> {
  const octokit = octokitFor(target);
  try {
    const { data } = await octokit.rest.checks.create({
      owner: target.owner,
      repo: target.repo,
      name: target.name ?? CHECK_RUN_NAME,
      head_sha: target.headSha,
      status: 'in_progress',
      started_at: new Date().toISOString(),
      ...(detailsUrl ? { details_url: detailsUrl } : {}),
      output: { title: 'chaos: running', summary: 'The chaos scenarios are running.' },
    });
    return { status: 'started', id: data.id, url: data.html_url ?? null };
  } catch (err) {
    if (statusOf(err) === 403) {
      forbiddenNote(err);
      return { status: 'forbidden' };
    }
    throw err;
  }
}

/**
 * Completes the check run in one request: the output, at most MAX_ANNOTATIONS annotations (the
 * first ones) and the conclusion. Returns 'completed', or 'forbidden'.
 */
export async function completeCheckRun(
  target: CheckRunTarget,
  id: number,
  completion: { conclusion: CheckConclusion; output: CheckOutput; annotations: CheckAnnotation[] },
): Promise<{ status: 'completed' } | { status: 'forbidden' }> {
  const octokit = octokitFor(target);
  try {
    await octokit.rest.checks.update({
      owner: target.owner,
      repo: target.repo,
      check_run_id: id,
      output: { ...completion.output, annotations: completion.annotations.slice(0, MAX_ANNOTATIONS) },
      status: 'completed',
      conclusion: completion.conclusion,
      completed_at: new Date().toISOString(),
    });
    return { status: 'completed' };
  } catch (err) {
    if (statusOf(err) === 403) {
      forbiddenNote(err);
      return { status: 'forbidden' };
    }
    throw err;
  }
}
